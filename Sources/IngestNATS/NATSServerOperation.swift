/// One operation a NATS server sends, as byte ranges into the buffer the parser was given.
///
/// Ranges are offsets from the start of that buffer, valid until the caller discards the bytes
/// the parser reported as consumed. Nothing is copied.
public enum NATSServerOperation: Equatable, Sendable {
    /// `INFO {json}`: the range of the JSON object.
    case info(json: Range<Int>)
    /// `MSG` (no headers) or `HMSG` (headers): see `NATSDelivery`.
    case message(NATSDelivery)
    case ping
    case pong
    case ok
    /// `-ERR 'text'`: the range of the text inside the quotes (quotes stripped when present).
    case error(text: Range<Int>)
}

/// A `MSG`/`HMSG` delivery: subject, subscription id, optional reply subject, optional header
/// block (`NATS/1.0 ...\r\n...\r\n\r\n`) and payload.
public struct NATSDelivery: Equatable, Sendable {
    public var subject: Range<Int>
    public var subscriptionID: UInt64
    public var replyTo: Range<Int>?
    /// The header block, from `NATS/1.0` through its closing blank line; nil for `MSG`.
    public var headers: Range<Int>?
    public var payload: Range<Int>

    public init(subject: Range<Int>, subscriptionID: UInt64, replyTo: Range<Int>?, headers: Range<Int>?, payload: Range<Int>) {
        self.subject = subject
        self.subscriptionID = subscriptionID
        self.replyTo = replyTo
        self.headers = headers
        self.payload = payload
    }
}
