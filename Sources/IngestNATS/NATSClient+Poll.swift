#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

extension NATSClient {
    /// Does the client's I/O: reconnects when disconnected, writes queued protocol and frames,
    /// reads and handles what the server sent (acknowledgements, replies, PING, INFO), checks
    /// timers. Waits at most `timeoutMilliseconds` for the socket (0: do not wait).
    public func poll(timeoutMilliseconds: Int) {
        var now = Clock.monotonicNanoseconds()
        if socket == nil {
            reconnectIfDue(now)
            guard socket != nil else {
                if timeoutMilliseconds > 0 { usleep(UInt32(min(timeoutMilliseconds, 20)) * 1000) }
                return
            }
            now = Clock.monotonicNanoseconds()
        }
        checkTimers(now)
        flushOutput(now)
        guard let fd = socket else { return }
        var events = Int16(POLLIN)
        if hasWritableOutput { events |= Int16(POLLOUT) }
        var pfd = pollfd(fd: fd.rawValue, events: events, revents: 0)
        let ready = Glibc.poll(&pfd, 1, Int32(min(max(timeoutMilliseconds, 0), 100)))
        guard ready > 0 else { return }
        if pfd.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 { readAvailable() }
        if socket != nil, pfd.revents & Int16(POLLOUT) != 0 { flushOutput(Clock.monotonicNanoseconds()) }
    }

    // MARK: Timers

    private func checkTimers(_ now: Int64) {
        switch mode {
        case .waiting(let until) where now >= until:
            window.rewind()
            mode = window.isEmpty ? .normal : .probing(window.frontToken)
        case .normal, .probing:
            if let front = window.frontEntry, !front.acknowledged, front.sentAt != 0,
               now - front.sentAt > Int64(options.acknowledgementTimeoutMilliseconds) * 1_000_000 {
                publishFailed("no acknowledgement within \(options.acknowledgementTimeoutMilliseconds) ms", token: front.token, now: now)
            }
        default:
            break
        }
        if now - pingSentAt > Int64(options.pingIntervalMilliseconds) * 1_000_000 {
            if pingsOutstanding >= options.maximumOutstandingPings {
                dropConnection("stale connection: \(pingsOutstanding) PINGs unanswered")
                return
            }
            control.append("PING\r\n")
            notePingSent(now)
        }
    }

    /// A failure for publish `token`: in normal mode, or for the frame being probed, publishing
    /// pauses for a backoff delay and restarts from the oldest unacknowledged frame. Failures of
    /// other frames while already paused are expected (they were in flight) and ignored.
    func publishFailed(_ reason: String, token: UInt64, now: Int64) {
        switch mode {
        case .normal: break
        case .probing(let probe) where probe == token: break
        default: return
        }
        recoveryFailures += 1
        mode = .waiting(until: now + backoff(recoveryFailures))
        eventHandler?(.publishFailed(reason: reason))
    }

    // MARK: Writing

    /// How far frames may be written in the current mode (a logical offset of the frame queue).
    /// A frame already begun is always finished, so protocol lines can follow it.
    private var frameLimit: Int {
        var limit: Int
        switch mode {
        case .normal:
            limit = window.frames.endOffset
        case .probing(let token):
            if let index = window.index(of: token) { limit = window.entry(at: index).end } else { limit = window.sendCursor }
        case .waiting:
            limit = window.sendCursor
        }
        if !window.atFrameBoundary, window.sentCount < window.count {
            limit = max(limit, window.entry(at: window.sentCount).end)
        }
        return limit
    }

    var hasWritableOutput: Bool { !control.isEmpty || frameLimit > window.sendCursor }

    /// Writes protocol lines (between frames only) and frames until the socket would block.
    func flushOutput(_ now: Int64) {
        while let fd = socket {
            if !control.isEmpty && (controlInProgress || window.atFrameBoundary) {
                let written: Int?
                do { written = try Socket.send(fd, control.readable) } catch { dropConnection("write failed: \(error)"); return }
                guard let written else { return }
                control.consume(written)
                controlInProgress = !control.isEmpty
                continue
            }
            guard let bytes = window.unsentBytes(limit: frameLimit) else { return }
            let written: Int?
            do { written = try Socket.send(fd, bytes) } catch { dropConnection("write failed: \(error)"); return }
            guard let written else { return }
            window.advance(by: written, now: now)
        }
    }

    // MARK: Reading

    private func readAvailable() {
        guard let fd = socket else { return }
        for _ in 0..<8 {
            receive.reserve(64 << 10)
            let n: Int?
            do { n = try fd.read(into: receive.writableTail()) } catch { dropConnection("read failed: \(error)"); return }
            guard let n else { break }
            if n == 0 {
                dropConnection(lastAuthorizationError.map { "server closed the connection: \($0)" } ?? "server closed the connection")
                return
            }
            receive.commit(n)
            if !handleReceived() { return }
        }
    }

