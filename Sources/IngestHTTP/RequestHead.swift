/// The request method. Methods are case-sensitive (RFC 9110 section 9.1): `get` is `.other`.
public enum HTTPMethod: Sendable, Equatable {
    case get, head, post, put, delete, options, patch
    /// Any other token; its text is at `RequestHead.methodSpan`.
    case other
}

/// The protocol versions the parser accepts; anything else well-formed is 505.
public enum HTTPVersion: Sendable, Equatable { case http10, http11 }

/// One parsed request head. Spans point into the bytes passed to the `parse` call that
/// returned `.head`, and mean nothing once the caller has dropped those bytes.
public struct RequestHead: Sendable {
    public var method: HTTPMethod
    public var methodSpan: ByteSpan
    /// The request-target as sent (path + query, or absolute-form / authority-form / `*`).
    public var target: ByteSpan
    public var version: HTTPVersion
    /// The declared length (also when it is 0); nil when chunked or when no `Content-Length` was sent.
    public var contentLength: Int?
    public var isChunked: Bool
    /// HTTP/1.1: true unless `Connection: close`. HTTP/1.0: true only with `Connection: keep-alive`
    /// and no `close`.
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request (ignored for HTTP/1.0, RFC 9110 section 10.1.1).
    public var expectsContinue: Bool
    /// Header lines in the head; valid indexes for `RequestParser.headerName(at:)` are 0..<headerCount.
    public var headerCount: Int

    public init(method: HTTPMethod, methodSpan: ByteSpan, target: ByteSpan, version: HTTPVersion,
                contentLength: Int?, isChunked: Bool, keepAlive: Bool, expectsContinue: Bool, headerCount: Int) {
        self.method = method
        self.methodSpan = methodSpan
        self.target = target
        self.version = version
        self.contentLength = contentLength
        self.isChunked = isChunked
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
        self.headerCount = headerCount
    }

    /// The head of a parser that has not produced one yet.
    static let empty = RequestHead(method: .other, methodSpan: ByteSpan(), target: ByteSpan(), version: .http11,
                                   contentLength: nil, isChunked: false, keepAlive: false,
                                   expectsContinue: false, headerCount: 0)
}
