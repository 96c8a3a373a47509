import IngestJSON
import IngestXML

/// The first error of a body in the format it was scanned as.
public enum BodyScanError: Sendable, Equatable, CustomStringConvertible {
    case json(JSONScanError)
    case xml(XMLScanError)

    /// The stable reason name (`JSONScanError.Reason` / `XMLScanError.Reason` raw value).
    public var reasonName: String {
        switch self {
        case .json(let error): error.reason.rawValue
        case .xml(let error): error.reason.rawValue
        }
    }

    /// Byte offset in the body.
    public var offset: Int {
        switch self {
        case .json(let error): error.offset
        case .xml(let error): error.offset
        }
    }

    public var description: String {
        switch self {
        case .json(let error): error.description
        case .xml(let error): error.description
        }
    }
}

/// A connection's two body scanners and the choice between them for the current message: the
/// declared format (`Content-Type`) when there is one, else the first significant byte
/// (`BodyFormatSniffer`). Only the chosen scanner is fed; both are allocated once, with the
/// pooled connection, and reused.
///
/// Use: `begin(declared:)` at the request head, `feed(_:)` each body piece as it arrives,
/// `finish()` at the end, then `format` and `withFields(_:)`. Allocates nothing per message.
/// Thread affinity: the owning connection's worker thread (or one tool thread).
public final class BodyScanners {
    public let json = ConnectFieldScanner()
    public let xml = ConnectXMLScanner()
    // Dynamic exclusivity checks are off for these two properties, as in `ConnectFieldScanner`:
    // they cost a runtime call per access (measured ~400 instructions per message with
    // callgrind), and the contract (one thread, no re-entry from `withFields`) is what they
    // would check.
    @exclusivity(unchecked) private var sniffer = BodyFormatSniffer()
    /// The format being scanned; nil until the declared type or the first significant byte
    /// decided it.
    @exclusivity(unchecked) public private(set) var format: BodyFormat?

    public init() {}

    /// Starts a message; `declared` is the format its `Content-Type` names, if any.
    public func begin(declared: BodyFormat?) {
        sniffer.reset()
        format = nil
        if let declared { choose(declared) }
    }

    /// The next piece of the body.
    @inline(__always)
    public func feed(_ piece: UnsafeRawBufferPointer) {
        switch format {
        case .json: json.feed(piece)
        case .xml: xml.feed(piece)
        case nil: sniff(piece)
        }
    }

    /// No format yet: look for the deciding byte, then hand the chosen scanner what came before
    /// it (replayed) and the rest of the piece.
    @inline(never)
    private func sniff(_ piece: UnsafeRawBufferPointer) {
        guard let index = sniffer.scan(piece), let decision = sniffer.decision else { return }
        choose(decision)
        sniffer.replay { feed($0) }
        feed(UnsafeRawBufferPointer(rebasing: piece[index...]))
    }

    /// Ends the message: nil when the body was well-formed in its format, else the first error.
    @inline(__always)
    public func finish() -> BodyScanError? {
        if format == nil { decideAtEnd() }
        switch format {
        case .xml: return xml.finish().map { .xml($0) }
        default: return json.finish().map { .json($0) }
        }
    }

    /// The body held nothing but white space and a BOM: JSON, which reports it incomplete.
    @inline(never)
    private func decideAtEnd() {
        sniffer.decideAtEnd()
        choose(.json)
        sniffer.replay { feed($0) }
    }

    private func choose(_ chosen: BodyFormat) {
        format = chosen
        switch chosen {
        case .json: json.reset()
        case .xml: xml.reset()
        }
    }

    /// The fields of the chosen scanner in `ConnectFieldScanner.withFields` order (event,
    /// configurationId, envelopeId, generatedDateTime; configurationId is nil for XML), with its
    /// lifetime rules: the pointers are valid only inside `body`.
    @inline(__always)
    public func withFields<R>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) -> R
    ) -> R {
        format == .xml ? xml.withFields(body) : json.withFields(body)
    }
}
