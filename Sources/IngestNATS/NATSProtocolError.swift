/// Bytes from the server that are not the NATS client protocol. The connection cannot be
/// trusted after one: the client drops it and reconnects.
public enum NATSProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A control line longer than `NATSProtocolParser.maximumControlLine` without its CRLF.
    case controlLineTooLong
    /// An operation name the protocol does not have.
    case unknownOperation
    /// `MSG`/`HMSG` arguments that do not parse (count, numbers, header length > total).
    case malformedArguments
    /// A payload larger than the parser's limit.
    case payloadTooLarge(Int)
    /// The bytes after a payload were not CRLF.
    case missingPayloadTerminator
    /// A header block that does not start with `NATS/1.0`.
    case malformedHeaders

    public var description: String {
        switch self {
        case .controlLineTooLong: return "control line too long"
        case .unknownOperation: return "unknown protocol operation"
        case .malformedArguments: return "malformed MSG/HMSG arguments"
        case .payloadTooLarge(let n): return "payload of \(n) bytes over the limit"
        case .missingPayloadTerminator: return "payload not followed by CRLF"
        case .malformedHeaders: return "header block does not start with NATS/1.0"
        }
    }
}
