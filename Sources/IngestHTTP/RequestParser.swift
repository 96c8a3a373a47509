/// A resumable, non-allocating HTTP/1.1 request parser for one connection.
///
/// Bytes in, steps out, no I/O. The caller owns the bytes; the parser only keeps offsets into them.
/// Contract for `parse(_:)`: always pass the bytes starting at the first byte not yet consumed,
/// and drop exactly the `consumed` bytes of each step. While a head is incomplete the caller keeps
/// those bytes and appends new ones, so every re-call starts at the same byte: the parser resumes
/// where it stopped (each head byte is examined once; 1-byte reads cost O(n) in total, not O(n^2)).
/// Body bytes are handed out as spans of whatever was passed in, so no body is ever buffered here.
///
/// Strictness (smuggling shapes are refused, not repaired): lines end with CRLF only (a bare LF or
/// a bare CR is an error), no obs-fold, no whitespace before a header colon, one SP between
/// request-line parts, `Content-Length` is 1*DIGIT, `Transfer-Encoding` must be exactly `chunked`.
/// What it does not check: the syntax of the request-target beyond "visible ASCII", of header
/// values beyond "no control bytes", of chunk extensions beyond "no control bytes, bounded".
///
/// Memory: allocates only in `init` (the header table); `deinit` frees it.
/// Not thread-safe: one parser per connection, used by the thread that owns the connection.
/// Crashes only on caller bugs (passing fewer bytes than it already scanned, header index out of range).
public final class RequestParser {
    public let limits: HTTPLimits
    let headers: HeaderTable

    // MARK: Progress
    var state: ParserState = .start
    var failure: HTTPParseError = .invalidRequestLine
    var pendingError: HTTPParseError = .invalidRequestLine

    // MARK: Head scanning (offsets relative to the start of the caller's unconsumed bytes)
    /// Next head byte to examine.
    var scanOffset = 0
    /// Bytes of leading empty lines of this request already consumed (count against the limit).
    var consumedHeadBytes = 0
    /// Start of the version text or of the header value being scanned.
    var tokenStart = 0
    var methodStart = 0
    var methodEnd = 0
    var method: HTTPMethod = .other
    var targetStart = 0
    var targetEnd = 0
    var nameStart = 0
    var nameEnd = 0
    var valueEnd = 0
    var version: HTTPVersion = .http11

    // MARK: Header semantics of the current request
    var headerCount = 0
    var hostCount = 0
    /// -1 when no Content-Length was seen.
    var contentLength = -1
    var transferEncodingSeen = false
    var chunked = false
    var connectionClose = false
    var connectionKeepAlive = false
    var expectContinue = false

    // MARK: Body
    /// Bytes left of the Content-Length body or of the current chunk.
    var bodyRemaining = 0
    var bodyTotal = 0
    var chunkSize = 0
    var chunkLineBytes = 0
    /// Head bytes + trailer bytes so far, against `maxHeaderBytes`.
    var sectionBytes = 0

    /// Chunk-size lines (size + extensions + CRLF) longer than this are `invalidChunk`:
    /// extensions are skipped, and this keeps skipping bounded.
    static let maxChunkLineBytes = 4096

    /// Head bytes examined since `init` (forward scan plus trailing-OWS look-back). Only for tests
    /// that prove resuming never rescans.
    var examinedHeadBytes = 0

    /// Internal storage behind `head`: an internal stored property lets whole-module
    /// optimisation drop the dynamic exclusivity checks a public stored property would keep.
    var currentHead: RequestHead = .empty

    /// The last completed head; valid after `.head` (spans relative to that call's bytes).
    public var head: RequestHead { currentHead }

    /// Crashes on limits outside their documented ranges (a configuration bug).
    public init(limits: HTTPLimits) {
        precondition(limits.maxHeaderBytes > 0 && limits.maxHeaderBytes <= Int(Int32.max),
                     "maxHeaderBytes \(limits.maxHeaderBytes) outside 1...Int32.max")
        precondition(limits.maxHeaderCount >= 0, "maxHeaderCount \(limits.maxHeaderCount) is negative")
        precondition(limits.maxBodyBytes >= 0, "maxBodyBytes \(limits.maxBodyBytes) is negative")
        self.limits = limits
        self.headers = HeaderTable(capacity: limits.maxHeaderCount)
    }

    /// Name of header `index` (0..<currentHead.headerCount) of the last head, as sent.
    public func headerName(at index: Int) -> ByteSpan {
        precondition(index >= 0 && index < currentHead.headerCount, "header index \(index) outside 0..<\(currentHead.headerCount)")
        return headers.entry(at: index).name
    }

    /// Value of header `index` of the last head, without leading and trailing OWS.
    public func headerValue(at index: Int) -> ByteSpan {
        precondition(index >= 0 && index < currentHead.headerCount, "header index \(index) outside 0..<\(currentHead.headerCount)")
        return headers.entry(at: index).value
    }

    /// Index of the first header whose name equals `name` (lowercase literal, ASCII case-insensitive),
    /// searched in the bytes of the `.head` call.
    public func firstHeader(named name: StaticString, in bytes: UnsafeRawBufferPointer) -> Int? {
        for index in 0..<currentHead.headerCount where spanEquals(headers.entry(at: index).name, in: bytes, lowercase: name) {
            return index
        }
        return nil
    }

    /// True when no byte of a next request has been seen (idle keep-alive vs. a stalled partial request: the server answers 408 only for the latter).
    /// Complete leading empty lines do not count (they are consumed and ignored, RFC 9112 section 2.2).
    public var isIdle: Bool { state == .start }

    /// True while the body of the current request is being delivered: from `.head` until `.end`.
    public var isInBody: Bool { state.isBody }

    /// Forget everything (new connection). Does not allocate.
    public func reset() {
        state = .start
        scanOffset = 0
        consumedHeadBytes = 0
        currentHead = .empty
        resetRequest()
    }

    /// Feed the unconsumed bytes (see the type's contract). Each call returns one step; the
    /// caller loops until `.needMore` (or `.error`).
    public func parse(_ bytes: UnsafeRawBufferPointer) -> ParseStep {
        if state.isHead { return parseHead(bytes) }
        if state.isBody { return parseBody(bytes) }
        return .error(failure)
    }

    // MARK: Shared helpers

    /// Per-request state back to "before a request line".
    func resetRequest() {
        headerCount = 0
        hostCount = 0
        contentLength = -1
        transferEncodingSeen = false
        chunked = false
        connectionClose = false
        connectionKeepAlive = false
        expectContinue = false
        bodyRemaining = 0
        bodyTotal = 0
        chunkSize = 0
        chunkLineBytes = 0
        sectionBytes = 0
    }

    @inline(never)
    func fail(_ error: HTTPParseError) -> ParseStep {
        state = .failed
        failure = error
        return .error(error)
    }
}
