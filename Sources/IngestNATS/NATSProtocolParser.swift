/// Parses the operations a NATS server sends (INFO, MSG, HMSG, PING, PONG, +OK, -ERR).
///
/// Stateless and pure: `parse` looks at the bytes received so far and returns the first whole
/// operation with how many bytes it used, or nil when more bytes are needed. The caller keeps
/// unconsumed bytes and calls again with more appended, so any cut of the stream gives the same
/// operations. Nothing is allocated; results are ranges into the given bytes.
///
/// Operation names are matched case-insensitively (the protocol says they are); arguments are
/// separated by one or more spaces or tabs.
public struct NATSProtocolParser: Sendable {
    /// The longest control line accepted (the server's own default limit is 4096).
    public static let maximumControlLine = 4096
    /// Payloads above this are refused (the server's max_payload can be set up to 64 MiB).
    public var maximumPayload: Int

    public init(maximumPayload: Int = 64 << 20) {
        self.maximumPayload = maximumPayload
    }

    /// The first whole operation in `bytes` and the number of bytes it spans, or nil if the
    /// bytes end inside it.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(NATSProtocolError) -> (NATSServerOperation, Int)? {
        guard let lineEnd = Self.findCRLF(bytes, from: 0, limit: Self.maximumControlLine) else {
            if bytes.count >= Self.maximumControlLine { throw .controlLineTooLong }
            // A bare "+OK"/"PONG" never lacks its CRLF for long; wait for it.
            return nil
        }
        let afterLine = lineEnd + 2
        guard lineEnd >= 1 else { throw .unknownOperation }
        let first = bytes[0] | 0x20
        switch first {
        case UInt8(ascii: "p"):
            if Self.equalsIgnoringCase(bytes, 0..<lineEnd, "ping") { return (.ping, afterLine) }
            if Self.equalsIgnoringCase(bytes, 0..<lineEnd, "pong") { return (.pong, afterLine) }
            throw .unknownOperation
        case UInt8(ascii: "i"):
            guard lineEnd >= 4, Self.equalsIgnoringCase(bytes, 0..<4, "info") else { throw .unknownOperation }
            var start = 4
            while start < lineEnd, Self.isBlank(bytes[start]) { start += 1 }
            return (.info(json: start..<lineEnd), afterLine)
        case UInt8(ascii: "m"), UInt8(ascii: "h"):
            return try parseMessage(bytes, lineEnd: lineEnd, hasHeaders: first == UInt8(ascii: "h"))
        default:
            break
        }
        if bytes[0] == UInt8(ascii: "+"), Self.equalsIgnoringCase(bytes, 0..<lineEnd, "+ok") { return (.ok, afterLine) }
        if bytes[0] == UInt8(ascii: "-"), lineEnd >= 4, Self.equalsIgnoringCase(bytes, 0..<4, "-err") {
            var start = 4
            var end = lineEnd
            while start < end, Self.isBlank(bytes[start]) { start += 1 }
            while end > start, Self.isBlank(bytes[end - 1]) { end -= 1 }
            if end - start >= 2, bytes[start] == UInt8(ascii: "'"), bytes[end - 1] == UInt8(ascii: "'") {
                start += 1
                end -= 1
            }
            return (.error(text: start..<end), afterLine)
        }
        throw .unknownOperation
    }

    /// `MSG subject sid [reply] size` / `HMSG subject sid [reply] headerSize totalSize`.
    private func parseMessage(_ bytes: UnsafeRawBufferPointer, lineEnd: Int,
                              hasHeaders: Bool) throws(NATSProtocolError) -> (NATSServerOperation, Int)? {
        let nameLength = hasHeaders ? 4 : 3
        guard lineEnd > nameLength, Self.equalsIgnoringCase(bytes, 0..<nameLength, hasHeaders ? "hmsg" : "msg"),
              Self.isBlank(bytes[nameLength]) else { throw .unknownOperation }
        // Up to five arguments; more is malformed.
        var arguments: (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0, 0..<0, 0..<0)
        var count = 0
        var index = nameLength
        while index < lineEnd {
            while index < lineEnd, Self.isBlank(bytes[index]) { index += 1 }
            if index == lineEnd { break }
            let start = index
            while index < lineEnd, !Self.isBlank(bytes[index]) { index += 1 }
            switch count {
            case 0: arguments.0 = start..<index
            case 1: arguments.1 = start..<index
            case 2: arguments.2 = start..<index
            case 3: arguments.3 = start..<index
            case 4: arguments.4 = start..<index
            default: throw .malformedArguments
            }
            count += 1
        }
        let sizes = hasHeaders ? 2 : 1
        guard count == 2 + sizes || count == 3 + sizes else { throw .malformedArguments }
        let hasReply = count == 3 + sizes
        guard let sid = Self.decimal(bytes, arguments.1) else { throw .malformedArguments }
        func argument(_ index: Int) -> Range<Int> {
            switch index {
            case 2: return arguments.2
            case 3: return arguments.3
            default: return arguments.4
            }
        }
        let sizeStart = hasReply ? 3 : 2
        var headerLength = 0
        let totalLength: Int
        if hasHeaders {
            guard let h = Self.decimal(bytes, argument(sizeStart)), let t = Self.decimal(bytes, argument(sizeStart + 1)),
                  h <= t, h >= 0 else { throw .malformedArguments }
            headerLength = Int(h)
            totalLength = Int(t)
        } else {
            guard let t = Self.decimal(bytes, argument(sizeStart)) else { throw .malformedArguments }
            totalLength = Int(t)
        }
        guard totalLength <= maximumPayload else { throw .payloadTooLarge(totalLength) }
        let payloadStart = lineEnd + 2
        let end = payloadStart + totalLength + 2
        guard bytes.count >= end else { return nil }
        guard bytes[end - 2] == 13, bytes[end - 1] == 10 else { throw .missingPayloadTerminator }
        var headers: Range<Int>? = nil
        if hasHeaders {
            let block = payloadStart..<(payloadStart + headerLength)
            guard headerLength >= 8, Self.equalsIgnoringCase(bytes, payloadStart..<(payloadStart + 8), "nats/1.0") else {
                throw .malformedHeaders
            }
            headers = block
        }
        let delivery = NATSDelivery(subject: arguments.0, subscriptionID: sid, replyTo: hasReply ? arguments.2 : nil,
                                    headers: headers, payload: (payloadStart + headerLength)..<(payloadStart + totalLength))
        return (.message(delivery), end)
    }

    // MARK: Byte helpers

    @inline(__always) static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// The offset of the first CR LF at or after `from`, looking at no more than `limit` bytes.
    static func findCRLF(_ bytes: UnsafeRawBufferPointer, from: Int, limit: Int) -> Int? {
        let end = min(bytes.count, from + limit + 2)
        var index = from
        while index + 1 < end {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// Whether `bytes[range]` equals lower-case ASCII `text`, ignoring case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = text.utf8Start
        for offset in 0..<range.count where bytes[range.lowerBound + offset] | 0x20 != expected[offset] | 0x20 {
            // `| 0x20` folds letters; the protocol's non-letters here ('+', '-', '/', '.', digits)
            // already have bit 5 set.
            return false
        }
        return true
    }

    /// A non-negative decimal number of at most 18 digits.
    static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value: UInt64 = 0
        for index in range {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + UInt64(digit)
        }
        return value
    }
}
