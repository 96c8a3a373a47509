/// The bounds a `RequestParser` enforces, fixed when the parser is created.
///
/// Every limit is checked against byte positions, never against how the bytes happened to be
/// cut into reads, so the same input gets the same answer however it arrives.
public struct HTTPLimits: Sendable {
    /// Bytes of the head: leading empty lines, the request line and every header line including
    /// the final CRLF. A head that needs more is refused with 431 (`headerSectionTooLarge`).
    /// Chunked trailers count against the same budget (head bytes + trailer bytes).
    /// Must be in 1...Int32.max because spans are 32-bit.
    public var maxHeaderBytes: Int
    /// Header field lines in the head (plus trailer lines of a chunked body); one more is 431
    /// (`tooManyHeaders`). The parser preallocates this many header slots.
    public var maxHeaderCount: Int
    /// Body bytes. A `Content-Length` above it is refused when the head completes; a chunked body
    /// is refused as soon as a chunk-size line would take the total above it. Both are 413.
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 128, maxBodyBytes: Int = 64 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
