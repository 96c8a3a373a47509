#if canImport(Glibc)
import Glibc
#endif
import IngestHMAC
import IngestHTTP
import IngestLog
import IngestLoop
import IngestSystem

/// One worker: one thread, one epoll loop, one `SO_REUSEPORT` listener, one log appender, and
/// the connections the kernel hands to that listener.
///
/// Thread affinity: every method runs on the worker's own thread (called by its `EventLoop`),
/// except `init` (on the main thread, before the thread starts) and `requestStop` (any thread).
/// Nothing here takes a lock per request; the only cross-thread state is in `ServerState`.
final class Worker: LoopDriver, @unchecked Sendable {
    let index: Int
    let state: ServerState
    let configuration: ServerConfiguration
    let loop: EventLoop
    /// The appender this loop stages small messages into. With `--sync batch` there are three
    /// that rotate: one stages here while the others are committed by `commitThreads`.
    var appender: LogAppender
    /// Batch mode: idle appenders (the others are at commit threads).
    var spareAppenders: [LogAppender] = []
    /// Streamed large records. Inline modes: the same object as `appender`. Batch mode: a third
    /// appender committed inline (large bodies are rare; their msync blocks this loop briefly).
    let streamAppender: LogAppender
    /// Batch mode only: threads that commit staged batches off the loop thread. Two, so a new
    /// batch can start syncing while the previous one still is: a message then waits for about
    /// one sync instead of one and a half.
    let commitThreads: [CommitThread]
    /// Batch mode: the ticket of the batch now being staged; the last ticket known durable; the
    /// batch at the commit thread.
    var stagingTicket: UInt64 = 1
    var durableTicket: UInt64 = 0
    /// Batches at the commit threads, in ticket order.
    var inFlight: [InFlightBatch] = []
    /// Messages and body bytes staged and not yet handed to a commit.
    var stagedMessages = 0
    var stagedBytes = 0
    /// Accepted responses this pass that wait for the pass's inline commit.
    var inlineAcceptedThisPass = 0
    var largeFinishedThisPass = 0
    /// The ticket the last stored message waits for (0: the pass's inline commit).
    var lastStoreTicket: UInt64 = 0
    /// Connections whose next response waits for a commit thread's ticket.
    var waiting: [Int32] = []
    let counters: WorkerCounters
    let responses = ResponseTable()
    let badInputLines = RateLimiter(perSecond: 10)
    private let summary = LoadSummary()

    private(set) var listener: FileDescriptor?
    static let listenerToken: UInt64 = .max - 1

    /// Connections by descriptor number (the epoll token), so a ready event is an array index.
    var connections: [Connection?] = []
    private var pool: [Connection] = []
    var openCount = 0
    /// Connections with responses to write at the end of this pass.
    var dirty: [Int32] = []

    /// Input scratch shared by all of this worker's connections: one read lands here together
    /// with the connection's leftover bytes, is parsed, and whatever stays unconsumed is copied
    /// back to the connection. Idle connections therefore hold no input buffer.
    let input: UnsafeMutableRawBufferPointer
    /// Output scratch: one pass's responses for one connection, sent with one write.
    let output = OwnedBytes(capacity: 16 * 1024)

    private(set) var isFinished = false
    var draining = false
    private var drainDeadline: Int64 = 0
    private var wallNow: Int64 = 0
    private var wallNowAt: Int64 = -1
    private var lastReadinessCheck: Int64 = 0
    /// The listener was taken out of epoll after an accept error; put back at the next tick.
    private var acceptPaused = false

