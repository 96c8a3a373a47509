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
        var start = 0
        var end = value.count
        while start < end && (value[start] == 0x20 || value[start] == 0x09) { start += 1 }
        if let semicolon = value[start..<end].firstIndex(of: UInt8(ascii: ";")) { end = semicolon }
        while end > start && (value[end - 1] == 0x20 || value[end - 1] == 0x09) { end -= 1 }
        let mediaType = UnsafeRawBufferPointer(rebasing: value[start..<end])
        if Self.equalsLowercase(mediaType, "application/json") {
            self = .json
        } else if Self.equalsLowercase(mediaType, "text/xml") || Self.equalsLowercase(mediaType, "application/xml") {
            self = .xml
        } else {
            return nil
        }
    }

    private static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for index in 0..<bytes.count {
            var b = bytes[index]
            if b &- UInt8(ascii: "A") < 26 { b |= 0x20 }
            if b != expected[index] { return false }
        }
        return true
    }
}
