/// Numbers (RFC 8259 grammar: `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`) and the
/// literals `true`, `false`, `null`.
///
/// A number has no closing byte: it ends at the first byte that cannot continue it, which is then
/// handled as structure (so `[1x]` fails at `x` as an unexpected byte, `[01]` at `1` as an invalid
/// number). A top-level number ends at `finish()`.
extension JSONStreamScanner {
    /// At a `-` or digit, which `scanNumber` then reads. Only `configurationId` keeps its text.
    @inline(__always)
    mutating func beginNumber(role: KeyRole) {
        mode = .number
        numberState = .start
        captureSlot = role == .configurationId ? .configurationId : nil
        if let slot = captureSlot { fields.begin(slot) }
    }

    mutating func scanNumber(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        var state = numberState
        while i < count {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            let isDigit = b &- UInt8(ascii: "0") < 10
            let isExponent = b | 0x20 == UInt8(ascii: "e")
            switch state {
            case .start:
                state = b == UInt8(ascii: "-") ? .sign : (b == UInt8(ascii: "0") ? .zero : .integer)
            case .sign:
                guard isDigit else { return fail(.invalidNumber, i, count) }
                state = b == UInt8(ascii: "0") ? .zero : .integer
            case .zero:
                if isDigit { return fail(.invalidNumber, i, count) }  // leading zero
                if b == UInt8(ascii: ".") {
                    state = .dot
                } else if isExponent {
                    state = .exponent
                } else {
                    return endNumber(p, start, i)
                }
            case .integer:
                if isDigit { break }
                if b == UInt8(ascii: ".") {
                    state = .dot
                } else if isExponent {
                    state = .exponent
                } else {
                    return endNumber(p, start, i)
                }
            case .dot:
                guard isDigit else { return fail(.invalidNumber, i, count) }
                state = .fraction
            case .fraction:
                if isDigit { break }
                if isExponent { state = .exponent } else { return endNumber(p, start, i) }
            case .exponent:
                if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
                    state = .exponentSign
                } else {
                    guard isDigit else { return fail(.invalidNumber, i, count) }
                    state = .exponentDigits
                }
            case .exponentSign:
                guard isDigit else { return fail(.invalidNumber, i, count) }
                state = .exponentDigits
            case .exponentDigits:
                if !isDigit { return endNumber(p, start, i) }
            }
            i &+= 1
        }
        numberState = state
        if let slot = captureSlot, count > start { fields.append(slot, p + start, count &- start) }
        return count
    }

    /// The number ended before piece index `i` (not consumed: it is structure).
    @inline(__always)
    mutating func endNumber(_ p: UnsafeRawPointer, _ start: Int, _ i: Int) -> Int {
        if let slot = captureSlot {
            if i > start { fields.append(slot, p + start, i &- start) }
            fields.commit(slot)
            captureSlot = nil
        }
        endValue(at: i)
        return i
    }

    /// After the first byte of a literal; `expected` holds the rest, first byte lowest.
    @inline(__always)
    mutating func beginLiteral(expected: UInt32, length: UInt8) {
        mode = .literal
        literalExpected = expected
        literalRemaining = length
    }

    mutating func scanLiteral(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            guard b == UInt8(truncatingIfNeeded: literalExpected) else { return fail(.invalidLiteral, i, count) }
            literalExpected &>>= 8
            literalRemaining &-= 1
            i &+= 1
            if literalRemaining == 0 {
                endValue(at: i)
                return i
            }
        }
        return i
    }
}
