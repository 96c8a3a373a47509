/// Where a `RequestParser` is inside the byte stream of one connection.
///
/// Head states come first, then body states, then `failed`; `isHead`/`isBody` rely on that
/// order. Each state names what the next byte must be; no state needs to look back at earlier
/// bytes except the value trimming in `.value`, which only looks back over the current line.
enum ParserState: UInt8 {
    // Head (bytes are kept by the caller until `.head`; offsets are relative to their start).
    /// Before a request line: nothing seen, or only complete empty lines (which are consumed).
    case start
    /// Saw the CR of a leading empty line.
    case blankLF
    case method
    case target
    /// Inside "HTTP/d.d"; checked byte by byte against the fixed shape.
    case version
    case requestLineLF
    /// At the first byte of a header line or of the final empty line.
    case lineStart
    case name
    /// After the colon, skipping leading OWS.
    case valueOWS
    case value
    case headerLF
    case finalLF
    /// Saw a CR where a line may not end: LF next means `pendingError`, anything else is a bare CR.
    case strayCR

    // Body (bytes are consumed as they are scanned).
    /// Content-Length body (`bodyRemaining` left); with 0 left the next call returns `.end`.
    case fixedBody
    case chunkSizeStart
    case chunkSize
    /// Whitespace between chunk size and `;` or CR (BWS).
    case chunkSizeBWS
    case chunkExtension
    case chunkSizeLF
    case chunkData
    case chunkDataCR
    case chunkDataLF
    case trailerStart
    case trailerName
    case trailerValue
    case trailerLF
    case trailerFinalLF

    /// Sticky until `reset()`: the error is in `RequestParser.failure`.
    case failed

    var isHead: Bool { rawValue <= ParserState.strayCR.rawValue }
    var isBody: Bool { rawValue >= ParserState.fixedBody.rawValue && rawValue <= ParserState.trailerFinalLF.rawValue }
}