    /// Handles every whole operation in the receive queue. False if the connection was dropped.
    private func handleReceived() -> Bool {
        let now = Clock.monotonicNanoseconds()
        while true {
            let parsed: (NATSServerOperation, Int)?
            do { parsed = try parser.parse(receive.readable) } catch {
                dropConnection("protocol violation: \(error)")
                return false
            }
            guard let (operation, used) = parsed else { return true }
            let bytes = receive.readable
            switch operation {
            case .ping: control.append("PONG\r\n")
            case .pong: notePong()
            case .ok: break
            case .info(let json):
                if let info = NATSServerInfo(json: UnsafeRawBufferPointer(rebasing: bytes[json])) { learn(info) }
            case .error(let text):
                let message = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[text]), as: UTF8.self)
                if NATSError.isAuthorizationMessage(message) { lastAuthorizationError = message }
                eventHandler?(.serverError(message))
            case .message(let delivery):
                handleDelivery(bytes, delivery, now: now)
            }
            receive.consume(used)
            if socket == nil { return false }
        }
    }

    /// An inbox delivery: `<prefix>.<digits>` acknowledges a publish, `<prefix>.r<id>` answers a request.
    private func handleDelivery(_ bytes: UnsafeRawBufferPointer, _ delivery: NATSDelivery, now: Int64) {
        if delivery.subscriptionID >= Self.ownSubscriptionBase {
            let id = delivery.subscriptionID - Self.ownSubscriptionBase
            guard openRequests.contains(id) else { return }
            replies[id, default: []].append(copy(bytes, delivery))
            pendingRequests[id] = nil
            return
        }
        let subject = delivery.subject
        let prefixLength = inboxPrefix.count
        guard subject.count > prefixLength + 1, bytes[subject.lowerBound + prefixLength] == UInt8(ascii: ".") else { return }
        let matches = inboxPrefix.withUnsafeBytes { prefix in
            memcmp(prefix.baseAddress!, bytes.baseAddress! + subject.lowerBound, prefixLength) == 0
        }
        guard matches else { return }
        let tokenRange = (subject.lowerBound + prefixLength + 1)..<subject.upperBound
        if bytes[tokenRange.lowerBound] == UInt8(ascii: "r") {
            guard let id = NATSProtocolParser.decimal(bytes, (tokenRange.lowerBound + 1)..<tokenRange.upperBound),
                  openRequests.contains(id) else { return }
            replies[id, default: []].append(copy(bytes, delivery))
            pendingRequests[id] = nil
            return
        }
        guard let token = NATSProtocolParser.decimal(bytes, tokenRange) else { return }
        switch PublishAcknowledgement.read(bytes, delivery) {
        case .stored(let duplicate, let stream):
            if let expected = expectedStreamBytes, let stream,
               !expected.withUnsafeBytes({ $0.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[stream])) }) {
                guard window.index(of: token) != nil else { return }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[stream]), as: UTF8.self)
                let subject = frameSubject(token)
                eventHandler?(.acknowledgedByOtherStream(stream: name, subject: subject))
                publishFailed("subject \(subject) was stored by stream \(name), not \(options.expectedStream ?? "?")", token: token, now: now)
                return
            }
            if let entry = window.acknowledge(token) {
                acknowledgedCount += 1
                acknowledgementHandler?(entry.context, duplicate)
            }
            if case .probing(let probe) = mode, window.index(of: probe) == nil || probe < window.frontToken {
                mode = .normal
                recoveryFailures = 0
                eventHandler?(.publishRecovered)
            }
        case .noResponders:
            guard window.index(of: token) != nil else { return }
            publishFailed("no responders: no stream listens on subject \(frameSubject(token))", token: token, now: now)
        case .failed(let code):
            guard window.index(of: token) != nil else { return }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[delivery.payload]), as: UTF8.self)
            publishFailed("publish to \(frameSubject(token)) refused (code \(code)): \(text)", token: token, now: now)
        }
    }

    /// The subject of a frame still in the window (for error messages only).
    private func frameSubject(_ token: UInt64) -> String {
        guard let index = window.index(of: token) else { return "?" }
        let entry = window.entry(at: index)
        let frame = window.frames.bytes(from: entry.start, to: entry.end)
        var start = 0
        while start < frame.count, frame[start] != 0x20 { start += 1 }
        var end = start + 1
        while end < frame.count, frame[end] != 0x20 { end += 1 }
        guard start + 1 < end else { return "?" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: frame[(start + 1)..<end]), as: UTF8.self)
    }

    private func copy(_ bytes: UnsafeRawBufferPointer, _ delivery: NATSDelivery) -> NATSMessage {
        func array(_ range: Range<Int>) -> [UInt8] { Array(UnsafeRawBufferPointer(rebasing: bytes[range])) }
        return NATSMessage(subject: array(delivery.subject), replyTo: delivery.replyTo.map(array),
                           status: delivery.headers.flatMap { NATSHeaderBlock.status(bytes, $0) },
                           headerBlock: delivery.headers.map(array), payload: array(delivery.payload))
    }
}