    init(index: Int, state: ServerState, listener: FileDescriptor) throws {
        self.index = index
        self.state = state
        self.configuration = state.configuration
        self.listener = listener
        let shortest = min(configuration.requestTimeoutNanoseconds, configuration.idleTimeoutNanoseconds)
        let tick = max(10, min(250, Int(shortest / 4_000_000)))
        loop = try EventLoop(maxEventsPerWait: 1024, tickIntervalMilliseconds: tick)
        appender = state.log.makeAppender()
        if configuration.logOptions.sync == .batch {
            spareAppenders = [state.log.makeAppender(), state.log.makeAppender()]
            streamAppender = state.log.makeAppender()
            let (ownLoop, hook) = (loop, state.stallHookFile)
            commitThreads = try (0..<2).map { n in
                try CommitThread(loop: ownLoop, name: "ingest-c\(index)-\(n)", stallHookFile: hook)
            }
        } else {
            streamAppender = appender
            commitThreads = []
        }
        counters = state.counters[index]
        input = .allocate(byteCount: configuration.limits.maxHeaderBytes + 256 * 1024, alignment: 64)
        dirty.reserveCapacity(1024)
        try loop.epoll.add(listener, interest: .readable, token: Worker.listenerToken)
    }

    deinit { input.deallocate() }

    /// Runs the loop until shutdown has drained every connection.
    func run() {
        do {
            try loop.run(self)
        } catch {
            state.operatorLog.error("worker_failed", [("worker", "\(index)"), ("error", "\(error)")])
        }
        if let listener { listener.close(); self.listener = nil }
        if !commitThreads.isEmpty {
            // Everything staged is committed before the process exits, acknowledged or not.
            while !inFlight.isEmpty {
                takeCommitCompletion(now: Clock.monotonicNanoseconds())
                if !inFlight.isEmpty { usleep(1000) }
            }
            for thread in commitThreads { thread.stop() }
            if stagedMessages > 0 { _ = try? appender.commit() }
        }
    }

    /// Asks the worker to stop accepting and drain. Any thread.
    func requestStop() { loop.wake() }

    /// Wall-clock time, read at most once per loop pass.
    func wallClock(_ now: Int64) -> Int64 {
        if now != wallNowAt {
            wallNow = Clock.wallNanoseconds()
            wallNowAt = now
        }
        return wallNow
    }

    // MARK: LoopDriver

    func handle(token: UInt64, events: EpollInterest, now: Int64) {
        if token == Worker.listenerToken {
            acceptConnections(now: now)
            return
        }
        let fd = Int(token)
        guard fd < connections.count, let connection = connections[fd] else { return }
        if events.contains(.writable) && connection.awaitingWritable {
            writeUnsent(connection, now: now)
        }
        if !events.intersection([.readable, .hangUp, .error, .peerClosed]).isEmpty, connections[fd] === connection {
            readAndProcess(connection, now: now)
        }
    }

    func woken(now: Int64) {
        takeCommitCompletion(now: now)
        guard state.stopping.load(ordering: .acquiring), !draining else { return }
        draining = true
        drainDeadline = now + max(configuration.requestTimeoutNanoseconds, 1_000_000_000)
        if let listener {
            try? loop.epoll.remove(listener)
            listener.close()
            self.listener = nil
        }
        sweep(now: now)
    }

    func tick(now: Int64) {
        if index == 0 && now - lastReadinessCheck >= 1_000_000_000 {
            lastReadinessCheck = now
            ReadinessCheck.update(state)
        }
        if index == 0 { summary.emitIfDue(state, now: now) }
        if acceptPaused, let listener, !draining {
            acceptPaused = false
            try? loop.epoll.add(listener, interest: .readable, token: Worker.listenerToken)
        }
        sweep(now: now)
        let suppressed = badInputLines.takeSuppressed()
        if suppressed > 0 {
            state.operatorLog.warn("bad_requests_suppressed", [("worker", "\(index)"), ("lines", "\(suppressed)")])
        }
    }

