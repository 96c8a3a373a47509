/// Why a request was refused. Every case is bad input from the peer, never a parser bug; the
/// server answers `status`, logs `reason` and closes the connection (framing can no longer be
/// trusted after any of these).
///
/// The case names and `reason` texts are stable: logs and tests match on them.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// Method, target or version text malformed, or a request line not ended by CRLF.
    case invalidRequestLine
    /// A header name with a non-token byte, whitespace before the colon, a value with a control
    /// byte, a duplicate `Host`, an empty `Transfer-Encoding`, or a line not ended by CRLF.
    case invalidHeader
    /// The head (or head + trailers) is longer than `HTTPLimits.maxHeaderBytes`.
    case headerSectionTooLarge
    /// More header (or head + trailer) lines than `HTTPLimits.maxHeaderCount`.
    case tooManyHeaders
    /// An HTTP/1.1 request without a `Host` header (RFC 9112 section 3.2).
    case missingHost
    /// `Content-Length` that is not 1*DIGIT or does not fit in `Int`.
    case invalidContentLength
    /// `Content-Length` together with `Transfer-Encoding`, two different `Content-Length`s,
    /// `chunked` applied twice, or `Transfer-Encoding` in an HTTP/1.0 request.
    case conflictingFraming
    /// A transfer coding other than `chunked` (RFC 9112 section 6.1: 501).
    case unsupportedTransferCoding
    /// A well-formed `HTTP/x.y` other than 1.0 and 1.1.
    case unsupportedVersion
    /// A chunk-size line or chunk delimiter that is malformed, too long, or overflows.
    case invalidChunk
    /// A body over `HTTPLimits.maxBodyBytes`.
    case bodyTooLarge
    /// A CR in the head (or trailers) that is not followed by LF.
    case bareCarriageReturn
    /// A header line starting with SP or HTAB (obs-fold, RFC 9112 section 5.2).
    case obsoleteLineFolding

    /// The HTTP status to answer with: 431 for header size and count, 413 for the body,
    /// 501 for a transfer coding, 505 for a version, 400 for everything else.
    public var status: Int {
        switch self {
        case .headerSectionTooLarge, .tooManyHeaders: return 431
        case .bodyTooLarge: return 413
        case .unsupportedTransferCoding: return 501
        case .unsupportedVersion: return 505
        case .invalidRequestLine, .invalidHeader, .missingHost, .invalidContentLength,
             .conflictingFraming, .invalidChunk, .bareCarriageReturn, .obsoleteLineFolding:
            return 400
        }
    }

    /// Short stable text for logs.
    public var reason: StaticString {
        switch self {
        case .invalidRequestLine: return "invalid request line"
        case .invalidHeader: return "invalid header field"
        case .headerSectionTooLarge: return "header section too large"
        case .tooManyHeaders: return "too many header fields"
        case .missingHost: return "missing host header"
        case .invalidContentLength: return "invalid content-length"
        case .conflictingFraming: return "conflicting message framing"
        case .unsupportedTransferCoding: return "unsupported transfer coding"
        case .unsupportedVersion: return "unsupported http version"
        case .invalidChunk: return "invalid chunk framing"
        case .bodyTooLarge: return "body too large"
        case .bareCarriageReturn: return "bare carriage return"
        case .obsoleteLineFolding: return "obsolete line folding"
        }
    }
}
