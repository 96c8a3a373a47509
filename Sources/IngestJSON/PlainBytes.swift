/// The 64-byte classification behind `NonPlainWindow`: which bytes of `base[i..<i+64]` are
/// non-plain (see `PlainStringRun`: `"`, `\`, a control byte, or a byte >= 0x80), one bit per
/// byte, byte k to bit k.
///
/// This is the costliest step of scanning an envelope summary (one call per 64 bytes of body),
/// so it is written for instruction count on baseline x86-64 (SSE2, no `pmovmskb` reachable
/// from Swift): three vector compares per 16 bytes, the four 16-byte masks reduced to their top
/// bits with one vector AND each, and each 8-byte half gathered into 8 bits with one multiply.
///
/// Memory safety: reads exactly the 64 bytes at `base + i`; the caller guarantees they are in
/// its buffer (`NonPlainWindow.refill` calls it only where `end - i >= 64`).
enum PlainBytes {
    private typealias Bytes = SIMD16<UInt8>
    private typealias Signed = SIMD16<Int8>
    private typealias Words = SIMD2<UInt64>

    /// 0xFF for each non-plain byte of `v`, 0x00 for each plain one. Vector constants are
    /// spelled `SIMD16(repeating:)`: the scalar-broadcast operators compile to a byte loop.
    @inline(__always)
    private static func mask(_ v: Bytes) -> Bytes {
        let quote = v .== Bytes(repeating: 0x22)
        let backslash = v .== Bytes(repeating: 0x5C)
        let low = unsafeBitCast(v, to: Signed.self) .< Signed(repeating: 0x20)  // < 0x20 or >= 0x80
        return unsafeBitCast(quote .| backslash .| low, to: Bytes.self)
    }

    @inline(__always)
    private static func load(_ base: UnsafeRawPointer, _ offset: Int) -> Bytes {
        base.loadUnaligned(fromByteOffset: offset, as: Bytes.self)
    }

    /// 16 bytes of 0x00/0x80 to 16 bits, byte j to bit j: the multiply gathers each byte's top
    /// bit into the top byte of a 64-bit word (partial products never overlap, so no carries).
    @inline(__always)
    private static func gather(_ topBits: Bytes) -> UInt64 {
        let magic: UInt64 = 0x0002_0408_1020_4081
        let words = unsafeBitCast(topBits, to: Words.self)
        return (words[0] &* magic) &>> 56 | ((words[1] &* magic) &>> 56) &<< 8
    }

    /// Bit k set when byte `i + k` is non-plain (0 when all 64 bytes are plain).
    @inline(__always)
    static func windowBits(_ base: UnsafeRawPointer, _ i: Int) -> UInt64 {
        let top = Bytes(repeating: 0x80)
        let m0 = mask(load(base, i)) & top
        let m1 = mask(load(base, i &+ 16)) & top
        let m2 = mask(load(base, i &+ 32)) & top
        let m3 = mask(load(base, i &+ 48)) & top
        return gather(m0) | gather(m1) &<< 16 | gather(m2) &<< 32 | gather(m3) &<< 48
    }

    /// Whether any of the 64 bytes at `i` is non-plain (cheaper than `windowBits`: long runs).
    @inline(__always)
    static func anyNonPlain(_ base: UnsafeRawPointer, _ i: Int) -> Bool {
        let m = mask(load(base, i)) | mask(load(base, i &+ 16)) | mask(load(base, i &+ 32)) | mask(load(base, i &+ 48))
        return unsafeBitCast(m, to: UInt128.self) != 0
    }
}
