/// Why a NATS operation failed, in words an operator can act on. Never contains credentials.
public enum NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No server in the list accepted a connection (each entry: "host:port: reason").
    case unreachable([String])
    /// The server refused the credentials (`-ERR 'Authorization Violation'` and similar).
    case authorization(server: String, message: String)
    /// Any other `-ERR` from the server.
    case server(String)
    /// The server sent bytes that are not the protocol.
    case protocolViolation(String)
    /// A request got no reply in time.
    case timeout(String)
    /// A request went to a subject nobody listens on (status 503).
    case noResponders(String)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .unreachable(let reasons): return "no NATS server reachable (" + reasons.joined(separator: "; ") + ")"
        case .authorization(let server, let message): return "authorization failed at \(server): \(message)"
        case .server(let message): return "server error: \(message)"
        case .protocolViolation(let message): return "protocol violation: \(message)"
        case .timeout(let what): return "timed out: \(what)"
        case .noResponders(let subject): return "no responders for \(subject) (nothing listens on this subject)"
        case .closed: return "client closed"
        }
    }

    /// Server errors that mean the credentials are wrong (reconnecting will not help).
    static func isAuthorizationMessage(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("authorization") || lower.contains("authentication")
    }
}
