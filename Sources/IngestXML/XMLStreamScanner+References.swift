/// References in character data and attribute values: `&lt; &gt; &amp; &apos; &quot;`, and
/// character references `&#N;` / `&#xH;` naming an XML character. Nothing else: with no DTD there
/// are no other entities, so a reference can never expand into more than one character.
extension XMLStreamScanner {
    /// After `&`, inside `&name`, after `&#`, after `&#x`, inside the digits.
    mutating func scanReference(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = byte(p, i)
            switch mode {
            case .reference:
                if b == UInt8(ascii: "#") {
                    mode = .charRefStart
                } else if classes[Int(b)] & ByteClass.nameStart != 0 {
                    entityName = 0
                    entityLength = 0
                    mode = .entityName
                    continue
                } else {
                    return fail(b >= 0x80 ? .undefinedEntity : .unexpectedByte, i, count)
                }
            case .entityName:
                if b == UInt8(ascii: ";") {
                    guard let decoded = Self.predefinedEntity(entityName, entityLength) else {
                        return fail(.undefinedEntity, i, count)
                    }
                    return referenceDecoded(UInt32(decoded), length: 1, i)
                }
                guard classes[Int(b)] & ByteClass.name != 0 || b >= 0x80 else { return fail(.unexpectedByte, i, count) }
                guard entityLength < 4 else { return fail(.undefinedEntity, i, count) }
                entityName |= UInt32(b) &<< (8 &* UInt32(entityLength))
                entityLength &+= 1
                guard Self.isPredefinedEntityPrefix(entityName, entityLength) else { return fail(.undefinedEntity, i, count) }
            case .charRefStart:
                characterReference = 0
                if b == UInt8(ascii: "x") {
                    mode = .charRefHexStart
                } else if let digit = Self.decimalDigit(b) {
                    characterReference = digit
                    mode = .charRefDecimal
                } else {
                    return fail(.invalidCharacterReference, i, count)
                }
            case .charRefHexStart, .charRefHex:
                if b == UInt8(ascii: ";") && mode == .charRefHex { return characterReferenceEnded(i, count) }
                guard let digit = Self.hexDigit(b) else { return fail(.invalidCharacterReference, i, count) }
                characterReference = characterReference &<< 4 | digit
                guard characterReference <= 0x10FFFF else { return fail(.invalidCharacterReference, i, count) }
                mode = .charRefHex
            default:  // .charRefDecimal
                if b == UInt8(ascii: ";") { return characterReferenceEnded(i, count) }
                guard let digit = Self.decimalDigit(b) else { return fail(.invalidCharacterReference, i, count) }
                characterReference = characterReference &* 10 &+ digit
                guard characterReference <= 0x10FFFF else { return fail(.invalidCharacterReference, i, count) }
            }
            i &+= 1
        }
        return i
    }

    /// `;` at `i` ends a character reference: its value must be an XML character.
    private mutating func characterReferenceEnded(_ i: Int, _ count: Int) -> Int {
        let scalar = characterReference
        let allowed = scalar == 0x09 || scalar == 0x0A || scalar == 0x0D || (scalar >= 0x20 && scalar <= 0xD7FF)
            || (scalar >= 0xE000 && scalar <= 0xFFFD) || (scalar >= 0x10000 && scalar <= 0x10FFFF)
        guard allowed else { return fail(.invalidCharacterReference, i, count) }
        let (encoded, length) = Self.utf8(scalar)
        return referenceDecoded(encoded, length: length, i)
    }

    /// The reference ending at `i` stands for these UTF-8 bytes (low byte first): they go where
    /// the text they are part of goes.
    private mutating func referenceDecoded(_ encoded: UInt32, length: Int, _ i: Int) -> Int {
        if referenceInAttribute {
            if declaration != .none {
                var rest = encoded
                for _ in 0..<length {
                    noteDeclarationValue(UInt8(truncatingIfNeeded: rest))
                    rest >>= 8
                }
            }
            mode = .attributeValue
        } else {
            if let slot = captureSlot { fields.appendDecoded(slot, encoded, count: length) }
            mode = .content
        }
        return i &+ 1
    }

    /// The character of `&name;` for the five predefined names (`name` holds up to four bytes,
    /// low byte first).
    static func predefinedEntity(_ name: UInt32, _ length: Int) -> UInt8? {
        switch (length, name) {
        case (2, 0x74_6C): UInt8(ascii: "<")  // lt
        case (2, 0x74_67): UInt8(ascii: ">")  // gt
        case (3, 0x70_6D_61): UInt8(ascii: "&")  // amp
        case (4, 0x73_6F_70_61): UInt8(ascii: "'")  // apos
        case (4, 0x74_6F_75_71): UInt8(ascii: "\"")  // quot
        default: nil
        }
    }

    /// Whether the first `length` bytes (1...4) of a predefined name are `name`.
    static func isPredefinedEntityPrefix(_ name: UInt32, _ length: Int) -> Bool {
        let mask: UInt32 = length >= 4 ? 0xFFFF_FFFF : (1 &<< (8 &* UInt32(length))) &- 1
        @inline(__always) func begins(_ full: UInt32, _ fullLength: Int) -> Bool { length <= fullLength && full & mask == name }
        return begins(0x74_6C, 2) || begins(0x74_67, 2) || begins(0x70_6D_61, 3) || begins(0x73_6F_70_61, 4)
            || begins(0x74_6F_75_71, 4)
    }

    @inline(__always)
    static func decimalDigit(_ b: UInt8) -> UInt32? {
        b &- UInt8(ascii: "0") < 10 ? UInt32(b &- UInt8(ascii: "0")) : nil
    }

    @inline(__always)
    static func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    /// `scalar` (a valid Unicode scalar) as UTF-8, low byte first, and its length.
    static func utf8(_ scalar: UInt32) -> (UInt32, Int) {
        if scalar < 0x80 { return (scalar, 1) }
        if scalar < 0x800 { return ((0xC0 | scalar &>> 6) | (0x80 | scalar & 0x3F) &<< 8, 2) }
        if scalar < 0x10000 {
            return ((0xE0 | scalar &>> 12) | (0x80 | scalar &>> 6 & 0x3F) &<< 8 | (0x80 | scalar & 0x3F) &<< 16, 3)
        }
        return ((0xF0 | scalar &>> 18) | (0x80 | scalar &>> 12 & 0x3F) &<< 8
                    | (0x80 | scalar &>> 6 & 0x3F) &<< 16 | (0x80 | scalar & 0x3F) &<< 24, 4)
    }
}
