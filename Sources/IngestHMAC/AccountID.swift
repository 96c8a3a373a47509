/// A DocuSign account id: the GUID in a message's `X-DocuSign-AccountId` header, as 128 bits.
///
/// Accepted text: exactly 36 bytes, `8-4-4-4-12` hex digits separated by `-`, either case (no
/// braces, no whitespace; the HTTP parser has already trimmed the field value). Anything else is
/// not an account id: the server ignores such a header and counts it. Two spellings that differ
/// only in case are the same account.
///
/// Parsing allocates nothing, so it runs per message on the hot path (the per-account key table
/// and the log's `accountId` field both start from it).
public struct AccountID: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The length of a GUID's text form.
    public static let textLength = 36

    /// Parses a GUID's text form; nil unless `text` is exactly one (see the type's rules).
    public init?(text: UnsafeRawBufferPointer) {
        guard text.count == AccountID.textLength else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        for index in 0..<AccountID.textLength {
            let byte = text[index]
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = AccountID.hexValue(byte) else { return nil }
            if digits < 16 {
                high = high << 4 | UInt64(nibble)
            } else {
                low = low << 4 | UInt64(nibble)
            }
            digits += 1
        }
        self.init(high: high, low: low)
    }

    /// Parses a GUID's text form from a `String` (configuration files, tests).
    public init?(_ text: String) {
        var copy = text
        guard let parsed = copy.withUTF8({ AccountID(text: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// The canonical lower-case text form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    public var description: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(AccountID.textLength)
        for nibbleIndex in 0..<32 {
            if nibbleIndex == 8 || nibbleIndex == 12 || nibbleIndex == 16 || nibbleIndex == 20 {
                out.append(UInt8(ascii: "-"))
            }
            let word = nibbleIndex < 16 ? high : low
            out.append(hex[Int((word >> UInt64(60 - 4 * (nibbleIndex % 16))) & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}
