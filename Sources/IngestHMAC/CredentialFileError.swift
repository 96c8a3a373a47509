internal import Glibc

/// Why a credential source (an HMAC key file, `CONNECT_HMAC_KEYS`, a Basic authentication file)
/// could not be used. Raised at start-up only.
///
/// The description names the file and the problem but never any key or password byte, so it can
/// be printed or logged as is.
public struct CredentialFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable name for the kind of failure. A struct rather than an enum so kinds can be added
    /// without breaking callers that switch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file could not be opened or read (see ``CredentialFileError/systemError``).
        public static let unreadable = Code("unreadable")
        /// The file is larger than a credential file can plausibly be (``SmallFile/limit``).
        public static let tooLarge = Code("tooLarge")
        /// A key file holds no key (only blank lines and comments).
        public static let noKey = Code("noKey")
        /// A key file holds key lines, but every one of them is malformed (see the warnings).
        public static let noUsableKey = Code("noUsableKey")
        /// A Basic authentication file does not hold `user:password`.
        public static let noColon = Code("noColon")
    }

    /// What went wrong.
    public let code: Code
    /// The file concerned, exactly as given on the command line.
    public let path: String
    /// What the file was meant to hold, e.g. "HMAC key file".
    public let role: String
    /// The `errno` of the failed system call for ``Code/unreadable``, otherwise 0.
    public let systemError: Int32

    init(_ code: Code, path: String, role: String, systemError: Int32 = 0) {
        self.code = code
        self.path = path
        self.role = role
        self.systemError = systemError
    }

    public var description: String {
        switch code {
        case .unreadable:
            let reason = strerror(systemError).map { String(cString: $0) } ?? "errno \(systemError)"
            return "cannot read \(role) \(path): \(reason)"
        case .tooLarge:
            return "\(role) \(path) is larger than \(SmallFile.limit) bytes; is it the right file?"
        case .noKey:
            return "\(role) \(path) holds no key (only blank lines and # comments)"
        case .noUsableKey:
            return "\(role) \(path) holds no usable key: every key line is malformed (see the warnings)"
        case .noColon:
            return "\(role) \(path) does not hold user:password (no ':' found)"
        default:
            return "\(role) \(path): \(code)"
        }
    }
}

/// The name the server's configuration code uses for errors from ``SigningKeys/load(keyFiles:environmentValue:)``.
public typealias SigningKeysError = CredentialFileError
