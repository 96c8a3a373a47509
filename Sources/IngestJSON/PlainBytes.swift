/// The 64-byte classification behind `NonPlainWindow`: which bytes of `base[i..<i+64]` are
/// non-plain (see `PlainStringRun`: `"`, `\`, a control byte, or a byte >= 0x80), one bit per
/// byte, byte k to bit k.
///
/// This is the costliest step of scanning an envelope summary (one call per 64 bytes of body),
/// so it is written for instruction count on baseline x86-64 (SSE2, no `pmovmskb` reachable
/// from Swift): three vector compares per 16 bytes, then the 64 mask bytes narrowed to 64 bits
/// with vector shifts and packs (`windowBits`).
///
/// Memory safety: reads exactly the 64 bytes at `base + i`; the caller guarantees they are in
/// its buffer (`NonPlainWindow.refill` calls it only where `end - i >= 64`).
enum PlainBytes {
    private typealias Bytes = SIMD16<UInt8>
    private typealias Signed = SIMD16<Int8>
    private typealias Lanes = SIMD8<UInt16>

    /// 0xFF for each non-plain byte of `v`, 0x00 for each plain one: the one definition of
    /// "non-plain" for every vector path (`PlainStringRun` too). Vector constants are spelled
    /// `SIMD16(repeating:)`: the scalar-broadcast operators compile to a byte loop.
    @inline(__always)
    static func mask(_ v: SIMD16<UInt8>) -> SIMD16<UInt8> {
        let quote = v .== Bytes(repeating: 0x22)
        let backslash = v .== Bytes(repeating: 0x5C)
        let low = unsafeBitCast(v, to: Signed.self) .< Signed(repeating: 0x20)  // < 0x20 or >= 0x80
        return unsafeBitCast(quote .| backslash .| low, to: Bytes.self)
    }

    @inline(__always)
    private static func load(_ base: UnsafeRawPointer, _ offset: Int) -> Bytes {
        base.loadUnaligned(fromByteOffset: offset, as: Bytes.self)
    }

    /// 16-bit lanes of two mask bytes (each 0x00 or 0xFF): `(lane >> 7) & 3` is the low byte's
    /// bit and the high byte's bit above it.
    @inline(__always)
    private static func pairBits(_ mask: Bytes) -> Lanes {
        (unsafeBitCast(mask, to: Lanes.self) &>> 7) & Lanes(repeating: 3)
    }

    /// 16-bit lanes of two bytes of `width` bits each (the bits of consecutive input bytes):
    /// the low byte's bits and the high byte's above them, `2 * width` bits in the low byte.
    @inline(__always)
    private static func mergePairs(_ v: Bytes, width: UInt16) -> Lanes {
        let lanes = unsafeBitCast(v, to: Lanes.self)
        return (lanes | lanes &>> Lanes(repeating: 8 &- width)) & Lanes(repeating: (1 &<< (2 &* width)) &- 1)
    }

    /// The low bytes of the lanes of `a`, then of `b` (values below 256: no saturation).
    @inline(__always)
    private static func narrow(_ a: Lanes, _ b: Lanes) -> Bytes {
        Bytes(truncatingIfNeeded: SIMD16<UInt16>(lowHalf: a, highHalf: b))
    }

    /// Bit k set when byte `i + k` is non-plain (0 when all 64 bytes are plain). The four
    /// masks are halved three times, each time merging the bits of neighbouring bytes into one
    /// byte (shift, OR, AND, pack: `packuswb` on x86), 64 mask bytes -> 32 -> 16 -> 8 bytes
    /// that are the 64 bits in order. Baseline x86-64 has `pmovmskb`, but Swift cannot ask for
    /// it; this is about 30 vector instructions against about 45 for a multiply per 8 bytes.
    @inline(__always)
    static func windowBits(_ base: UnsafeRawPointer, _ i: Int) -> UInt64 {
        let m0 = mask(load(base, i)), m1 = mask(load(base, i &+ 16))
        let m2 = mask(load(base, i &+ 32)), m3 = mask(load(base, i &+ 48))
        let twoBits0 = narrow(pairBits(m0), pairBits(m1))   // byte k: input bytes 2k, 2k+1
        let twoBits1 = narrow(pairBits(m2), pairBits(m3))   // the same for bytes 32...63
        let fourBits = narrow(mergePairs(twoBits0, width: 2), mergePairs(twoBits1, width: 2))   // 4k...4k+3
        let eightBits = mergePairs(fourBits, width: 4)      // lane k: input bytes 8k...8k+7
        return unsafeBitCast(narrow(eightBits, eightBits), to: SIMD2<UInt64>.self)[0]
    }

    /// Whether any of the 64 bytes at `i` is non-plain (cheaper than `windowBits`: long runs).
    @inline(__always)
    static func anyNonPlain(_ base: UnsafeRawPointer, _ i: Int) -> Bool {
        let m = mask(load(base, i)) | mask(load(base, i &+ 16)) | mask(load(base, i &+ 32)) | mask(load(base, i &+ 48))
        return unsafeBitCast(m, to: UInt128.self) != 0
    }
}
