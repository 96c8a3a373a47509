/// Finds the end of a run of "plain" string bytes: printable ASCII other than `"` and `\`
/// (0x20...0x7F minus 0x22 and 0x5C). Everything else inside a string needs the scanner's
/// attention: the closing quote, an escape, a forbidden control character, or a UTF-8 lead byte.
///
/// With `PlainBytes` (the same test, 64 bytes to 64 bits for `NonPlainWindow`), this is the
/// scanner's SIMD code and the reason it reaches memory-bandwidth speed on megabytes of
/// base64: 16 bytes are classified with three vector compares (a signed `< 0x20`
/// catches both control characters and bytes >= 0x80), 64 bytes per step on long runs.
///
/// Memory safety: it reads only `base[start..<end]`, plus, when fewer than 16 bytes remain,
/// the 16 bytes ending at `end` if `end >= 16` (bytes that precede `start` inside the same
/// caller-provided buffer, which starts at `base`). Never past `end`, so callers need no padding.
///
/// Note: vector constants are spelled `SIMD16(repeating:)` on purpose. The scalar-broadcast
/// operator overloads (`v .== 0x22`) are generic in the standard library and compile to a
/// byte-by-byte loop (measured: 0.05 GB/s against 13+ GB/s).
enum PlainStringRun {
    fileprivate typealias Bytes = SIMD16<UInt8>

    /// 0xFF for each non-plain byte of `v` and 0x00 for each plain one, read as a little-endian
    /// 128-bit integer, so `trailingZeroBitCount / 8` is the index of the first non-plain byte.
    @inline(__always)
    fileprivate static func nonPlainMask(_ v: Bytes) -> UInt128 {
        unsafeBitCast(PlainBytes.mask(v), to: UInt128.self)
    }

    @inline(__always)
    fileprivate static func load(_ base: UnsafeRawPointer, _ offset: Int) -> Bytes {
        base.loadUnaligned(fromByteOffset: offset, as: Bytes.self)
    }

    /// The index of the first non-plain byte in `base[start..<end]`, or `end` if there is none.
    /// Precondition (checked in debug builds): `0 <= start <= end`.
    @inline(__always)
    static func end(in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        assert(start >= 0 && start <= end)
        var i = start
        // Short strings (keys, IDs) end within the first 16 bytes: one probe finds the end.
        if end &- i >= 16 {
            let mask = nonPlainMask(load(base, i))
            if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
            i &+= 16
            // Long runs: 64 bytes per step, one branch.
            while end &- i >= 64 {
                let m = nonPlainMask(load(base, i)) | nonPlainMask(load(base, i &+ 16))
                    | nonPlainMask(load(base, i &+ 32)) | nonPlainMask(load(base, i &+ 48))
                if m != 0 { break }
                i &+= 64
            }
            while end &- i >= 16 {
                let mask = nonPlainMask(load(base, i))
                if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
                i &+= 16
            }
        }
        if i == end { return end }
        // Fewer than 16 bytes left. Re-read the last 16 bytes of the buffer when there are that
        // many, dropping the ones before `i`; otherwise (tiny pieces) go byte by byte.
        if end >= 16 {
            let skipped = i &- (end &- 16)
            let mask = nonPlainMask(load(base, end &- 16)) &>> UInt128(truncatingIfNeeded: skipped &* 8)
            return mask == 0 ? end : i &+ mask.trailingZeroBitCount &>> 3
        }
        while i < end {
            let b = base.load(fromByteOffset: i, as: UInt8.self)
            if b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C { return i }
            i &+= 1
        }
        return end
    }
}

/// The non-plain bytes (see `PlainStringRun`) of one 64-byte window of the current piece, one bit
/// per byte. Finding where a string ends then costs a shift and a count of trailing zeros while
/// it ends inside the window: short keys and values come several to a window, and without it
/// each string's end hung on a fresh vector load, compare and byte re-read (a chain of ~20 cycles
/// per string on envelope summaries).
///
/// Valid for one piece only (indices are piece indices): make a new one for every piece.
/// `scanDeep` works on a local copy (kept in registers) and uses the consuming lookups below;
/// `scanString` uses `firstNonPlain`. The 64-byte classification itself is `PlainBytes`.
struct NonPlainWindow {
    /// Piece index of the byte that bit 0 describes; far negative = no window yet.
    private var start = Int.min / 2
    /// Bit k: byte `start + k` is non-plain (bits below the scanner's position may be cleared).
    private var bits: UInt64 = 0

    init() {}

