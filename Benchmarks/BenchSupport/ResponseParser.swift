/// A minimal, resumable HTTP/1.1 *response* parser for the load generator: the status line,
/// `Content-Length`, `Connection` and nothing else. Bodies are skipped, never copied.
///
/// Fed the bytes of one connection in whatever pieces `read(2)` returns; `next` reports one
/// complete response at a time and how far it consumed. Interim `1xx` responses are skipped.
/// What it refuses (a broken server, not a slow one): a head over `maximumHeadBytes`, a status
/// line that is not `HTTP/1.x NNN`, a bad or duplicate-conflicting `Content-Length`, chunked
/// bodies, and a final response without `Content-Length` (other than 204/304).
///
/// One per connection; not thread-safe. `reset()` when the connection is replaced.
public struct ResponseParser: Sendable {
    public static let maximumHeadBytes = 16 * 1024

    public enum Event: Equatable, Sendable {
        /// Everything given was consumed; the response is not complete yet.
        case needMore
        /// One response is complete. `close`: the server will close after it.
        case response(status: Int, close: Bool)
        case failed(ResponseParseError)
    }

    private enum State: Sendable {
        case head
        case body(remaining: Int, status: Int, close: Bool)
    }

    private var state: State = .head
    /// Head bytes carried over from earlier pieces (empty when a head arrives in one piece).
    private var partialHead: [UInt8] = []
    /// How much of `\r\n\r\n` the carried-over bytes end with.
    private var terminatorMatched = 0

    public init() {
        partialHead.reserveCapacity(512)
    }

    public mutating func reset() {
        state = .head
        partialHead.removeAll(keepingCapacity: true)
        terminatorMatched = 0
    }

    /// True between responses (nothing of the next response seen yet).
    public var isIdle: Bool {
        if case .head = state { return partialHead.isEmpty }
        return false
    }

    /// Consumes from `bytes[offset...]` up to the end of one response, or all of it.
    public mutating func next(_ bytes: UnsafeRawBufferPointer, offset: inout Int) -> Event {
        while offset < bytes.count {
            switch state {
            case .body(let remaining, let status, let close):
                let take = min(remaining, bytes.count - offset)
                offset += take
                if take == remaining {
                    state = .head
                    return .response(status: status, close: close)
                }
                state = .body(remaining: remaining - take, status: status, close: close)
                return .needMore
            case .head:
                let start = offset
                var i = offset
                var matched = terminatorMatched
                while i < bytes.count && matched < 4 {
                    let b = bytes[i]
                    if b == 13 { matched = (matched == 2) ? 3 : 1 }
                    else if b == 10 && (matched == 1 || matched == 3) { matched += 1 }
                    else { matched = 0 }
                    i += 1
                }
                offset = i
                if matched < 4 {
                    terminatorMatched = matched
                    if partialHead.count + (i - start) > Self.maximumHeadBytes { return .failed(.headTooLarge) }
                    partialHead.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                    return .needMore
                }
                terminatorMatched = 0
                if partialHead.count + (i - start) > Self.maximumHeadBytes { return .failed(.headTooLarge) }
                let parsed: Result<ResponseHead, ResponseParseError>
                if partialHead.isEmpty {
                    parsed = ResponseHead.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                } else {
                    partialHead.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                    parsed = partialHead.withUnsafeBytes { ResponseHead.parse($0) }
                    partialHead.removeAll(keepingCapacity: true)
                }
                switch parsed {
                case .failure(let error):
                    return .failed(error)
                case .success(let head):
                    if head.status < 200 { continue }              // interim 1xx: keep going
                    if head.contentLength == 0 { return .response(status: head.status, close: head.close) }
                    state = .body(remaining: head.contentLength, status: head.status, close: head.close)
                }
            }
        }
        return .needMore
    }
}

/// Why a response could not be parsed. Stable names, used as error counter keys in reports.
public enum ResponseParseError: String, Error, Sendable, Equatable {
    case headTooLarge = "response-head-too-large"
    case badStatusLine = "bad-status-line"
    case badContentLength = "bad-content-length"
    case chunkedNotSupported = "chunked-response"
    case missingContentLength = "missing-content-length"
}

