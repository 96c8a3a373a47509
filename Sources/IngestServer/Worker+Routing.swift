import IngestHTTP

extension Worker {
    /// Decides what the request is from its head. Spans are relative to `head`.
    func beginRequest(_ connection: Connection, head bytes: UnsafeRawBufferPointer, now: Int64) {
        let head = connection.parser.head
        connection.receivedAt = wallClock(now)
        if !head.keepAlive || draining {
            connection.framing = .close
        } else {
            connection.framing = head.version == .http10 ? .keepAliveHTTP10 : .keepAlive
        }
        connection.requestHasBody = head.isChunked || (head.contentLength ?? 0) > 0

        let path = Worker.path(of: head.target, in: bytes)
        if Worker.span(path, in: bytes, equals: configuration.webhookPath) {
            if head.method == .post {
                beginWebhook(connection, head: bytes, now: now)
            } else {
                counters.add(.methodNotAllowed)
                connection.route = .fixed(.methodNotAllowed)
            }
        } else if spanEquals(path, in: bytes, lowercase: "/healthz") {
            counters.add(.healthRequests)
            connection.route = .fixed(.healthy)
        } else if spanEquals(path, in: bytes, lowercase: "/readyz") {
            counters.add(.readyRequests)
            connection.route = .fixed(state.isReady.load(ordering: .relaxed) ? .ready : .notReady)
        } else if spanEquals(path, in: bytes, lowercase: "/metrics") {
            counters.add(.metricsRequests)
            connection.route = .metrics
        } else {
            counters.add(.notFound)
            connection.route = .fixed(.notFound)
        }

        if head.expectsContinue && connection.requestHasBody {
            if case .webhook = connection.route {
                respond(connection, .continue100)
            } else if case .fixed(let kind) = connection.route {
                // The client waits before sending its body; answer now and close, since
                // whether it then sends the body anyway is up to it.
                connection.route = .none
                connection.framing = .close
                respond(connection, kind)
                connection.closeAfterFlush = true
            }
        }
    }

    /// The request finished arriving: queue its answer.
    func finishRequest(_ connection: Connection, now: Int64) {
        switch connection.route {
        case .none:
            break
        case .fixed(let kind):
            respond(connection, kind)
        case .metrics:
            respond(connection, .metrics)
        case .webhook:
            finishWebhook(connection, now: now)
        }
        connection.route = .none
    }

    /// The path part of a request-target (up to `?`).
    static func path(of target: ByteSpan, in bytes: UnsafeRawBufferPointer) -> ByteSpan {
        let start = Int(target.offset)
        var length = 0
        while length < Int(target.length) && bytes[start + length] != UInt8(ascii: "?") { length += 1 }
        return ByteSpan(offset: target.offset, length: Int32(length))
    }

    /// Exact (case-sensitive) comparison of a span with a configured string such as the webhook path.
    static func span(_ span: ByteSpan, in bytes: UnsafeRawBufferPointer, equals text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == Int(span.length) else { return false }
            let start = Int(span.offset)
            for i in 0..<utf8.count where bytes[start + i] != utf8[i] { return false }
            return true
        }
    }
}
