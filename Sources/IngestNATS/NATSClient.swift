#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// A NATS client for one thread, driven by `poll`: publishes are pipelined into a bounded
/// window and acknowledged through one wildcard inbox subscription (`_INBOX.<random>.*`, the
/// last token naming the publish); requests (the JetStream API) use the same inbox.
///
/// Delivery rule: a publish stays in the window, frame bytes and all, until its acknowledgement
/// arrives. After a reconnect, and after any failed publish (no responders, an error reply, no
/// acknowledgement within the timeout), the client stops writing new frames, waits a backoff
/// delay, writes the oldest unacknowledged frame alone, and resumes pipelining from it, in
/// order, once that one is acknowledged. Publishing one frame alone first keeps a stream from
/// storing later messages before an earlier one while its leader changes.
///
/// Nothing is allocated per publish: frames are encoded into a reused byte queue; the reply
/// token is a decimal counter. Foundation is used only for INFO and CONNECT (once per connection).
public final class NATSClient {
    public let options: NATSClientOptions
    public private(set) var servers: [NATSServerAddress]
    /// The INFO of the current (or last) connection.
    public private(set) var serverInfo: NATSServerInfo?
    public private(set) var connectedServer: NATSServerAddress?
    /// Successful connections after the first.
    public private(set) var reconnects = 0
    /// Publishes acknowledged by the server since creation (duplicates included).
    public internal(set) var acknowledgedCount: UInt64 = 0

    /// Events for the operator's log.
    public var eventHandler: ((NATSClientEvent) -> Void)?
    /// Called once per acknowledged publish with its context and whether the stream reported it
    /// as a duplicate.
    public var acknowledgementHandler: ((_ context: UInt64, _ duplicate: Bool) -> Void)?

    enum Mode: Equatable {
        case normal
        /// After a failed publish: no frames are written until `until` (monotonic ns).
        case waiting(until: Int64)
        /// Only the front frame (token) is written; pipelining resumes when it is acknowledged.
        case probing(UInt64)
    }

    let inboxPrefix: [UInt8]
    let expectedStreamBytes: [UInt8]?
    private var credentials: NATSCredentials
    var socket: FileDescriptor?
    let receive = ByteQueue(capacity: 256 << 10)
    let control = ByteQueue(capacity: 4096)
    var controlInProgress = false
    let window: PublishWindow
    var parser = NATSProtocolParser()
    var mode = Mode.normal
    var recoveryFailures = 0
    private var nextServerIndex = 0
    private var connectFailures = 0
    private var nextConnectAt: Int64 = 0
    private(set) var pingSentAt: Int64 = 0
    private(set) var pingsOutstanding = 0
    var nextRequestID: UInt64 = 1
    /// Requests not yet answered: their frames, written again after a reconnect.
    var pendingRequests: [UInt64: [UInt8]] = [:]
    /// Requests whose replies are still wanted (until `cancelRequest`).
    var openRequests = Set<UInt64>()
    /// Requests with a subscription of their own (see `sendRequest`).
    var ownSubscriptions = Set<UInt64>()
    var replies: [UInt64: [NATSMessage]] = [:]
    private var hasConnected = false
    private(set) var closed = false
    /// An `-ERR` naming authorization on the current handshake or connection.
    var lastAuthorizationError: String?

    public init(options: NATSClientOptions) {
        self.options = options
        servers = options.servers
        credentials = options.credentials
        if credentials == .none, let withUser = options.servers.first(where: { $0.user != nil }), let user = withUser.user {
            credentials = withUser.password.map { .userPassword(user: user, password: $0) } ?? .token(user)
        }
        expectedStreamBytes = options.expectedStream.map { Array($0.utf8) }
        window = PublishWindow(maximumEntries: options.maximumInFlight, initialBytes: 1 << 20)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var generator = SystemRandomNumberGenerator()
        inboxPrefix = Array("_INBOX.".utf8) + (0..<22).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
    }

    deinit { socket?.close() }

