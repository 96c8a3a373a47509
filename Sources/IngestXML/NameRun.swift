/// Vector helpers for the fast tag path (`XMLStreamScanner+FastTags`): where a run of plain ASCII
/// name bytes (`A-Z a-z 0-9 - . _`) ends, and whether 16 bytes start with a given name.
///
/// Memory safety: `end` reads only `base[start..<end]`; the 16-byte loads of `equalPrefix` and
/// of `NameStack`'s short copies happen only where the caller has checked that 16 bytes are
/// readable (the piece's bytes, or the name buffer's slack).
enum NameRun {
    typealias Bytes = SIMD16<UInt8>

    /// 0xFF for each byte of `v` that is not a plain name byte, read as a little-endian 128-bit
    /// integer (`trailingZeroBitCount / 8` is the first such byte's index).
    @inline(__always)
    static func nonNameMask(_ v: Bytes) -> UInt128 {
        let letter = ((v | Bytes(repeating: 0x20)) &- Bytes(repeating: 0x61)) .< Bytes(repeating: 26)
        let digit = (v &- Bytes(repeating: 0x30)) .< Bytes(repeating: 10)
        let punctuation = (v .== Bytes(repeating: 0x2D)) .| (v .== Bytes(repeating: 0x2E)) .| (v .== Bytes(repeating: 0x5F))
        return unsafeBitCast(.!(letter .| digit .| punctuation), to: UInt128.self)
    }

    @inline(__always)
    static func isPlain(_ b: UInt8) -> Bool {
        (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x2D || b == 0x2E || b == 0x5F
    }

    /// The index of the first byte in `base[start..<end]` that is not a plain name byte, or `end`.
    @inline(__always)
    static func end(in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        var i = start
        while end &- i >= 16 {
            let mask = nonNameMask(base.loadUnaligned(fromByteOffset: i, as: Bytes.self))
            if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
            i &+= 16
        }
        while i < end && isPlain(base.load(fromByteOffset: i, as: UInt8.self)) { i &+= 1 }
        return i
    }

    /// Whether the first `length` (at most 16) bytes at `a` and `b` are equal; both must have 16
    /// readable bytes.
    @inline(__always)
    static func equalPrefix(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, length: Int) -> Bool {
        let equal = a.loadUnaligned(as: Bytes.self) .== b.loadUnaligned(as: Bytes.self)
        let bits = unsafeBitCast(equal, to: UInt128.self)
        let wanted: UInt128 = length >= 16 ? ~0 : (1 &<< UInt128(truncatingIfNeeded: length &* 8)) &- 1
        return bits & wanted == wanted
    }
}
