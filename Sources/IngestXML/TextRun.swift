/// Finds the end of a run of ordinary bytes in character data, attribute values, comments,
/// processing instructions and CDATA sections: the first byte that is one of three given
/// delimiters, a byte >= 0x80 (a UTF-8 lead or continuation byte to validate), or a control
/// character XML forbids (tab, LF and CR are ordinary).
///
/// This is the scanner's only SIMD code and why base64 `PDFBytes` cost memory bandwidth: 16 bytes
/// are classified with seven vector compares (a signed `< 0x20` catches both control characters
/// and bytes >= 0x80, and three compares take tab, LF and CR back out), 64 bytes per step on long
/// runs, with one branch per step.
///
/// Memory safety: reads only `base[start..<end]`, plus, when fewer than 16 bytes remain, the 16
/// bytes ending at `end` if `end >= 16` (bytes that precede `start` inside the same
/// caller-provided buffer, which starts at `base`). Never past `end`, so callers need no padding.
///
/// Vector constants are spelled `Bytes(repeating:)` on purpose: the scalar-broadcast operators
/// (`v .== 0x3C`) are generic in the standard library and compile to a byte loop (see IngestJSON's
/// `PlainStringRun`).
enum TextRun {
    private typealias Bytes = SIMD16<UInt8>
    private typealias Signed = SIMD16<Int8>

    /// 0xFF for each byte of `v` that ends a run, read as a little-endian 128-bit integer, so
    /// `trailingZeroBitCount / 8` is the index of the first.
    @inline(__always)
    private static func stopMask(_ v: Bytes, _ a: Bytes, _ b: Bytes, _ c: Bytes) -> UInt128 {
        let delimiter = (v .== a) .| (v .== b) .| (v .== c)
        let low = unsafeBitCast(v, to: Signed.self) .< Signed(repeating: 0x20)
        let ordinaryControl = (v .== Bytes(repeating: 0x09)) .| (v .== Bytes(repeating: 0x0A)) .| (v .== Bytes(repeating: 0x0D))
        return unsafeBitCast(delimiter .| (low .& .!ordinaryControl), to: UInt128.self)
    }

    @inline(__always)
    private static func load(_ base: UnsafeRawPointer, _ offset: Int) -> Bytes {
        base.loadUnaligned(fromByteOffset: offset, as: Bytes.self)
    }

    @inline(__always)
    private static func isStop(_ byte: UInt8, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        byte == a || byte == b || byte == c || byte >= 0x80 || (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D)
    }

    /// Character data: up to `<`, `&` or `]` (for `]]>`).
    static func contentEnd(in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        self.end(in: base, from: start, to: end, stops: UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "]"))
    }

    /// An attribute value in `quote`s: up to `<` (an error), `&` or the quote.
    static func attributeValueEnd(in base: UnsafeRawPointer, from start: Int, to end: Int, quote: UInt8) -> Int {
        quote == UInt8(ascii: "\"")
            ? self.end(in: base, from: start, to: end, stops: UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "\""))
            : self.end(in: base, from: start, to: end, stops: UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "'"))
    }

    /// Comments, processing instructions, CDATA sections: up to the one byte that may end them.
    static func end(in base: UnsafeRawPointer, from start: Int, to end: Int, stop: UInt8) -> Int {
        self.end(in: base, from: start, to: end, stops: stop, stop, stop)
    }

    /// The index of the first byte in `base[start..<end]` that is `a`, `b`, `c`, >= 0x80 or a
    /// forbidden control character, or `end` if there is none. Precondition (checked in debug
    /// builds): `0 <= start <= end`. Always inlined into the wrappers above, so the stop bytes
    /// are constants there.
    @inline(__always)
    private static func end(in base: UnsafeRawPointer, from start: Int, to end: Int, stops a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        assert(start >= 0 && start <= end)
        let va = Bytes(repeating: a), vb = Bytes(repeating: b), vc = Bytes(repeating: c)
        var i = start
        // Short runs (indentation, element text) end within the first 32 bytes: one or two probes.
        if end &- i >= 16 {
            let mask = stopMask(load(base, i), va, vb, vc)
            if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
            i &+= 16
            if end &- i >= 16 {
                let mask = stopMask(load(base, i), va, vb, vc)
                if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
                i &+= 16
            }
            // Long runs (base64): 64 bytes per step, one branch; the step that stops says where.
            while end &- i >= 64 {
                let m0 = stopMask(load(base, i), va, vb, vc), m1 = stopMask(load(base, i &+ 16), va, vb, vc)
                let m2 = stopMask(load(base, i &+ 32), va, vb, vc), m3 = stopMask(load(base, i &+ 48), va, vb, vc)
                if m0 | m1 | m2 | m3 != 0 {
                    if m0 != 0 { return i &+ m0.trailingZeroBitCount &>> 3 }
                    if m1 != 0 { return i &+ 16 &+ m1.trailingZeroBitCount &>> 3 }
                    if m2 != 0 { return i &+ 32 &+ m2.trailingZeroBitCount &>> 3 }
                    return i &+ 48 &+ m3.trailingZeroBitCount &>> 3
                }
                i &+= 64
            }
            while end &- i >= 16 {
                let mask = stopMask(load(base, i), va, vb, vc)
                if mask != 0 { return i &+ mask.trailingZeroBitCount &>> 3 }
                i &+= 16
            }
        }
        if i == end { return end }
        if end >= 16 {
            // Fewer than 16 bytes left: re-read the buffer's last 16, dropping those before `i`.
            let skipped = i &- (end &- 16)
            let mask = stopMask(load(base, end &- 16), va, vb, vc) &>> UInt128(truncatingIfNeeded: skipped &* 8)
            return mask == 0 ? end : i &+ mask.trailingZeroBitCount &>> 3
        }
        while i < end {
            if isStop(base.load(fromByteOffset: i, as: UInt8.self), a, b, c) { return i }
            i &+= 1
        }
        return end
    }
}
