/// One multi-byte UTF-8 sequence in progress, validated byte by byte (Unicode Table 3-7), so a
/// piece boundary may fall inside it.
///
/// Besides validity it knows which scalars the sequence can still become (`possibleScalars`),
/// which lets the scanner reject a character that cannot belong in a name at the first byte that
/// makes it certain, not only once the character is complete.
struct UTF8Decoder {
    /// Continuation bytes still to come (0: no sequence in progress).
    private(set) var remaining: UInt8 = 0
    /// The range the next continuation byte must be in: narrower than 0x80...0xBF after some lead
    /// bytes, which is what rules out overlongs, surrogates and values above U+10FFFF.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    /// The bits read so far.
    private(set) var scalar: UInt32 = 0

    /// Starts a sequence with `lead` (a byte >= 0x80); false when no valid sequence starts so.
    @inline(__always)
    mutating func begin(_ lead: UInt8) -> Bool {
        switch lead {
        case 0xC2...0xDF: remaining = 1; lower = 0x80; upper = 0xBF; scalar = UInt32(lead & 0x1F)
        case 0xE0: remaining = 2; lower = 0xA0; upper = 0xBF; scalar = 0
        case 0xE1...0xEC, 0xEE...0xEF: remaining = 2; lower = 0x80; upper = 0xBF; scalar = UInt32(lead & 0x0F)
        case 0xED: remaining = 2; lower = 0x80; upper = 0x9F; scalar = 0x0D
        case 0xF0: remaining = 3; lower = 0x90; upper = 0xBF; scalar = 0
        case 0xF1...0xF3: remaining = 3; lower = 0x80; upper = 0xBF; scalar = UInt32(lead & 0x07)
        case 0xF4: remaining = 3; lower = 0x80; upper = 0x8F; scalar = 4
        default: return false
        }
        return true
    }

    /// Takes the next continuation byte; false when it cannot continue the sequence.
    @inline(__always)
    mutating func next(_ byte: UInt8) -> Bool {
        guard byte >= lower && byte <= upper else { return false }
        scalar = scalar &<< 6 | UInt32(byte & 0x3F)
        remaining &-= 1
        lower = 0x80
        upper = 0xBF
        return true
    }

    /// Forgets a sequence in progress (after an error, or for a new document).
    mutating func reset() { remaining = 0 }

    /// The smallest and largest scalar the sequence can still become (the scalar itself once
    /// complete).
    var possibleScalars: (low: UInt32, high: UInt32) {
        guard remaining > 0 else { return (scalar, scalar) }
        let rest = 6 &* UInt32(remaining &- 1)
        let base = scalar &<< (rest &+ 6)
        let low = base | UInt32(lower & 0x3F) &<< rest
        let high = base | UInt32(upper & 0x3F) &<< rest | ((1 &<< rest) &- 1)
        return (low, high)
    }
}

/// The non-ASCII characters XML 1.0 (fifth edition) allows in names: NameStartChar, and the few
/// more NameChar allows after the first character. ASCII is in `ByteClass`.
enum NameCharacters {
    /// Whether some scalar in `low...high` may appear in a name (as its first character when
    /// `start`, which is also what a local name after a colon needs).
    static func intersect(_ low: UInt32, _ high: UInt32, start: Bool) -> Bool {
        @inline(__always) func overlaps(_ a: UInt32, _ b: UInt32) -> Bool { a <= high && low <= b }
        if overlaps(0xC0, 0xD6) || overlaps(0xD8, 0xF6) || overlaps(0xF8, 0x2FF) || overlaps(0x370, 0x37D)
            || overlaps(0x37F, 0x1FFF) || overlaps(0x200C, 0x200D) || overlaps(0x2070, 0x218F)
            || overlaps(0x2C00, 0x2FEF) || overlaps(0x3001, 0xD7FF) || overlaps(0xF900, 0xFDCF)
            || overlaps(0xFDF0, 0xFFFD) || overlaps(0x10000, 0xEFFFF) {
            return true
        }
        return !start && (overlaps(0xB7, 0xB7) || overlaps(0x300, 0x36F) || overlaps(0x203F, 0x2040))
    }
}
