#if canImport(Glibc)
import Glibc
#endif

/// One line of `connect-bench micro` output.
struct MicroResult {
    /// What was measured, e.g. "scanner 4KB summary".
    var name: String
    /// Bytes processed per operation (0 when not meaningful).
    var bytesPerOperation: Int
    /// Operations timed in total.
    var operations: Int
    /// Wall time for all operations, in nanoseconds.
    var nanoseconds: Double
    /// Free text, e.g. "hardware crc32c" or the checked answer.
    var note: String = ""

    var nanosecondsPerOperation: Double { nanoseconds / Double(max(1, operations)) }
    var operationsPerSecond: Double { Double(operations) / (nanoseconds / 1e9) }
    var gigabytesPerSecond: Double { Double(bytesPerOperation) * Double(operations) / nanoseconds }
}

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`).
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// `micro --iterations N`: every `measure` calls its body exactly N times (after the warm-up)
/// instead of for a time, so instruction counts (valgrind --tool=callgrind) are the same from
/// run to run on a busy machine. Set once by the command line, before any benchmark runs.
nonisolated(unsafe) var microFixedIterations: Int? = nil
/// `micro --match TEXT`: only the benchmarks whose name contains TEXT run (where supported).
nonisolated(unsafe) var microNameFilter: String? = nil

/// Runs `body` (which performs `batch` operations per call) repeatedly for at least
/// `minimumSeconds`, after one untimed warm-up call, and returns (operations, nanoseconds).
func measure(minimumSeconds: Double, batch: Int, _ body: () -> Void) -> (operations: Int, nanoseconds: Double) {
    body()
    if let fixed = microFixedIterations {
        let start = monotonicNanoseconds()
        for _ in 0..<fixed { body() }
        return (fixed * batch, Double(monotonicNanoseconds() - start))
    }
    var operations = 0
    let start = monotonicNanoseconds()
    var now = start
    let limit = UInt64(minimumSeconds * 1e9)
    repeat {
        body()
        operations += batch
        now = monotonicNanoseconds()
    } while now - start < limit
    return (operations, Double(now - start))
}

/// CPU time (user + system) of the whole process so far, every thread included, in nanoseconds:
/// what a benchmark that hands work to background threads really costs.
func processCPUNanoseconds() -> UInt64 {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1000 }
    return ns(usage.ru_utime) + ns(usage.ru_stime)
}

/// Times `body` (which performs `batch` operations per call) in `rounds` rounds of
/// `minimumSeconds / rounds` each and returns the fastest round: the machines are shared, and the
/// slower rounds measure the neighbours.
func fastestRound(minimumSeconds: Double, batch: Int, rounds: Int = 5,
                  _ body: () -> Void) -> (operations: Int, nanoseconds: Double) {
    var best: (operations: Int, nanoseconds: Double) = (0, .infinity)
    for _ in 0..<rounds {
        let round = measure(minimumSeconds: minimumSeconds / Double(rounds), batch: batch, body)
        if round.nanoseconds / Double(round.operations) < best.nanoseconds / Double(max(1, best.operations)) {
            best = round
        }
    }
    return best
}

/// Calls `feed` with `raw` cut into consecutive pieces of at most `pieceSize` bytes, as a socket
/// would deliver them.
@inline(__always)
func feedInPieces(_ raw: UnsafeRawBufferPointer, pieceSize: Int, _ feed: (UnsafeRawBufferPointer) -> Void) {
    var start = 0
    while start < raw.count {
        let end = min(raw.count, start + pieceSize)
        feed(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
        start = end
    }
}

/// Keeps a value alive so the optimizer cannot delete the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
