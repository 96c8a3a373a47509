/// How the client authenticates in CONNECT. Never printed: `description` names the kind only.
public enum NATSCredentials: Sendable, Equatable, CustomStringConvertible {
    case none
    case userPassword(user: String, password: String)
    case token(String)

    public var description: String {
        switch self {
        case .none: return "none"
        case .userPassword(let user, _): return "user \(user)"
        case .token: return "token"
        }
    }
}
