/// base64url (RFC 4648 §5: alphabet `A-Z a-z 0-9 - _`) without padding, as JWS compact
/// serialization uses it (RFC 7515 §2), strict.
///
/// Strict means exactly one spelling per byte string is accepted: no `=` padding, no whitespace,
/// no standard-alphabet `+` or `/`, no length that leaves a single dangling character
/// (`count % 4 == 1`), and the unused low bits of the last character are zero. A token that fails
/// any of these is malformed, so two spellings of one token can never both pass (or both be cached).
public enum Base64URL {
    /// Decodes `text`, or returns nil when it is not strict base64url. Allocates the result
    /// (used on the token-verification path, which runs once per distinct token).
    public static func decode(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        let remainder = text.count % 4
        guard remainder != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in text {
            let value = sextet(character)
            guard value != invalid else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Whatever is left (2 or 4 bits) must be zero: otherwise another spelling decodes alike.
        guard accumulator == 0 else { return nil }
        return output
    }

    /// Decodes `text` (array convenience).
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        text.withUnsafeBytes { decode($0) }
    }

    /// Decodes `text` (string convenience, for JWK members).
    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8))
    }

    /// Encodes `bytes` without padding (tools and tests).
    public static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: encodedBytes(bytes, alphabet: urlAlphabet, padding: false), as: UTF8.self)
    }

    /// Standard base64 with padding (PEM bodies in tools and tests).
    static func encodeStandard(_ bytes: [UInt8]) -> String {
        String(decoding: encodedBytes(bytes, alphabet: standardAlphabet, padding: true), as: UTF8.self)
    }

    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let standardAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let invalid: UInt8 = 0xFF

    private static func encodedBytes(_ bytes: [UInt8], alphabet: [UInt8], padding: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let available = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 {
                group = group << 8 | (offset < available ? UInt32(bytes[index + offset]) : 0)
            }
            let symbols = available + 1
            for position in 0..<4 {
                if position < symbols {
                    out.append(alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3F)])
                } else if padding {
                    out.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return out
    }

    @inline(__always)
    private static func sextet(_ character: UInt8) -> UInt8 {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return character &- UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return character &- UInt8(ascii: "a") &+ 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character &- UInt8(ascii: "0") &+ 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return invalid
        }
    }
}
