/// Which scanner reads a webhook body: Connect 2.0 JSON, or the legacy XML format.
///
/// Chosen per message, by the media type of `Content-Type` when it names one of the two
/// (`init(contentType:)`), otherwise by the body's first byte that is not white space or a UTF-8
/// BOM (`BodyFormatSniffer`): `<` means XML, anything else JSON.
public enum BodyFormat: UInt8, Sendable {
    case json
    case xml

    /// The name tools print (`read`'s "format", `inspect`).
    public var name: String {
        switch self {
        case .json: "json"
        case .xml: "xml"
        }
    }

    /// The format a `Content-Type` value names: `application/json` is JSON; `text/xml` and
    /// `application/xml` are XML; ASCII case is ignored, as are parameters (`; charset=utf-8`)
    /// and white space around the media type. Anything else (another type, a malformed value)
    /// names neither: nil. Allocates nothing.
    public init?(contentType value: UnsafeRawBufferPointer) {
        guard let base = value.baseAddress else { return nil }
        var start = 0
        while start < value.count && Self.isBlank(base.load(fromByteOffset: start, as: UInt8.self)) { start &+= 1 }
        let rest = value.count &- start
        guard rest >= 8 else { return nil }
        // Compared 8 bytes at a time, letters folded to lower case: this runs for every webhook.
        let first = Self.lowercased(base.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        let length: Int
        if first == Self.word("text/xml") {
            self = .xml
            length = 8
        } else if first == Self.word("applicat") && rest >= 15 {
            // "ion/json" (8 bytes) or "ion/xml" (7): read the 8 bytes ending at the 15th.
            let second = Self.lowercased(base.loadUnaligned(fromByteOffset: start &+ 7, as: UInt64.self))
            if second == Self.word("tion/xml") {
                self = .xml
                length = 15
            } else if rest >= 16 && Self.lowercased(base.loadUnaligned(fromByteOffset: start &+ 8, as: UInt64.self)) == Self.word("ion/json") {
                self = .json
                length = 16
            } else {
                return nil
            }
        } else {
            return nil
        }
        // Then only white space, up to the end or a `;` (parameters).
        var index = start &+ length
        while index < value.count {
            let b = base.load(fromByteOffset: index, as: UInt8.self)
            if b == UInt8(ascii: ";") { break }
            guard Self.isBlank(b) else { return nil }
            index &+= 1
        }
    }

    @inline(__always)
    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Eight ASCII bytes as a little-endian word (the first byte lowest), as a load reads them.
    @inline(__always)
    private static func word(_ text: StaticString) -> UInt64 {
        var result: UInt64 = 0
        for index in 0..<8 { result |= UInt64(text.utf8Start[index]) &<< (8 &* UInt64(index)) }
        return result
    }

    /// `x` with each byte `A`...`Z` turned into `a`...`z` and every other byte unchanged
    /// (branch-free: a byte's high bit marks "at least A" and "above Z" after an add that cannot
    /// carry into the next byte, since the high bits were cleared first).
    @inline(__always)
    private static func lowercased(_ x: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = x & (0x7F &* ones)
        let atLeastA = low7 &+ ((0x80 &- 0x41) &* ones)
        let aboveZ = low7 &+ ((0x80 &- 0x5B) &* ones)
        let upper = atLeastA & ~aboveZ & ~x & (0x80 &* ones)
        return x | (upper &>> 2)
    }
}
