/// How many distinct requests to pre-generate, and how to split them over the client threads.
///
/// The pool holds every request that will be sent when that fits in the memory budget
/// (`--messages`, or an open-loop rate times the duration); otherwise, and always for a
/// closed-loop duration run, as many as fit. A run that needs more wraps around and resends
/// from the start (the exactly-once check counts per send, so it still holds).
public enum PoolSizing {
    /// - Parameters:
    ///   - averageRequestBytes: measured on a sample of generated requests.
    ///   - needed: requests the run will send, or nil when unknown (closed loop for a duration).
    /// The same request may be in flight on two connections at once when the pool is small
    /// (large documents); that is allowed, the server simply stores it twice.
    public static func messageCount(averageRequestBytes: Double, budgetBytes: Int, needed: Int?) -> Int {
        let fitting = max(1, Int(Double(budgetBytes) / max(1, averageRequestBytes)))
        return max(1, needed.map { min($0, fitting) } ?? fitting)
    }

    /// `total` split into `parts` contiguous shares, the first ones one larger when uneven.
    public static func split(_ total: Int, into parts: Int) -> [Int] {
        (0..<parts).map { total / parts + ($0 < total % parts ? 1 : 0) }
    }
}