    /// The index of the first non-plain byte in `base[from..<end]`, or `end` if none.
    @inline(__always)
    mutating func firstNonPlain(_ base: UnsafeRawPointer, from i: Int, to end: Int) -> Int {
        let offset = UInt(bitPattern: i &- start)
        if offset < 64 {
            let rest = bits &>> UInt64(offset)
            if rest != 0 { return i &+ rest.trailingZeroBitCount }
            return move(base, from: start &+ 64, to: end)
        }
        return move(base, from: i, to: end)
    }

    // MARK: Consuming lookups (scanDeep)
    //
    // `scanDeep` also clears the bits of the non-plain bytes it has stepped over (closing and
    // opening quotes), so that while "no bit below `i` is set" holds, the next non-plain byte
    // is just the lowest set bit: no offset, no shift. Cleared bits are always below the
    // scanner's position, so `firstNonPlain` stays right for whoever uses the window next.

    /// Like `firstNonPlain`, and afterwards no bit below `i` is set.
    @inline(__always)
    mutating func firstNonPlainClearingBelow(_ base: UnsafeRawPointer, from i: Int, to end: Int) -> Int {
        let offset = UInt(bitPattern: i &- start)
        if offset < 64 {
            bits &= ~0 &<< UInt64(offset)
            if bits != 0 { return start &+ bits.trailingZeroBitCount }
            return move(base, from: start &+ 64, to: end)
        }
        return move(base, from: i, to: end)
    }

    /// The first non-plain byte at or after `i`, when no bit below `i` is set (and, for the
    /// window to be reusable after it, `start <= i`).
    @inline(__always)
    mutating func nextNonPlain(_ base: UnsafeRawPointer, from i: Int, to end: Int) -> Int {
        if bits != 0 { return start &+ bits.trailingZeroBitCount }
        // Nothing non-plain from `i` to the window's end.
        return move(base, from: Swift.max(i, start &+ 64), to: end)
    }

    /// Clears the lowest set bit: the non-plain byte `nextNonPlain` returned has been stepped over
    /// (a no-op when that byte lies past the window, where the bits are already all clear).
    @inline(__always)
    mutating func consumeLowest() {
        bits &= bits &- 1
    }

    /// `refill` from `j`. Callers pass a `j` with no non-plain byte between their `i` and `j`; the
    /// new window has no bit below `j` (see `refill`), so none below `i`.
    /// The common case (the next 64 bytes hold a non-plain byte) is inlined into the callers'
    /// loops: no call, no spilled registers.
    @inline(__always)
    private mutating func move(_ base: UnsafeRawPointer, from j: Int, to end: Int) -> Int {
        var j = j
        if end &- j >= 64 {
            let next = PlainBytes.windowBits(base, j)
            if next != 0 {
                start = j
                bits = next
                return j &+ next.trailingZeroBitCount
            }
            j &+= 64   // all 64 plain
        }
        let moved = Self.refill(base, from: j, to: end)
        start = moved.start
        bits = moved.bits
        return moved.index
    }

    /// The window moved forward to the next non-plain byte at or after `i`, and that byte's index
    /// (`end` if there is none; the window is then one that `firstNonPlain` will not reuse wrongly:
    /// its bits past `end` are zero or it is the piece's last 64 bytes). It never has a bit below
    /// `i` (only the piece's last window can begin before `i`, and its lower bits are cleared).
    /// Returned in registers.
    @inline(never)
    static func refill(_ base: UnsafeRawPointer, from i: Int, to end: Int) -> (index: Int, start: Int, bits: UInt64) {
        var i = i
        // Short strings: the next window almost always holds a non-plain byte, so it is
        // compressed straight away (no separate any-test).
        if end &- i >= 64 {
            let bits = PlainBytes.windowBits(base, i)
            if bits != 0 { return (i &+ bits.trailingZeroBitCount, i, bits) }
            i &+= 64
        }
        // Long runs: 64 bytes per step, one branch; compressed only where a non-plain byte is.
        while end &- i >= 64 {
            if PlainBytes.anyNonPlain(base, i) {
                let bits = PlainBytes.windowBits(base, i)
                return (i &+ bits.trailingZeroBitCount, i, bits)
            }
            i &+= 64
        }
        if i >= end { return (end, Int.min / 2, 0) }
        guard end >= 64 else { return (PlainStringRun.end(in: base, from: i, to: end), Int.min / 2, 0) }
        // The last (< 64) bytes: a window over the piece's final 64 bytes, without the bits of
        // those before i (0 < i - start < 64 here).
        let start = end &- 64
        let bits = PlainBytes.windowBits(base, start) & (~0 &<< UInt64(i &- start))
        return (bits == 0 ? end : start &+ bits.trailingZeroBitCount, start, bits)
    }
}
