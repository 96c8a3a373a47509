import IngestSystem

/// Request/reply over the client's inbox: the JetStream API, and consumer deliveries for tests
/// and tools. Requests are written between publish frames and sent again after a reconnect until
/// their first reply arrives.
extension NATSClient {
    /// Sends a request whose replies come to `_INBOX.<random>.r<id>`; returns the id. The request
    /// is sent again after a reconnect until a reply arrives. Collect replies with `takeReplies`.
    ///
    /// With `ownSubscription`, the replies come to `_INBOX.<random>_s.<id>` through a
    /// subscription of their own (sid = id + 2^32): JetStream consumer deliveries keep the
    /// stream's subject in MSG, so only the subscription id tells which request they answer.
    @discardableResult
    public func sendRequest(subject: String, payload: [UInt8], headers: [UInt8] = [], ownSubscription: Bool = false) -> UInt64 {
        let id = nextRequestID
        nextRequestID += 1
        let replyTo = ownSubscription ? inboxPrefix + Array("_s.\(id)".utf8) : inboxPrefix + Array(".r\(id)".utf8)
        var frame: [UInt8] = []
        if ownSubscription {
            frame += Array("SUB ".utf8) + replyTo + Array(" \(id + Self.ownSubscriptionBase)\r\n".utf8)
            ownSubscriptions.insert(id)
        }
        frame += Array((headers.isEmpty ? "PUB " : "HPUB ").utf8) + Array(subject.utf8) + [0x20] + replyTo + [0x20]
        if !headers.isEmpty { frame += Array("\(headers.count) ".utf8) }
        frame += Array("\(headers.count + payload.count)\r\n".utf8) + headers + payload + [13, 10]
        pendingRequests[id] = frame
        openRequests.insert(id)
        control.append(frame)
        return id
    }

    static let ownSubscriptionBase: UInt64 = 1 << 32

    /// The replies received so far for request `id`, removed from the client.
    public func takeReplies(_ id: UInt64) -> [NATSMessage] {
        replies.removeValue(forKey: id) ?? []
    }

    /// Forgets request `id`: it is not resent, and late replies are dropped.
    public func cancelRequest(_ id: UInt64) {
        pendingRequests[id] = nil
        openRequests.remove(id)
        replies[id] = nil
        if ownSubscriptions.remove(id) != nil {
            control.append("UNSUB ")
            control.append(decimal: id + Self.ownSubscriptionBase)
            control.append("\r\n")
        }
    }

    /// Sends a request and waits for its first reply. Throws `.noResponders` for status 503,
    /// `.timeout` when no reply comes in time.
    public func request(subject: String, payload: [UInt8], headers: [UInt8] = [],
                        timeoutMilliseconds: Int = 5000) throws(NATSError) -> NATSMessage {
        if closed { throw .closed }
        let id = sendRequest(subject: subject, payload: payload, headers: headers)
        defer { cancelRequest(id) }
        let deadline = Clock.monotonicNanoseconds() + Int64(timeoutMilliseconds) * 1_000_000
        while true {
            if let reply = replies[id]?.first {
                if reply.status == 503 { throw .noResponders(subject) }
                return reply
            }
            let left = (deadline - Clock.monotonicNanoseconds()) / 1_000_000
            if left <= 0 { throw .timeout("no reply to \(subject) within \(timeoutMilliseconds) ms") }
            poll(timeoutMilliseconds: Int(min(left, 50)))
        }
    }
}
