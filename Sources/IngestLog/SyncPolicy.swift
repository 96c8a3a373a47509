/// What "the record is in the log" means when `LogAppender.commit()` returns.
///
/// - `none`: the record is in the shared file mapping (the kernel's page cache). It survives a
///   crash or `kill -9` of the process, not a crash of the machine or a power cut.
/// - `batch`: before `commit()` returns, the pages holding the batch are written to stable
///   storage (`msync(MS_SYNC)` of exactly the batch's range, which on Linux also commits the file
///   metadata needed to read them). One sync covers every record of the batch, i.e. every
///   connection that finished in the same event-loop pass; concurrent syncs from several workers
///   join the same file-system journal commit in the kernel.
/// - `interval(milliseconds:)`: `commit()` returns once the records are in the page cache, and a
///   background thread writes the log to stable storage every `milliseconds`. A machine crash
///   loses at most that window of acknowledged records.
public enum SyncPolicy: Sendable, Equatable, CustomStringConvertible {
    case none
    case batch
    case interval(milliseconds: Int)

    /// Parses a command-line value: `none`, `batch` or `interval=MS` (MS >= 1).
    public init?(flag: String) {
        switch flag {
        case "none": self = .none
        case "batch": self = .batch
        default:
            guard flag.hasPrefix("interval="), let ms = Int(flag.dropFirst("interval=".count)), ms >= 1 else { return nil }
            self = .interval(milliseconds: ms)
        }
    }

    /// The command-line spelling.
    public var description: String {
        switch self {
        case .none: return "none"
        case .batch: return "batch"
        case .interval(let ms): return "interval=\(ms)"
        }
    }
}
