/// Strings: the SIMD fast path for plain runs, escapes (decoded into the capture slot when the
/// string is captured), `\u` surrogate pairs, and UTF-8 validation (Unicode Table 3-7).
extension JSONStreamScanner {
    /// After the opening quote of a key. Keys are copied only where they can name a field: in the
    /// top-level object (depth 1) and in the top-level `data` object (depth 2).
    @inline(__always)
    mutating func beginKey() {
        mode = .string
        stringIsKey = true
        stringSub = .plain
        if depth == 1 || (depth == 2 && dataObjectOpen) {
            captureSlot = .key
            fields.begin(.key)
        } else {
            captureSlot = nil
        }
    }

    /// After the opening quote of a value; `role` is what its key named.
    @inline(__always)
    mutating func beginValueString(role: KeyRole) {
        mode = .string
        stringIsKey = false
        stringSub = .plain
        captureSlot = role.stringSlot
        if let slot = captureSlot { fields.begin(slot) }
    }

    /// Inside a string. Returns after the closing quote, at the end of the piece, or on error.
    mutating func scanString(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            if stringSub != .plain {
                i = scanStringSpecial(p, i, count)
                continue
            }
            let runEnd = window.firstNonPlain(p, from: i, to: count)
            if let slot = captureSlot, runEnd > i { fields.append(slot, p + i, runEnd &- i) }
            i = runEnd
            if i == count { break }
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            if b == UInt8(ascii: "\"") {
                // Fast path for the common `"key":"value","key":...` run: when the next string
                // starts within reach, keep going here instead of returning to the dispatcher
                // (one indirect branch per token was the biggest cost on envelope summaries).
                i = endString(p, i &+ 1, count)
                if mode != .string || (isDeep && usesDeepPath) { return i }   // feed hands deep strings to scanDeep
                continue
            }
            if b == UInt8(ascii: "\\") {
                stringSub = .escape
            } else if b < 0x20 {
                return fail(.controlCharacterInString, i, count)
            } else {
                // b >= 0x80: the lead byte of a multi-byte sequence.
                guard beginUTF8Sequence(b) else { return fail(.invalidUTF8, i, count) }
                if let slot = captureSlot { fields.append(slot, byte: b) }
            }
            i &+= 1
        }
        return i
    }

    /// The closing quote was at piece index `start - 1`. Returns where scanning continues. If
    /// the bytes after it (in this piece) are `:` and a value after a key, or `,` and `"` after a
    /// value in an object, that next token is already begun (`mode` is `.string` again when it is
    /// a string); otherwise `mode` says what comes next and at most whitespace was consumed.
    @inline(__always)
    mutating func endString(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        let slot = captureSlot
        captureSlot = nil
        if stringIsKey {
            pendingRole = slot == .key ? matchKey() : .none
            mode = .colon
            var i = skipWhitespace(p, start, count)
            guard i < count, p.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: ":") else { return start }
            mode = .valueStart
            i = skipWhitespace(p, i &+ 1, count)
            guard i < count else { return i }
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            guard b == UInt8(ascii: "\"") else { return beginValue(b, i, count) }
            let role = pendingRole
            pendingRole = .none
            if role == .retryCount { beginRetryCountValue(at: i) }
            beginValueString(role: role)
            return i &+ 1
        }
        if let slot { fields.commit(slot) }
        endValue(at: start)
        guard inObject, depth > 0 else { return start }
        var i = skipWhitespace(p, start, count)
        guard i < count, p.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: ",") else { return i }
        mode = .keyStart
        i = skipWhitespace(p, i &+ 1, count)
        guard i < count, p.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "\"") else { return i }
        beginKey()
        return i &+ 1
    }

    @inline(__always)
    func skipWhitespace(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { break }
            i &+= 1
        }
        return i
    }

    /// Escapes and UTF-8 continuation bytes, one byte at a time, until the string is back to
    /// plain bytes, the piece ends, or an error is found.
    mutating func scanStringSpecial(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count && stringSub != .plain {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            switch stringSub {
            case .escape:
                let decoded: UInt8
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = b
                case UInt8(ascii: "b"): decoded = 0x08
                case UInt8(ascii: "f"): decoded = 0x0C
                case UInt8(ascii: "n"): decoded = 0x0A
                case UInt8(ascii: "r"): decoded = 0x0D
                case UInt8(ascii: "t"): decoded = 0x09
                case UInt8(ascii: "u"):
                    stringSub = .hex
                    hexCount = 0
                    hexValue = 0
                    i &+= 1
                    continue
                default:
                    return fail(.invalidEscape, i, count)
                }
                if let slot = captureSlot { fields.append(slot, byte: decoded) }
                stringSub = .plain
            case .hex:
                guard let digit = hexDigitValue(b) else { return fail(.invalidEscape, i, count) }
                // \uDC00-\uDFFF here has no high half before it: lone low surrogate, certain
                // from its second digit on.
                if hexCount == 1 && hexValue == 0xD && digit >= 0xC { return fail(.loneSurrogate, i, count) }
                hexValue = hexValue &<< 4 | digit
                hexCount &+= 1
                if hexCount == 4 {
                    if hexValue >= 0xD800 && hexValue <= 0xDBFF {
                        highSurrogate = hexValue
                        stringSub = .lowBackslash
                    } else {
                        appendScalar(hexValue)
                        stringSub = .plain
                    }
                }
            case .lowBackslash:
                guard b == UInt8(ascii: "\\") else { return fail(.loneSurrogate, i, count) }
                stringSub = .lowU
            case .lowU:
                guard b == UInt8(ascii: "u") else { return fail(.loneSurrogate, i, count) }
                stringSub = .lowHex
                hexCount = 0
                hexValue = 0
            case .lowHex:
                guard let digit = hexDigitValue(b) else { return fail(.invalidEscape, i, count) }
                // Only \uDC00-\uDFFF completes the pair: "D" then "C"..."F".
                if (hexCount == 0 && digit != 0xD) || (hexCount == 1 && digit < 0xC) {
                    return fail(.loneSurrogate, i, count)
                }
                hexValue = hexValue &<< 4 | digit
                hexCount &+= 1
                if hexCount == 4 {
                    appendScalar(0x10000 &+ ((highSurrogate &- 0xD800) &<< 10) &+ (hexValue &- 0xDC00))
                    stringSub = .plain
                }
            case .utf8:
                guard b >= utf8Lower && b <= utf8Upper else { return fail(.invalidUTF8, i, count) }
                if let slot = captureSlot { fields.append(slot, byte: b) }
                utf8Remaining &-= 1
                utf8Lower = 0x80
                utf8Upper = 0xBF
                if utf8Remaining == 0 { stringSub = .plain }
            case .plain:
                preconditionFailure("unreachable")
            }
            i &+= 1
        }
        return i
    }

    /// Checks a UTF-8 lead byte and sets up the range its first continuation byte must be in
    /// (which is what rules out overlongs, surrogates and values above U+10FFFF).
    @inline(__always)
    mutating func beginUTF8Sequence(_ lead: UInt8) -> Bool {
        switch lead {
        case 0xC2...0xDF: utf8Remaining = 1; utf8Lower = 0x80; utf8Upper = 0xBF
        case 0xE0: utf8Remaining = 2; utf8Lower = 0xA0; utf8Upper = 0xBF
        case 0xE1...0xEC, 0xEE...0xEF: utf8Remaining = 2; utf8Lower = 0x80; utf8Upper = 0xBF
        case 0xED: utf8Remaining = 2; utf8Lower = 0x80; utf8Upper = 0x9F
        case 0xF0: utf8Remaining = 3; utf8Lower = 0x90; utf8Upper = 0xBF
        case 0xF1...0xF3: utf8Remaining = 3; utf8Lower = 0x80; utf8Upper = 0xBF
        case 0xF4: utf8Remaining = 3; utf8Lower = 0x80; utf8Upper = 0x8F
        default: return false
        }
        stringSub = .utf8
        return true
    }

    @inline(__always)
    func hexDigitValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    /// Appends a decoded `\u` scalar (never a surrogate) as UTF-8 to the capture slot, if any.
    mutating func appendScalar(_ scalar: UInt32) {
        guard let slot = captureSlot else { return }
        var encoded: UInt32 = 0
        var length = 0
        if scalar < 0x80 {
            encoded = scalar
            length = 1
        } else if scalar < 0x800 {
            encoded = (0xC0 | scalar &>> 6) | (0x80 | scalar & 0x3F) &<< 8
            length = 2
        } else if scalar < 0x10000 {
            encoded = (0xE0 | scalar &>> 12) | (0x80 | scalar &>> 6 & 0x3F) &<< 8 | (0x80 | scalar & 0x3F) &<< 16
            length = 3
        } else {
            encoded = (0xF0 | scalar &>> 18) | (0x80 | scalar &>> 12 & 0x3F) &<< 8
                | (0x80 | scalar &>> 6 & 0x3F) &<< 16 | (0x80 | scalar & 0x3F) &<< 24
            length = 4
        }
        let littleEndian = encoded.littleEndian
        withUnsafeBytes(of: littleEndian) { fields.append(slot, $0.baseAddress!, length) }
    }
}
