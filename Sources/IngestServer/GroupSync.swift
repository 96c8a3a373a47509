#if canImport(Glibc)
import Glibc
#endif
import IngestLog
import IngestLoop
import IngestSystem
import Synchronization

/// Group commit for `--sync batch`, shared by every worker: one fdatasync per round for
/// everything all workers published since the previous round, one round at a time.
///
/// Protocol. A worker publishes its pass's records (`LogAppender.commit()` with deferred sync:
/// `pwrite`s, no sync) and then takes a ticket with `published()`: the next value of a shared
/// generation counter. A round reads the generation G (acquire), calls
/// `MessageLog.synchronizePublished()`, then stores `durable = G` (release) and wakes the
/// workers. Every record published before its ticket was taken is therefore covered by any round
/// that read a generation >= its ticket: a worker writes a 200 for a ticket T only once
/// `durable >= T` and T is not in a failed round. Rounds never overlap: whoever runs one holds
/// the baton (concurrent fdatasyncs of one file contend in the file system's journal).
///
/// Who runs a round (`Mode`):
/// - `leader` (two workers or more): the worker that finds no round running runs it itself, at
///   the end of its pass, right after publishing, then writes its own 200s at once; a worker
///   whose ticket a running round does not cover is woken when it ends and leads the next. So a
///   message waits for the fdatasync and no thread hand-off, where the sync thread cost two
///   (the thread's wake-up, then the worker's), each a scheduler delay on a busy machine
///   (measured at load 5-6 on 2 cores: 0.35-0.45 ms and 0.2 ms per round, next to 1.1 ms of
///   fdatasync). The price: while its fdatasync runs, that worker's own loop waits for it; if the
///   disk stalls, its connections wait with it, while the other workers keep answering (503
///   once `--commit-stall-timeout` passes, see `busySince`).
/// - `thread` (one worker): a sync thread runs the rounds, so the only loop never waits for the
///   disk: during a stall it keeps answering (health checks, 503s).
/// In both modes the sync thread also runs any round still owed at shutdown.
final class GroupSync: @unchecked Sendable {
    enum Mode { case leader, thread }

    let mode: Mode
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
    /// Held by whoever runs a round (a worker or the sync thread).
    private let baton = Atomic<Bool>(false)
    /// Round latency for /metrics; written only by the baton holder.
    let counters = WorkerCounters()
    private let work: EventFD
    private let stopping = Atomic<Bool>(false)
    private let stallHookFile: String?
    private var loops: [EventLoop] = []
    private var thread: OSThread?

    init(log: MessageLog, operatorLog: OperatorLog, stallHookFile: String?, workers: Int) throws {
        self.mode = workers >= 2 ? .leader : .thread
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

    /// Takes the ticket for records the caller has just published. Any thread. In `leader` mode
    /// the caller then calls `leadRound()`.
    func published() -> UInt64 {
        let ticket = generation.wrappingAdd(1, ordering: .releasing).newValue
        if mode == .thread { work.signal() }
        return ticket
    }

    /// `leader` mode, on a worker's thread: runs a round now unless one is running (then the
    /// worker is woken when it ends, and calls this again if its tickets are still not durable).
    func leadRound() {
        guard mode == .leader else { return }
        runRound()
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

    /// The sync thread: rounds on request (`thread` mode), and in both modes a check every
    /// second and at shutdown for tickets no round has covered yet.
    private func run() {
        while true {
            var poller = pollfd(fd: work.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, 1000)
            work.drain()
            if !runRound() && stopping.load(ordering: .acquiring) {
                if generation.load(ordering: .acquiring) <= durable.load(ordering: .acquiring) { return }
                usleep(1000)   // a worker's round is finishing; check again
            }
        }
    }

    /// One round, if tickets are waiting and no round is running. Returns false when it ran none.
    @discardableResult
    private func runRound() -> Bool {
        guard !baton.load(ordering: .relaxed), !baton.exchange(true, ordering: .acquiring) else { return false }
        let target = generation.load(ordering: .acquiring)
        let done = durable.load(ordering: .relaxed)
        guard target > done else {
            baton.store(false, ordering: .releasing)
            return false
        }
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
        baton.store(false, ordering: .releasing)
        // After the baton is free, so a worker woken for tickets this round did not cover can
        // take it at once.
        for loop in loops { loop.wake() }
        return true
    }
}
