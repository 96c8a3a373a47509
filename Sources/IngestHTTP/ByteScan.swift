/// Word-at-a-time scans over raw bytes, for the long runs of a head (targets and header values).
///
/// Each scan reads 8 bytes per step with an unaligned load and finds the first "interesting"
/// byte with the classic SWAR tests: `(w - k*0x01..) & ~w & 0x80..` flags every byte below `k`
/// (for k <= 0x80). Borrows only propagate upwards from a flagged byte, so the lowest flagged
/// byte is always a true match; that is the only one used. Loads never reach `end`, so no byte
/// past the caller's buffer is touched (the guard-page test checks this).
enum ByteScan {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first byte in [from, end) that is a control byte (< 0x20) or DEL, or `end`.
    /// Header values may hold any other byte (VCHAR, SP, obs-text); HTAB is reported and the
    /// caller steps over it.
    @inline(__always)
    static func firstControl(_ base: UnsafeRawPointer, from: Int, end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let below20 = (w &- 0x20 &* ones) & ~w & highs
            let x = w ^ (0x7F &* ones)
            let isDel = (x &- ones) & ~x & highs
            let m = below20 | isDel
            if m != 0 { return i &+ (m.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        while i < end {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b < 0x20 || b == ASCII.del { return i }
            i &+= 1
        }
        return end
    }

    /// Index of the first byte in [from, end) that is not visible ASCII (0x21...0x7E), or `end`.
    /// Used for the request-target, which ends at SP and may not hold controls or non-ASCII.
    @inline(__always)
    static func firstNonVisible(_ base: UnsafeRawPointer, from: Int, end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let below21 = (w &- 0x21 &* ones) & ~w & highs
            let x = w ^ (0x7F &* ones)
            let isDel = (x &- ones) & ~x & highs
            let m = below21 | isDel | (w & highs)
            if m != 0 { return i &+ (m.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        while i < end {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b <= 0x20 || b >= ASCII.del { return i }
            i &+= 1
        }
        return end
    }
}
