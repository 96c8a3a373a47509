/// The requests written on one connection and not yet answered, oldest first (HTTP/1.1 answers
/// in request order, so the next response always belongs to `first`).
///
/// Fixed capacity (`--pipeline`), allocated once per connection; push and pop never allocate.
/// Owned by one `ClientConnection`, on one thread.
struct InFlightRing {
    private var messages: [Int]
    /// When each request was due: the scheduled time (open loop) or the time it was written
    /// (closed loop). Latency is measured from here.
    private var startTimes: [UInt64]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0, "pipeline depth must be at least 1")
        messages = [Int](repeating: 0, count: capacity)
        startTimes = [UInt64](repeating: 0, count: capacity)
    }

    var capacity: Int { messages.count }
    var isEmpty: Bool { count == 0 }
    var freeSlots: Int { messages.count - count }

    @inline(__always)
    mutating func push(message: Int, startTime: UInt64) {
        precondition(count < messages.count, "in-flight ring overflow")
        var tail = head + count
        if tail >= messages.count { tail -= messages.count }
        messages[tail] = message
        startTimes[tail] = startTime
        count += 1
    }

    @inline(__always)
    mutating func pop() -> (message: Int, startTime: UInt64)? {
        guard count > 0 else { return nil }
        let entry = (messages[head], startTimes[head])
        head += 1
        if head == messages.count { head = 0 }
        count -= 1
        return entry
    }

    mutating func removeAll() {
        head = 0
        count = 0
    }
}
