/// What one `RequestParser.parse(_:)` call produced. Offsets and counts are relative to the start
/// of the bytes passed to that call; the caller drops `consumed` bytes before the next call.
public enum ParseStep: Sendable, Equatable {
    /// Nothing complete yet; `consumed` bytes (may be 0) were used and must be dropped by the caller.
    /// While a head is incomplete `consumed` is 0 except for leading empty lines, which are dropped
    /// so an idle keep-alive connection does not accumulate them.
    case needMore(consumed: Int)
    /// A request head is complete and occupied the first `consumed` bytes. `parser.head` and the header
    /// accessors describe it using ByteSpans relative to the start of the bytes passed to THIS call;
    /// they stay valid until the caller drops those bytes (the caller reads them before dropping).
    case head(consumed: Int)
    /// Body bytes at [offset, offset+count) of the bytes passed in; `consumed` (>= offset+count) bytes used.
    /// `count` is never 0. Bytes before `offset` were chunk framing.
    case body(offset: Int, count: Int, consumed: Int)
    /// The request (incl. chunked trailers) is complete after `consumed` bytes; the parser is ready for the next request (pipelining).
    /// For a request without a body this is the step right after `.head`, with `consumed: 0`.
    case end(consumed: Int)
    /// The request is refused; every later call returns the same error until `reset()`.
    case error(HTTPParseError)
}