    /// Applies timeouts, and during shutdown closes connections that have nothing in flight.
    private func sweep(now: Int64) {
        let requestTimeout = configuration.requestTimeoutNanoseconds
        let idleTimeout = configuration.idleTimeoutNanoseconds
        for fd in 0..<connections.count {
            guard let connection = connections[fd] else { continue }
            if connection.isLingering {
                if now >= connection.lingerUntil || draining { close(connection, now: now) }
                continue
            }
            if connection.awaitingWritable {
                if now - connection.lastActivity > idleTimeout || (draining && now > drainDeadline) {
                    close(connection, now: now)
                }
                continue
            }
            if connection.hasPartialRequest {
                let since = connection.parser.isInBody ? connection.lastActivity : connection.partialSince
                if now - since > requestTimeout || (draining && now > drainDeadline) {
                    abortRequest(connection)
                    counters.add(.requestTimeout)
                    noteBadInput(connection, "request_timeout", status: 408, reason: "partial request stalled", now: now)
                    connection.framing = .close
                    respond(connection, .requestTimeout)
                    connection.closeAfterFlush = true
                }
            } else if connection.pending.isEmpty {
                if draining || now - connection.lastActivity > idleTimeout {
                    close(connection, now: now)
                }
            }
        }
        if draining && openCount == 0 && inFlight.isEmpty { isFinished = true }
    }

    // MARK: Accepting

    private func acceptConnections(now: Int64) {
        guard let listener else { return }
        for _ in 0..<256 {
            let accepted: (FileDescriptor, SocketAddress)?
            do {
                accepted = try Socket.accept(listener)
            } catch {
                if badInputLines.allow(now: now) {
                    state.operatorLog.warn("accept_failed", [("worker", "\(index)"), ("error", "\(error)")])
                }
                // Out of descriptors (EMFILE/ENFILE) or memory: the listener stays readable
                // (level-triggered), so stop watching it until the next tick instead of spinning.
                try? loop.epoll.remove(listener)
                acceptPaused = true
                return
            }
            guard let (descriptor, peer) = accepted else { return }
            let total = state.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
            if total > configuration.maxConnections {
                state.openConnections.wrappingSubtract(1, ordering: .relaxed)
                descriptor.close()
                counters.add(.connectionsRejected)
                if badInputLines.allow(now: now) {
                    state.operatorLog.warn("connection_refused", [("reason", "max-connections reached"),
                                                                  ("limit", "\(configuration.maxConnections)")])
                }
                continue
            }
            try? Socket.setNoDelay(descriptor)
            let connection = pool.popLast() ?? Connection(limits: configuration.limits, keys: configuration.keys)
            connection.open(descriptor: descriptor, peer: peer, now: now)
            let fd = Int(descriptor.rawValue)
            if fd >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: fd + 1 - connections.count + 64))
            }
            do {
                try loop.epoll.add(descriptor, interest: [.readable, .peerClosed], token: UInt64(fd))
            } catch {
                descriptor.close()
                state.openConnections.wrappingSubtract(1, ordering: .relaxed)
                pool.append(connection)
                continue
            }
            connections[fd] = connection
            openCount += 1
            counters.add(.connectionsAccepted)
            counters.set(.connectionsOpen, openCount)
        }
    }

    /// Closes the socket and returns the connection to the pool. Any request in flight is
    /// abandoned: a streamed large record is voided, so nothing unacknowledged becomes trusted.
    func close(_ connection: Connection, now: Int64) {
        abortRequest(connection)
        let fd = Int(connection.descriptor.rawValue)
        connection.descriptor.close()
        connections[fd] = nil
        openCount -= 1
        counters.set(.connectionsOpen, openCount)
        state.openConnections.wrappingSubtract(1, ordering: .relaxed)
        connection.trimForPool()
        if pool.count < 4096 { pool.append(connection) }
        if draining && openCount == 0 && inFlight.isEmpty { isFinished = true }
    }

    /// Logs one line about a rejected request, within the per-second line budget.
    func noteBadInput(_ connection: Connection, _ event: String, status: Int, reason: String, now: Int64) {
        guard badInputLines.allow(now: now) else { return }
        state.operatorLog.warn(event, [("status", "\(status)"), ("reason", reason),
                                       ("peer", connection.peer.description), ("worker", "\(index)")])
    }
}

/// A batch handed to a commit thread.
struct InFlightBatch {
    let appender: LogAppender
    let thread: CommitThread
    let ticket: UInt64
    let count: Int
    let submittedAt: Int64
    /// Set when its thread reported; the batch counts as durable only once every earlier
    /// ticket is durable too (acknowledgements stay in order).
    var finished = false
    var error: (any Error)?
}
