#if canImport(Glibc)
import Glibc
#endif
import IngestLog
import IngestLoop
import IngestSystem
import Synchronization

/// A worker's helper thread for `--sync batch`: it runs one appender's `commit()` (append +
/// msync) while the worker's loop keeps reading, verifying and staging into its other appender.
///
/// Hand-off protocol: the loop `submit`s an appender with a ticket only while `isBusy` is false,
/// and does not touch that appender again until the completion for that ticket has been taken
/// with `takeCompletion()` (the mutex hand-off orders the appender's memory between the two
/// threads, so the appender is owned by exactly one thread at a time, as it requires). A
/// completion wakes the loop through its eventfd.
final class CommitThread: @unchecked Sendable {
    private struct Job {
        var appender: LogAppender?
        var ticket: UInt64 = 0
    }
    private struct Completion {
        var ticket: UInt64
        var error: (any Error)?
    }

    private let state = Mutex<(job: Job?, completion: Completion?, stopping: Bool)>((nil, nil, false))
    private let jobReady = EventFD.makeOrCrash()
    private let loop: EventLoop
    private let stallHookFile: String?
    private var thread: OSThread?
    /// Monotonic time the current job started, 0 when idle. Read by the loop for backpressure.
    let busySince = Atomic<Int64>(0)

    /// - Parameter stallHookFile: test hook (`CONNECT_TEST_HOOK_STALL_COMMITS_WHILE_FILE_EXISTS`):
    ///   while this file exists, commits wait before starting, simulating a log that cannot keep up.
    init(loop: EventLoop, name: String, stallHookFile: String?) throws {
        self.loop = loop
        self.stallHookFile = stallHookFile
        thread = try OSThread.start(name: name) { [unowned self] in self.run() }
    }

    var isBusy: Bool { busySince.load(ordering: .relaxed) != 0 || state.withLock { $0.job != nil || $0.completion != nil } }

    func submit(_ appender: LogAppender, ticket: UInt64, now: Int64) {
        busySince.store(now, ordering: .relaxed)
        state.withLock { $0.job = Job(appender: appender, ticket: ticket) }
        jobReady.signal()
    }

    /// The finished job's ticket and error, if one finished since the last call.
    func takeCompletion() -> (ticket: UInt64, error: (any Error)?)? {
        state.withLock { s in
            guard let c = s.completion else { return nil }
            s.completion = nil
            return (c.ticket, c.error)
        }
    }

    func stop() {
        state.withLock { $0.stopping = true }
        jobReady.signal()
        thread?.join()
        thread = nil
    }

    private func run() {
        while true {
            var poller = pollfd(fd: jobReady.descriptor.rawValue, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, 1000)
            jobReady.drain()
            let (job, stopping) = state.withLock { s -> (Job?, Bool) in
                let job = s.job
                s.job = nil
                return (job, s.stopping)
            }
            if let job, let appender = job.appender {
                if let stallHookFile {
                    while access(stallHookFile, F_OK) == 0 { usleep(10_000) }
                }
                var failure: (any Error)?
                do { try appender.commit() } catch { failure = error }
                busySince.store(0, ordering: .relaxed)
                state.withLock { $0.completion = Completion(ticket: job.ticket, error: failure) }
                loop.wake()
            } else if stopping {
                return
            }
        }
    }
}

extension EventFD {
    static func makeOrCrash() -> EventFD {
        do { return try EventFD() } catch { fatalError("eventfd: \(error)") }
    }
}