    public var isConnected: Bool { socket != nil }
    public var inFlightCount: Int { window.count }
    /// Payload bytes of the publishes in flight.
    public var inFlightPayloadBytes: Int { window.payloadBytes }
    public var canPublish: Bool { !window.isFull && window.frames.count < options.maximumInFlightBytes }
    /// The context of the oldest publish not yet acknowledged (the shipper's checkpoint).
    public var oldestUnacknowledgedContext: UInt64? {
        for index in 0..<window.count where !window.entry(at: index).acknowledged { return window.entry(at: index).context }
        return nil
    }
    /// True while publishing is paused after a failure (until a republished frame is acknowledged).
    public var isRecovering: Bool { mode != .normal }

    // MARK: Connecting

    /// Connects to the first server in the list that accepts the handshake, trying each once.
    /// Throws `.authorization` if a server refused the credentials, else `.unreachable`.
    public func connect() throws(NATSError) {
        if closed { throw .closed }
        var reasons: [String] = []
        var authorization: NATSError?
        for _ in 0..<servers.count {
            let server = servers[nextServerIndex % servers.count]
            nextServerIndex += 1
            do {
                try attempt(server)
                return
            } catch {
                if case .authorization = error { authorization = error }
                reasons.append(Self.reason(error, server))
            }
        }
        throw authorization ?? .unreachable(reasons)
    }

    static func reason(_ error: NATSError, _ server: NATSServerAddress) -> String {
        switch error {
        case .unreachable(let r): return r.joined(separator: "; ")
        default: return "\(server): \(error)"
        }
    }

    /// One connection attempt with the handshake: INFO, CONNECT + PING, then PONG (or -ERR).
    private func attempt(_ server: NATSServerAddress) throws(NATSError) {
        let deadline = Clock.monotonicNanoseconds() + Int64(options.connectTimeoutMilliseconds) * 1_000_000
        guard let address = HostResolver.resolve(server) else { throw .unreachable(["\(server): cannot resolve host"]) }
        let fd: FileDescriptor
        do { fd = try Socket.connect(to: address) } catch { throw .unreachable(["\(server): \(error)"]) }
        var connected = false
        defer { if !connected { fd.close() } }
        guard Self.wait(fd, events: Int16(POLLOUT), deadline: deadline) else { throw .unreachable(["\(server): connect timed out"]) }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd.rawValue, SOL_SOCKET, SO_ERROR, &socketError, &length)
        if socketError != 0 { throw .unreachable(["\(server): \(Errno(rawValue: socketError))"]) }
        try? Socket.setNoDelay(fd)
        receive.removeAll()
        lastAuthorizationError = nil

