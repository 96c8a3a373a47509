#if canImport(Glibc)
import Glibc
#endif
import IngestLog
import IngestLoop
import IngestSystem
import Synchronization

/// Group commit for `--sync batch`, shared by every worker: one thread, one fdatasync per round
/// for everything all workers published since the previous round.
///
/// Protocol. A worker publishes its pass's records (`LogAppender.commit()` with deferred sync,
/// memory copies only) and then takes a ticket with `published()`: the next value of a shared
/// generation counter. The sync thread reads the generation G (acquire), then calls
/// `MessageLog.synchronizePublished()`, then stores `durable = G` (release) and wakes every
/// worker. Every record published before its ticket was taken is therefore covered by any round
/// that read a generation >= its ticket: a worker writes a 200 for a ticket T only once
/// `durable >= T` and T is not in a failed round.
///
/// One thread rather than one per worker because concurrent msyncs of one file contend in the
/// file system's journal (measured: two workers with their own syncs were slower than one); a
/// single round serves all of them, so the flush count per second stays low however many
/// workers and connections there are.
final class GroupSync: @unchecked Sendable {
    private let log: MessageLog
    private let operatorLog: OperatorLog
    private let generation = Atomic<UInt64>(0)
    /// The highest ticket made durable (or failed: see `isFailed`).
    let durable = Atomic<UInt64>(0)
    /// Rounds that failed, as ticket ranges (rare; looked up only when `failureCount` moved).
    private let failedRanges = Mutex<[ClosedRange<UInt64>]>([])
    let failureCount = Atomic<Int>(0)
    /// Monotonic start of the round in progress, 0 when idle: the stall signal for backpressure.
    let busySince = Atomic<Int64>(0)
    /// Written only by the sync thread: round latency for /metrics.
    let counters = WorkerCounters()
    private let work: EventFD
    private let stopping = Atomic<Bool>(false)
    private let stallHookFile: String?
    private var loops: [EventLoop] = []
    private var thread: OSThread?

    init(log: MessageLog, operatorLog: OperatorLog, stallHookFile: String?) throws {
        self.log = log
        self.operatorLog = operatorLog
        self.stallHookFile = stallHookFile
        work = try EventFD()
    }

    /// Starts the sync thread; `loops` are woken after every round.
    func start(waking loops: [EventLoop]) throws {
        self.loops = loops
        thread = try OSThread.start(name: "ingest-sync") { [unowned self] in self.run() }
    }

    /// Takes the ticket for records the caller has just published. Any thread.
    func published() -> UInt64 {
        let ticket = generation.wrappingAdd(1, ordering: .releasing).newValue
        work.signal()
        return ticket
    }

    /// True when the round that covered `ticket` failed (the records may not be durable).
    func isFailed(_ ticket: UInt64) -> Bool {
        failedRanges.withLock { ranges in ranges.contains { $0.contains(ticket) } }
    }

    /// Finishes the outstanding rounds and stops the thread (after the workers have stopped).
    func stop() {
        stopping.store(true, ordering: .releasing)
        work.signal()
        thread?.join()
        thread = nil
    }

    private func run() {
        while true {
            var poller = pollfd(fd: work.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, 1000)
            work.drain()
            let target = generation.load(ordering: .acquiring)
            let done = durable.load(ordering: .relaxed)
            if target > done {
                let started = Clock.monotonicNanoseconds()
                busySince.store(started, ordering: .relaxed)
                if let stallHookFile {
                    while access(stallHookFile, F_OK) == 0 && !stopping.load(ordering: .relaxed) { usleep(10_000) }
                }
                do {
                    try log.synchronizePublished()
                } catch {
                    failedRanges.withLock { $0.append((done + 1)...target) }
                    failureCount.wrappingAdd(1, ordering: .releasing)
                    operatorLog.error("log_sync_failed", [("tickets", "\(target - done)"), ("error", "\(error)")])
                }
                durable.store(target, ordering: .releasing)
                busySince.store(0, ordering: .relaxed)
                counters.observe(.syncSeconds, Double(Clock.monotonicNanoseconds() - started) / 1e9)
                for loop in loops { loop.wake() }
            } else if stopping.load(ordering: .acquiring) {
                return
            }
        }
    }
}
