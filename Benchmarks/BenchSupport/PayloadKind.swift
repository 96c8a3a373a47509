/// Which bodies the load generator sends (`--payload`).
public enum PayloadKind: Sendable, Equatable {
    /// Bare Connect 2.0 events, ~450 bytes: the envelope's event sequence without summaries.
    case small
    /// Every event with its envelope summary (~4 KB).
    case summary
    /// A realistic SIM flood: the same event sequences, with summaries for the envelopes of the
    /// one configuration (of four) that asks for them.
    case mix
    /// `envelope-completed` with the summary and one document's base64 PDF bytes; bodies of about
    /// `documentSize` bytes.
    case documents
    /// The bytes of a file, repeated as they are (`--payload-file`).
    case file(path: String)

    public static func parse(_ text: String) -> PayloadKind? {
        switch text {
        case "small": return .small
        case "summary": return .summary
        case "mix": return .mix
        case "documents": return .documents
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .small: return "small"
        case .summary: return "summary"
        case .mix: return "mix"
        case .documents: return "documents"
        case .file(let path): return "file:\(path)"
        }
    }
}