        var info: NATSServerInfo?
        var pong = false
        var connectSent = false
        while !pong {
            guard let operation = try handshakeOperation(fd, server: server, deadline: deadline) else {
                throw .unreachable(["\(server): closed during the handshake"])
            }
            switch operation {
            case .info(let parsed):
                if info == nil {
                    guard let parsed else { throw .protocolViolation("\(server): INFO is not a JSON object") }
                    info = parsed
                    var line = NATSConnectLine.make(credentials: credentials, name: options.name, version: "1")
                    line += Array("PING\r\n".utf8)
                    guard Self.writeAll(fd, line, deadline: deadline) else { throw .unreachable(["\(server): write failed during the handshake"]) }
                    connectSent = true
                } else if let parsed {
                    info = parsed
                }
            case .ping:
                guard Self.writeAll(fd, Array("PONG\r\n".utf8), deadline: deadline) else { throw .unreachable(["\(server): write failed"]) }
            case .pong:
                pong = connectSent
            case .error(let text):
                if NATSError.isAuthorizationMessage(text) { throw .authorization(server: server.description, message: text) }
                throw .server("\(server): \(text)")
            case .other:
                break
            }
        }
        connected = true
        established(fd, server: server, info: info!)
    }

    private enum HandshakeOperation { case info(NATSServerInfo?), ping, pong, error(String), other }

    /// The next operation during the handshake (blocking until `deadline`); nil at end of stream.
    private func handshakeOperation(_ fd: FileDescriptor, server: NATSServerAddress,
                                    deadline: Int64) throws(NATSError) -> HandshakeOperation? {
        while true {
            let parsed: (NATSServerOperation, Int)?
            do { parsed = try parser.parse(receive.readable) } catch { throw .protocolViolation("\(server): \(error)") }
            if let (operation, used) = parsed {
                let bytes = receive.readable
                let result: HandshakeOperation
                switch operation {
                case .info(let json): result = .info(NATSServerInfo(json: UnsafeRawBufferPointer(rebasing: bytes[json])))
                case .ping: result = .ping
                case .pong: result = .pong
                case .error(let text): result = .error(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[text]), as: UTF8.self))
                case .ok, .message: result = .other
                }
                receive.consume(used)
                return result
            }
            guard Self.wait(fd, events: Int16(POLLIN), deadline: deadline) else { throw .unreachable(["\(server): handshake timed out"]) }
            receive.reserve(64 << 10)
            let n: Int?
            do { n = try fd.read(into: receive.writableTail()) } catch { throw .unreachable(["\(server): \(error)"]) }
            guard let n else { continue }
            if n == 0 {
                if let text = lastAuthorizationError { throw .authorization(server: server.description, message: text) }
                return nil
            }
            receive.commit(n)
        }
    }

    /// A connection passed its handshake: subscribe to the inbox, resend pending requests, and
    /// republish what is unacknowledged (the front frame alone first).
    private func established(_ fd: FileDescriptor, server: NATSServerAddress, info: NATSServerInfo) {
        socket = fd
        connectedServer = server
        parser.maximumPayload = max(info.maximumPayload, 1 << 20) + 64 << 10
        learn(info)
        control.removeAll()
        controlInProgress = false
        control.append("SUB ")
        control.append(inboxPrefix)
        control.append(".* 1\r\n")
        for id in ownSubscriptions.sorted() where pendingRequests[id] == nil {
            control.append("SUB ")
            control.append(inboxPrefix)
            control.append("_s.")
            control.append(decimal: id)
            control.append(byte: 0x20)
            control.append(decimal: id + Self.ownSubscriptionBase)
            control.append("\r\n")
        }
        for id in pendingRequests.keys.sorted() { control.append(pendingRequests[id]!) }
        window.rewind()
        mode = window.isEmpty ? .normal : .probing(window.frontToken)
        pingsOutstanding = 0
        pingSentAt = Clock.monotonicNanoseconds()
        connectFailures = 0
        if hasConnected { reconnects += 1 }
        hasConnected = true
        eventHandler?(.connected(server: server.description, serverName: info.serverName))
    }

    /// Updates the INFO and adds advertised servers to the list.
    func learn(_ info: NATSServerInfo) {
        serverInfo = info
        guard options.useAdvertisedServers else { return }
        var added: [String] = []
        for url in info.connectURLs {
            guard let address = NATSServerAddress(url: url), !servers.contains(where: { $0.sameEndpoint(address) }) else { continue }
            servers.append(address)
            added.append(address.description)
        }
        if !added.isEmpty { eventHandler?(.discoveredServers(added)) }
    }

    /// Closes the connection (if any) and schedules a reconnect to the next server at once.
    func dropConnection(_ reason: String) {
        guard let fd = socket else { return }
        fd.close()
        socket = nil
        let server = connectedServer?.description ?? "?"
        connectedServer = nil
        nextConnectAt = 0
        eventHandler?(.disconnected(server: server, reason: reason))
    }

    func notePingSent(_ now: Int64) {
        pingSentAt = now
        pingsOutstanding += 1
    }

    func notePong() { pingsOutstanding = 0 }

    /// Reconnects when the backoff allows (called by `poll` while disconnected).
    func reconnectIfDue(_ now: Int64) {
        if closed || now < nextConnectAt { return }
        reconnectOnce()
    }

    /// One reconnect attempt to the next server. Every server is tried once without delay; after
    /// that, attempts are spaced by the jittered, capped backoff.
    private func reconnectOnce() {
        let server = servers[nextServerIndex % servers.count]
        nextServerIndex += 1
        do {
            try attempt(server)
        } catch {
            connectFailures += 1
            eventHandler?(.connectFailed(server: server.description, reason: Self.reason(error, server)))
            let now = Clock.monotonicNanoseconds()
            nextConnectAt = connectFailures < servers.count ? now : now + backoff(connectFailures - servers.count + 1)
        }
    }

    /// Jittered exponential backoff for the n-th consecutive failure (n >= 1), in ns.
    func backoff(_ failures: Int) -> Int64 {
        let exponent = min(max(failures - 1, 0), 20)
        let base = min(options.maximumBackoffMilliseconds, options.minimumBackoffMilliseconds << exponent)
        let jittered = Double(base) * Double.random(in: 0.5...1.0)
        return Int64(jittered * 1_000_000)
    }

    // MARK: Publishing

    /// Queues one publish. `headers` is a whole header block (`NATS/1.0\r\n...\r\n\r\n`) or empty
    /// (then a plain PUB is sent). `context` comes back with the acknowledgement.
    public func publish(subject: UnsafeRawBufferPointer, headers: UnsafeRawBufferPointer,
                        payload: UnsafeRawBufferPointer, context: UInt64) -> PublishOutcome {
        let total = headers.count + payload.count
        let limit = serverInfo?.maximumPayload ?? (1 << 20)
        if total > limit { return .tooLarge(limit: limit) }
        if window.isFull || (window.count > 0 && window.frames.count + total > options.maximumInFlightBytes) {
            return .windowFull
        }
        let frames = window.frames
        let start = frames.endOffset
        frames.reserve(subject.count + inboxPrefix.count + total + 80)
        if headers.isEmpty { frames.append("PUB ") } else { frames.append("HPUB ") }
        frames.append(subject)
        frames.append(byte: 0x20)
        frames.append(inboxPrefix)
        frames.append(byte: UInt8(ascii: "."))
        frames.append(decimal: window.nextToken)
        frames.append(byte: 0x20)
        if !headers.isEmpty {
            frames.append(decimal: UInt64(headers.count))
            frames.append(byte: 0x20)
        }
        frames.append(decimal: UInt64(total))
        frames.append("\r\n")
        frames.append(headers)
        frames.append(payload)
        frames.append("\r\n")
        window.add(start: start, context: context, payloadBytes: payload.count)
        return .queued
    }

    /// Polls until every publish is acknowledged or `timeoutMilliseconds` pass; true if all were.
    public func waitForAcknowledgements(timeoutMilliseconds: Int) -> Bool {
        let deadline = Clock.monotonicNanoseconds() + Int64(timeoutMilliseconds) * 1_000_000
        while !window.isEmpty && !closed {
            let left = (deadline - Clock.monotonicNanoseconds()) / 1_000_000
            if left <= 0 { return false }
            poll(timeoutMilliseconds: Int(min(left, 50)))
        }
        return window.isEmpty
    }

    /// Closes the connection; the client cannot be used afterwards.
    public func close() {
        if let fd = socket {
            // Best effort: pending protocol lines (an UNSUB, a PONG) go out if the socket takes them.
            if !control.isEmpty { _ = try? Socket.send(fd, control.readable) }
            fd.close()
        }
        socket = nil
        closed = true
    }

    // MARK: Small blocking helpers (handshake only)

    static func wait(_ fd: FileDescriptor, events: Int16, deadline: Int64) -> Bool {
        while true {
            let left = (deadline - Clock.monotonicNanoseconds()) / 1_000_000
            if left <= 0 { return false }
            var pfd = pollfd(fd: fd.rawValue, events: events, revents: 0)
            let ready = Glibc.poll(&pfd, 1, Int32(min(left, 1000)))
            if ready > 0 { return true }
        }
    }

    static func writeAll(_ fd: FileDescriptor, _ bytes: [UInt8], deadline: Int64) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n: Int?
            do { n = try bytes.withUnsafeBytes { raw throws(Errno) in try Socket.send(fd, UnsafeRawBufferPointer(rebasing: raw[offset...])) } } catch { return false }
            if let n { offset += n; continue }
            guard wait(fd, events: Int16(POLLOUT), deadline: deadline) else { return false }
        }
        return true
    }
}
