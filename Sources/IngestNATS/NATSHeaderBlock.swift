/// Reads a NATS header block: `NATS/1.0[ status[ description]]\r\n(Name: value\r\n)*\r\n`.
///
/// Pure and non-allocating: works on ranges of the bytes it is given.
public enum NATSHeaderBlock {
    /// The three-digit status after `NATS/1.0` (503 no responders, 404/408 from pull consumers,
    /// 100 flow control), or nil when the block has none (an ordinary message with headers).
    public static func status(_ bytes: UnsafeRawBufferPointer, _ block: Range<Int>) -> Int? {
        let start = block.lowerBound + 8
        guard block.count >= 12, bytes[start] == 0x20 else { return nil }
        var value = 0
        for index in (start + 1)..<(start + 4) {
            let digit = bytes[index] &- 0x30
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// The value of the first header named `name` (compared ignoring ASCII case), trimmed of
    /// surrounding blanks; nil when there is none.
    public static func value(_ bytes: UnsafeRawBufferPointer, _ block: Range<Int>, named name: StaticString) -> Range<Int>? {
        guard var lineStart = NATSProtocolParser.findCRLF(bytes, from: block.lowerBound, limit: block.count).map({ $0 + 2 })
        else { return nil }
        while lineStart < block.upperBound {
            guard let lineEnd = NATSProtocolParser.findCRLF(bytes, from: lineStart, limit: block.upperBound - lineStart),
                  lineEnd < block.upperBound, lineEnd > lineStart else { return nil }
            var colon = lineStart
            while colon < lineEnd, bytes[colon] != UInt8(ascii: ":") { colon += 1 }
            if colon < lineEnd, NATSProtocolParser.equalsIgnoringCase(bytes, lineStart..<colon, name) {
                var start = colon + 1
                var end = lineEnd
                while start < end, NATSProtocolParser.isBlank(bytes[start]) { start += 1 }
                while end > start, NATSProtocolParser.isBlank(bytes[end - 1]) { end -= 1 }
                return start..<end
            }
            lineStart = lineEnd + 2
        }
        return nil
    }
}
