#if canImport(Glibc)
import Glibc
#endif
import IngestHMAC
import IngestHTTP
import IngestLog
import IngestLoop
import IngestSystem
import IngestTLS

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
    /// This worker's way into the log: small messages are staged into it during a pass and
    /// committed at the pass's end; large ones stream into it as they arrive.
    let appender: LogAppender
    /// `--sync batch`: the server's shared group commit (nil for `none` and `interval`).
    let groupSync: GroupSync?
    /// The highest group-sync ticket this worker has seen durable.
    var durableTicket: UInt64 = 0
    /// Group-sync failures already applied (compared with `GroupSync.failureCount`).
    var seenFailures = 0
    /// Published-but-not-yet-durable commits of this worker, oldest first:
    /// (ticket, records, body bytes, monotonic time published).
    var unsynced: [(ticket: UInt64, records: Int, bytes: Int, publishedAt: Int64)] = []
    var unsyncedBytes = 0
    /// Body bytes staged this pass (counted against `--max-unsynced-bytes`).
    var stagedBytes = 0
    /// Accepted responses this pass that wait for the pass's commit.
    var inlineAcceptedThisPass = 0
    /// Connections whose next response waits for a group-sync ticket.
    var waiting: [Int32] = []
    let counters: WorkerCounters
    /// The credentials this worker checks webhooks against (see WorkerCredentials).
    let credentialBinding: WorkerCredentials
    let responses = ResponseTable()
    let badInputLines = RateLimiter(perSecond: 10)
    private let summary = LoadSummary()

    private(set) var listener: FileDescriptor?
    static let listenerToken: UInt64 = .max - 1
    /// `--plain-port`: this worker's plain listener for health checks and metrics (TLS servers).
    private(set) var operationsListener: FileDescriptor?
    static let operationsListenerToken: UInt64 = .max - 2

    /// TLS (see Worker+TLS): the context new connections get, its generation, the counters.
    var tlsContext: TLSServerContext?
    var tlsGeneration = -1
    var openTLSConnections = 0
    let transport: TransportCounters
    /// TLS connections whose input libssl already holds, read again next pass (and a spare list).
    var deferredReads: [Int32] = []
    var deferredScratch: [Int32] = []

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
    /// The configured webhook path's bytes, copied once (compared with `memcmp` per request).
    let webhookPath: UnsafeMutableRawBufferPointer
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

    init(index: Int, state: ServerState, listener: FileDescriptor, operationsListener: FileDescriptor? = nil) throws {
        self.index = index
        self.state = state
        self.configuration = state.configuration
        self.listener = listener
        self.operationsListener = operationsListener
        transport = state.transport[index]
        var shortest = min(configuration.requestTimeoutNanoseconds, configuration.idleTimeoutNanoseconds)
        if state.tls != nil { shortest = min(shortest, configuration.tlsHandshakeTimeoutNanoseconds) }
        let tick = max(10, min(250, Int(shortest / 4_000_000)))
        loop = try EventLoop(maxEventsPerWait: 1024, tickIntervalMilliseconds: tick)
        groupSync = state.groupSync
        appender = state.log.makeAppender(deferringSync: state.groupSync != nil)
        counters = state.counters[index]
        credentialBinding = WorkerCredentials(store: state.credentialStore, counters: state.credentialCounters[index])
        input = .allocate(byteCount: configuration.limits.maxHeaderBytes + 256 * 1024, alignment: 64)
        let pathBytes = Array(configuration.webhookPath.utf8)
        precondition(!pathBytes.isEmpty, "the webhook path is validated to start with '/'")
        webhookPath = .allocate(byteCount: pathBytes.count, alignment: 1)
        pathBytes.withUnsafeBytes { webhookPath.copyMemory(from: $0) }
        dirty.reserveCapacity(1024)
        try loop.epoll.add(listener, interest: .readable, token: Worker.listenerToken)
        if let operationsListener {
            try loop.epoll.add(operationsListener, interest: .readable, token: Worker.operationsListenerToken)
        }
    }

    deinit {
        input.deallocate()
        webhookPath.deallocate()
    }

    /// Runs the loop until shutdown has drained every connection.
    func run() {
        do {
            try loop.run(self)
        } catch {
            state.operatorLog.error("worker_failed", [("worker", "\(index)"), ("error", "\(error)")])
        }
        if let listener { listener.close(); self.listener = nil }
        if let operationsListener { operationsListener.close(); self.operationsListener = nil }
        if index == 0 { summary.emitIfDue(state, now: .max) }   // the last partial second
    }

    /// Asks the worker to stop accepting and drain. Any thread.
    func requestStop() { loop.wake() }

    /// Wall-clock time, read at most once per loop pass.
    func wallClock(_ now: Int64) -> Int64 {
        if now != wallNowAt {
            wallNow = Clock.wallNanoseconds() &+ configuration.testClockOffsetNanoseconds
            wallNowAt = now
        }
        return wallNow
    }

    // MARK: LoopDriver

    func handle(token: UInt64, events: EpollInterest, now: Int64) {
        if token == Worker.listenerToken || token == Worker.operationsListenerToken {
            acceptConnections(operationsOnly: token == Worker.operationsListenerToken, now: now)
            return
        }
        let fd = Int(token)
        guard fd < connections.count, let connection = connections[fd] else { return }
        if connection.handshakeDeadline != 0 {
            continueHandshake(connection, now: now)
            return
        }
        if events.contains(.writable) && connection.awaitingWritable {
            writeUnsent(connection, now: now)
        }
        if !events.intersection([.readable, .hangUp, .error, .peerClosed]).isEmpty, connections[fd] === connection {
            readAndProcess(connection, now: now)
        }
    }

    func woken(now: Int64) {
        takeDurable(now: now, leading: true)
        guard state.stopping.load(ordering: .acquiring), !draining else { return }
        draining = true
        drainDeadline = now + max(configuration.requestTimeoutNanoseconds, 1_000_000_000)
        if let listener {
            try? loop.epoll.remove(listener)
            listener.close()
            self.listener = nil
        }
        if let operationsListener {
            try? loop.epoll.remove(operationsListener)
            operationsListener.close()
            self.operationsListener = nil
        }
        sweep(now: now)
    }

    func tick(now: Int64) {
        if index == 0 && now - lastReadinessCheck >= 1_000_000_000 {
            lastReadinessCheck = now
            ReadinessCheck.update(state)
        }
        if index == 0 { summary.emitIfDue(state, now: now) }
        if index == 0 { state.tls?.ticketKeys.rotateIfDue() }
        if acceptPaused, !draining {
            acceptPaused = false
            // Either may still be registered (only the one that failed was removed).
            if let listener { try? loop.epoll.add(listener, interest: .readable, token: Worker.listenerToken) }
            if let operationsListener {
                try? loop.epoll.add(operationsListener, interest: .readable, token: Worker.operationsListenerToken)
            }
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
            if connection.handshakeDeadline != 0 {
                if now >= connection.handshakeDeadline {
                    handshakeFailed(connection, .timeout, now: now)
                } else if draining {
                    close(connection, now: now)   // nothing was received yet: a shutdown does not wait
                }
                continue
            }
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
        if draining && openCount == 0 { isFinished = true }
    }

    // MARK: Accepting

    /// Accepts from the main listener (TLS when configured) or the plain operations listener.
    private func acceptConnections(operationsOnly: Bool, now: Int64) {
        guard let listener = operationsOnly ? operationsListener : listener else { return }
        let secure = !operationsOnly && state.tls != nil
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
            connection.operationsOnly = operationsOnly
            if secure {
                guard beginTLS(connection, now: now) else {
                    descriptor.close()
                    state.openConnections.wrappingSubtract(1, ordering: .relaxed)
                    pool.append(connection)
                    continue
                }
            } else {
                transport.add(.plain)
            }
            let fd = Int(descriptor.rawValue)
            if fd >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: fd + 1 - connections.count + 64))
            }
            do {
                try loop.epoll.add(descriptor, interest: [.readable, .peerClosed], token: UInt64(fd))
            } catch {
                connection.tls?.free()
                connection.tls = nil
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
        releaseTLS(connection)
        let fd = Int(connection.descriptor.rawValue)
        connection.descriptor.close()
        connections[fd] = nil
        openCount -= 1
        counters.set(.connectionsOpen, openCount)
        state.openConnections.wrappingSubtract(1, ordering: .relaxed)
        connection.trimForPool()
        if pool.count < 4096 { pool.append(connection) }
        if draining && openCount == 0 { isFinished = true }
    }

    /// Logs one line about a rejected request, within the per-second line budget.
    func noteBadInput(_ connection: Connection, _ event: String, status: Int, reason: String, now: Int64) {
        guard badInputLines.allow(now: now) else { return }
        state.operatorLog.warn(event, [("status", "\(status)"), ("reason", reason),
                                       ("peer", connection.peer.description), ("worker", "\(index)")])
    }
}

