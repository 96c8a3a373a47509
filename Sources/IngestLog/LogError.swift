import IngestSystem

/// Why a log operation failed. Stable names; the server maps all of them to "not stored" (503).
public enum LogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A syscall failed (`operation` names it, `path` is the file or directory).
    case io(operation: String, path: String, errno: Int32)
    /// Another process holds the log directory's `LOCK` (a second server on the same log).
    case logInUse(directory: String)
    /// The log was closed; nothing more can be appended.
    case closed
    /// A body longer than `LogFormat.maximumBodyLength`.
    case recordTooLarge(bytes: Int)
    /// A segment file too damaged to use (its header, or its size, is wrong).
    case damagedSegment(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno):
            return "\(operation) \(path): \(Errno(rawValue: errno))"
        case .logInUse(let directory): return "log \(directory) is in use by another writer (LOCK is held)"
        case .closed: return "log is closed"
        case .recordTooLarge(let bytes): return "record of \(bytes) bytes is too large"
        case .damagedSegment(let path, let reason): return "damaged segment \(path): \(reason)"
        }
    }
}

extension LogError {
    static func io(_ operation: String, _ path: String, _ error: Errno) -> LogError {
        .io(operation: operation, path: path, errno: error.rawValue)
    }
}
