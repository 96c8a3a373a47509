/// Byte classes of RFC 9110/9112, as branch-light tests on single bytes.
///
/// No lookup tables: globals would need lazy initialisation checks on every access, and the
/// bit masks below fit in registers.
@usableFromInline
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B
    static let del: UInt8 = 0x7F

    /// tchar (RFC 9110 section 5.6.2) as bit sets for bytes 0..<64 and 64..<128; computed from
    /// the grammar and checked against it by `ASCIITests`.
    static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// Branch-free: names mix letters (>= 64) and '-' (< 64), so a branch on the half would
    /// mispredict often.
    @inline(__always)
    static func isTchar(_ b: UInt8) -> Bool {
        let word = b & 64 == 0 ? tcharLow : tcharHigh
        let inASCII = UInt64(1 &- (b &>> 7))
        return (word &>> UInt64(b & 63)) & inASCII != 0
    }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// The value of a hex digit, or -1.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int {
        let digit = b &- 0x30
        if digit < 10 { return Int(digit) }
        let letter = (b | 0x20) &- 0x61
        if letter < 6 { return Int(letter) + 10 }
        return -1
    }

    /// ASCII lowercase of one byte (other bytes unchanged).
    @inlinable @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    /// Whether the `literal.count` bytes at `p` equal `literal` ignoring ASCII case.
    /// `literal` is lowercase; the caller has checked that `p` has that many bytes.
    @inlinable @inline(__always)
    static func equalsLowercase(_ p: UnsafeRawPointer, _ literal: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < literal.count {
            if lower(p.load(fromByteOffset: i, as: UInt8.self)) != literal[i] { return false }
            i &+= 1
        }
        return true
    }

    /// Whether the bytes [start, end) at `base` equal the lowercase `literal` ignoring ASCII case.
    @inline(__always)
    static func equalsLowercase(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let lit = utf8(literal)
        return lit.count == end &- start && equalsLowercase(base + start, lit)
    }

    /// The UTF-8 bytes of one of the parser's own multi-character literals (those always have
    /// a pointer representation; only a single-scalar `StaticString` lacks one).
    @inline(__always)
    static func utf8(_ literal: StaticString) -> UnsafeBufferPointer<UInt8> {
        precondition(literal.hasPointerRepresentation, "single-scalar StaticString literal")
        return UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// Whether `span` of `bytes` equals (or, with `prefix`, starts with) `literal`, ignoring ASCII case.
    @inlinable @inline(__always)
    static func spanMatches(_ span: ByteSpan, _ bytes: UnsafeRawBufferPointer, _ literal: UnsafeBufferPointer<UInt8>,
                            prefix: Bool) -> Bool {
        precondition(span.offset >= 0 && span.length >= 0 && Int(span.offset) + Int(span.length) <= bytes.count,
                     "span outside the bytes")
        let length = Int(span.length)
        guard prefix ? literal.count <= length : literal.count == length else { return false }
        guard let base = bytes.baseAddress else { return literal.isEmpty }
        return equalsLowercase(base + Int(span.offset), literal)
    }
}
