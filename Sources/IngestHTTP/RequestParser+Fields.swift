/// What the parser understands of header fields: framing (`Content-Length`, `Transfer-Encoding`),
/// `Host`, `Connection` and `Expect`. Runs once per completed header line, off the byte loop.
extension RequestParser {
    /// Stores the header line just completed and applies its meaning. Returns the error that
    /// refuses the request, if any. Uses `nameStart..<nameEnd` and `tokenStart..<valueEnd`.
    @inline(__always)
    func commitHeader(_ base: UnsafeRawPointer) -> HTTPParseError? {
        headers.store(HeaderEntry(name: ByteSpan(from: nameStart, to: nameEnd),
                                  value: ByteSpan(from: tokenStart, to: valueEnd)), at: headerCount)
        headerCount &+= 1
        switch nameEnd &- nameStart {
        case 4 where ASCII.equalsLowercase(base, nameStart, nameEnd, "host"):
            // More than one Host is refused (RFC 9112 section 3.2).
            hostCount &+= 1
            return hostCount > 1 ? .invalidHeader : nil
        case 6 where ASCII.equalsLowercase(base, nameStart, nameEnd, "expect"):
            if ASCII.equalsLowercase(base, tokenStart, valueEnd, "100-continue") { expectContinue = true }
            return nil
        case 10 where ASCII.equalsLowercase(base, nameStart, nameEnd, "connection"):
            applyConnection(base)
            return nil
        case 14 where ASCII.equalsLowercase(base, nameStart, nameEnd, "content-length"):
            return applyContentLength(base)
        case 17 where ASCII.equalsLowercase(base, nameStart, nameEnd, "transfer-encoding"):
            return applyTransferEncoding(base)
        default:
            return nil
        }
    }

    /// `Content-Length = 1*DIGIT` (no sign, no list, no spaces inside); repeats must agree.
    private func applyContentLength(_ base: UnsafeRawPointer) -> HTTPParseError? {
        if tokenStart == valueEnd { return .invalidContentLength }
        var value = 0
        var i = tokenStart
        while i < valueEnd {
            let digit = base.load(fromByteOffset: i, as: UInt8.self) &- 0x30
            if digit > 9 { return .invalidContentLength }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(digit))
            if o1 || o2 { return .invalidContentLength }
            value = sum
            i &+= 1
        }
        if contentLength >= 0 && contentLength != value { return .conflictingFraming }
        contentLength = value
        return nil
    }

    /// Only `chunked`, once, is accepted: any other coding is 501 wherever it appears; a second
    /// `chunked` (in this or another line) is a framing conflict. Empty list members are ignored
    /// (RFC 9110 section 5.6.1), but a line with no member at all is invalid.
    private func applyTransferEncoding(_ base: UnsafeRawPointer) -> HTTPParseError? {
        transferEncodingSeen = true
        var cursor = tokenStart
        var members = 0
        while let (start, end) = nextListMember(base, &cursor) {
            members &+= 1
            if !ASCII.equalsLowercase(base, start, end, "chunked") { return .unsupportedTransferCoding }
            if chunked { return .conflictingFraming }
            chunked = true
        }
        return members == 0 ? .invalidHeader : nil
    }

    /// `Connection` options: `close` and `keep-alive` matter, others are ignored.
    private func applyConnection(_ base: UnsafeRawPointer) {
        var cursor = tokenStart
        while let (start, end) = nextListMember(base, &cursor) {
            if ASCII.equalsLowercase(base, start, end, "close") {
                connectionClose = true
            } else if ASCII.equalsLowercase(base, start, end, "keep-alive") {
                connectionKeepAlive = true
            }
        }
    }

    /// The next non-empty member of a comma-separated value in [cursor, valueEnd), OWS-trimmed.
    @inline(__always)
    private func nextListMember(_ base: UnsafeRawPointer, _ cursor: inout Int) -> (Int, Int)? {
        var i = cursor
        while i < valueEnd {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b == ASCII.comma || ASCII.isWhitespace(b) { i &+= 1 } else { break }
        }
        if i == valueEnd { cursor = i; return nil }
        let start = i
        while i < valueEnd && base.load(fromByteOffset: i, as: UInt8.self) != ASCII.comma { i &+= 1 }
        var end = i
        while end > start && ASCII.isWhitespace(base.load(fromByteOffset: end &- 1, as: UInt8.self)) { end &-= 1 }
        cursor = i
        return (start, end)
    }

    /// Methods are case-sensitive tokens (RFC 9110 section 9.1).
    @inline(__always)
    static func classifyMethod(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> HTTPMethod {
        @inline(__always) func matches(_ literal: StaticString) -> Bool {
            literal.withUTF8Buffer { lit in
                guard lit.count == end &- start else { return false }
                for k in 0..<lit.count where base.load(fromByteOffset: start &+ k, as: UInt8.self) != lit[k] {
                    return false
                }
                return true
            }
        }
        switch end &- start {
        case 3: return matches("GET") ? .get : matches("PUT") ? .put : .other
        case 4: return matches("POST") ? .post : matches("HEAD") ? .head : .other
        case 5: return matches("PATCH") ? .patch : .other
        case 6: return matches("DELETE") ? .delete : .other
        case 7: return matches("OPTIONS") ? .options : .other
        default: return .other
        }
    }
}