/// The parts of a response head the generator needs.
struct ResponseHead {
    var status: Int
    var contentLength: Int
    var close: Bool

    /// Parses a complete head (status line through the blank line).
    static func parse(_ head: UnsafeRawBufferPointer) -> Result<ResponseHead, ResponseParseError> {
        // "HTTP/1.x NNN"
        guard head.count >= 12,
              head[0] == UInt8(ascii: "H"), head[1] == UInt8(ascii: "T"), head[2] == UInt8(ascii: "T"),
              head[3] == UInt8(ascii: "P"), head[4] == UInt8(ascii: "/"), head[5] == UInt8(ascii: "1"),
              head[6] == UInt8(ascii: "."), head[8] == UInt8(ascii: " ") else { return .failure(.badStatusLine) }
        let minor = head[7]
        var status = 0
        for i in 9..<12 {
            let d = head[i]
            guard d >= 48 && d <= 57 else { return .failure(.badStatusLine) }
            status = status * 10 + Int(d - 48)
        }
        guard status >= 100, head.count == 12 || head[12] == UInt8(ascii: " ") || head[12] == 13 else {
            return .failure(.badStatusLine)
        }
        var close = minor == UInt8(ascii: "0")          // HTTP/1.0 closes unless keep-alive
        var contentLength: Int?
        var chunked = false
        // Walk header lines.
        var lineStart = 0
        while lineStart < head.count, head[lineStart] != 10 { lineStart += 1 }
        lineStart += 1
        while lineStart < head.count {
            var lineEnd = lineStart
            while lineEnd < head.count, head[lineEnd] != 10 { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart, head[end - 1] == 13 { end -= 1 }
            if end == lineStart { break }                   // the blank line
            var colon = lineStart
            while colon < end, head[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon < end {
                let name = UnsafeRawBufferPointer(rebasing: head[lineStart..<colon])
                var valueStart = colon + 1
                while valueStart < end, head[valueStart] == 32 || head[valueStart] == 9 { valueStart += 1 }
                var valueEnd = end
                while valueEnd > valueStart, head[valueEnd - 1] == 32 || head[valueEnd - 1] == 9 { valueEnd -= 1 }
                let value = UnsafeRawBufferPointer(rebasing: head[valueStart..<valueEnd])
                if equalsIgnoringCase(name, "content-length") {
                    guard let n = decimal(value), contentLength == nil || contentLength == n else {
                        return .failure(.badContentLength)
                    }
                    contentLength = n
                } else if equalsIgnoringCase(name, "connection") {
                    if containsToken(value, "close") { close = true }
                    else if containsToken(value, "keep-alive") { close = false }
                } else if equalsIgnoringCase(name, "transfer-encoding") {
                    chunked = true
                }
            }
            lineStart = lineEnd + 1
        }
        if chunked { return .failure(.chunkedNotSupported) }
        if status < 200 || status == 204 || status == 304 {
            return .success(ResponseHead(status: status, contentLength: 0, close: close))
        }
        guard let length = contentLength else { return .failure(.missingContentLength) }
        return .success(ResponseHead(status: status, contentLength: length, close: close))
    }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b | 0x20 : b }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        for i in 0..<bytes.count where lower(bytes[i]) != p[i] { return false }
        return true
    }

    /// Whether a comma-separated header value contains `token` (case-insensitive).
    static func containsToken(_ value: UnsafeRawBufferPointer, _ token: StaticString) -> Bool {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var a = start, b = end
            while a < b, value[a] == 32 || value[a] == 9 { a += 1 }
            while b > a, value[b - 1] == 32 || value[b - 1] == 9 { b -= 1 }
            if equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: value[a..<b]), token) { return true }
            start = end + 1
        }
        return false
    }

    static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 48 && b <= 57 else { return nil }
            n = n * 10 + Int(b - 48)
        }
        return n
    }
}
