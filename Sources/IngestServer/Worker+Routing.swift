#if canImport(Glibc)
import Glibc
#endif
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

        let path = pathSpan(of: head.target, in: bytes)
        if isWebhookPath(path, in: bytes) && !connection.operationsOnly {
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

    /// Exact (case-sensitive) comparison with the configured webhook path, whose bytes the
    /// worker copied once at start-up (no `String` per request).
    private func isWebhookPath(_ path: ByteSpan, in bytes: UnsafeRawBufferPointer) -> Bool {
        guard path.lowerBound >= 0, path.upperBound <= bytes.count, Int(path.length) == webhookPath.count else { return false }
        return memcmp(bytes.baseAddress! + path.lowerBound, webhookPath.baseAddress!, webhookPath.count) == 0
    }
}
