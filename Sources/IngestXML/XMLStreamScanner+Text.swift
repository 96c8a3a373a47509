/// Character data, the white space around the root element, comments, CDATA sections,
/// processing instructions, and the UTF-8 sequences inside any of them.
extension XMLStreamScanner {
    // MARK: Character data

    /// Inside the root element, between markup. Returns after `<` or `&` (with `mode` set for
    /// what follows), at the end of the piece, or on error.
    mutating func scanContent(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        if brackets != 0 {
            // `]` ended the last piece: `]]>` may straddle the boundary.
            let b = byte(p, i)
            if b == UInt8(ascii: ">") && brackets >= 2 { return fail(.cdataEndInText, i, count) }
            if b != UInt8(ascii: "]") { brackets = 0 }
        }
        while i < count {
            let end = TextRun.contentEnd(in: p, from: i, to: count)
            if let slot = captureSlot, end > i { fields.appendRaw(slot, p + i, end &- i) }
            i = end
            if i == count { return i }
            let b = byte(p, i)
            switch b {
            case UInt8(ascii: "<"):
                if let slot = captureSlot { fields.breakRawRun(slot) }
                if let next = fastTag(p, i, count) {
                    i = next
                    if mode != .content { return i }
                    continue
                }
                mode = .lessThan
                i = scanTagInline(p, i &+ 1, count)
                // Back to text if the tag was read through; else `feed` takes over the mode.
                if mode != .content { return i }
            case UInt8(ascii: "&"):
                if let slot = captureSlot { fields.breakRawRun(slot) }
                mode = .reference
                referenceInAttribute = false
                return i &+ 1
            case UInt8(ascii: "]"):
                var run = brackets
                let runStart = i
                while i < count && byte(p, i) == UInt8(ascii: "]") {
                    run &+= 1
                    i &+= 1
                }
                if let slot = captureSlot { fields.appendRaw(slot, p + runStart, i &- runStart) }
                if i == count {
                    brackets = min(run, 2)
                    return i
                }
                if byte(p, i) == UInt8(ascii: ">") && run >= 2 { return fail(.cdataEndInText, i, count) }
                brackets = 0
            default:
                if b < 0x80 { return fail(.invalidCharacter, i, count) }
                guard utf8.begin(b) else { return fail(.invalidUTF8, i, count) }
                if let slot = captureSlot { fields.appendRaw(slot, p + i, 1) }
                return i &+ 1
            }
        }
        return i
    }

    /// After `<` in content: a start tag without attributes or an end tag read straight through
    /// (the common case in Connect messages), without a round trip through `feed`'s dispatch
    /// per token. Anything else, or a tag cut by the end of the piece, leaves the rest to `feed`.
    @inline(__always)
    mutating func scanTagInline(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        guard start < count else { return start }
        let i = afterLessThan(p, start, count)
        switch mode {
        case .startTagName: return scanName(p, i, count)
        case .endTagName: return scanEndTagName(p, i, count)
        default: return i
        }
    }

    /// A continuation byte of the UTF-8 sequence in progress, in whatever the current mode reads.
    mutating func continueCharacter(_ p: UnsafeRawPointer, _ i: Int, _ count: Int) -> Int {
        let b = byte(p, i)
        guard utf8.next(b) else { return fail(.invalidUTF8, i, count) }
        switch mode {
        case .startTagName, .attributeName, .piTarget:
            return continueNameCharacter(p, i, count)
        default:
            break
        }
        if utf8.remaining == 0 && (utf8.scalar == 0xFFFE || utf8.scalar == 0xFFFF) {
            return fail(.invalidCharacter, i, count)
        }
        switch mode {
        case .content, .cdata:
            if let slot = captureSlot { fields.appendRaw(slot, p + i, 1) }
        case .attributeValue:
            if declaration != .none { noteDeclarationValue(b) }
        default:
            break
        }
        return i &+ 1
    }

    /// Starts a UTF-8 sequence at a lead byte in text-like content (not names). Returns the next
    /// index, or fails.
    @inline(__always)
    mutating func beginCharacter(_ b: UInt8, _ i: Int, _ count: Int) -> Int {
        if b < 0x80 { return fail(.invalidCharacter, i, count) }
        guard utf8.begin(b) else { return fail(.invalidUTF8, i, count) }
        return i &+ 1
    }

    // MARK: Around the root element

    /// White space before or after the root element, the optional BOM at offset 0, and the `<`
    /// that starts markup there.
    mutating func scanMisc(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = byte(p, i)
            switch mode {
            case .documentStart:
                if b == 0xEF {
                    mode = .byteOrderMark
                    literalIndex = 1
                    i &+= 1
                    continue
                }
                mode = .afterByteOrderMark
                continue
            case .byteOrderMark:
                guard b == (literalIndex == 1 ? 0xBB : 0xBF) else { return fail(.unexpectedByte, i, count) }
                literalIndex &+= 1
                i &+= 1
                if literalIndex == 3 {
                    bomLength = 3
                    mode = .afterByteOrderMark
                }
                continue
            case .afterByteOrderMark:
                // The XML declaration may only start here; anything else ends that chance.
                mode = .prolog
                if b == UInt8(ascii: "<") {
                    mode = .lessThan
                    return i &+ 1
                }
                continue
            default:
                break
            }
            if isSpace(b) {
                i &+= 1
                continue
            }
            if b == UInt8(ascii: "<") {
                mode = .lessThan
                return i &+ 1
            }
            return fail(place == .epilog ? .trailingContent : .unexpectedByte, i, count)
        }
        return i
    }

    // MARK: `<!`: comments, CDATA, DOCTYPE

    /// After `<!`, after `<!-`, and inside `<![CDATA[`.
    mutating func scanMarkupOpening(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = byte(p, i)
            switch mode {
            case .bang:
                switch b {
                case UInt8(ascii: "-"):
                    mode = .commentOpen
                case UInt8(ascii: "[") where place == .content:
                    mode = .cdataOpen
                    literalIndex = 0
                case UInt8(ascii: "D") where place == .prolog:
                    return fail(.doctypeNotAllowed, i, count)
                default:
                    return fail(place == .epilog ? .trailingContent : .unexpectedByte, i, count)
                }
            case .commentOpen:
                guard b == UInt8(ascii: "-") else { return fail(.unexpectedByte, i, count) }
                mode = .comment
                return i &+ 1
            default:  // .cdataOpen
                let literal: StaticString = "CDATA["
                guard b == literal.utf8Start[literalIndex] else { return fail(.unexpectedByte, i, count) }
                literalIndex &+= 1
                if literalIndex == literal.utf8CodeUnitCount {
                    mode = .cdata
                    brackets = 0
                    if let slot = captureSlot { fields.breakRawRun(slot) }
                    return i &+ 1
                }
            }
            i &+= 1
        }
        return i
    }

    /// Inside a comment: anything but `--`, which must be followed by `>`.
    mutating func scanComment(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            switch mode {
            case .comment:
                i = TextRun.end(in: p, from: i, to: count, stop: UInt8(ascii: "-"))
                if i == count { return i }
                let b = byte(p, i)
                if b != UInt8(ascii: "-") { return beginCharacter(b, i, count) }
                mode = .commentDash
                i &+= 1
            case .commentDash:
                if byte(p, i) != UInt8(ascii: "-") {
                    mode = .comment
                    continue
                }
                mode = .commentDashDash
                i &+= 1
            default:  // .commentDashDash
                guard byte(p, i) == UInt8(ascii: ">") else { return fail(.doubleHyphenInComment, i, count) }
                mode = textMode
                return i &+ 1
            }
        }
        return i
    }

    // MARK: CDATA sections

    /// Inside `<![CDATA[ ... ]]>`: raw text (captured when in a field element) up to `]]>`. The
    /// `]` bytes are held back (counted in `brackets`) until it is clear they are not the end.
    mutating func scanCDATA(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            if brackets != 0 {
                let b = byte(p, i)
                if b == UInt8(ascii: "]") {
                    brackets &+= 1
                    i &+= 1
                    continue
                }
                if b == UInt8(ascii: ">") && brackets >= 2 {
                    if let slot = captureSlot {
                        appendBrackets(slot, brackets &- 2)
                        fields.breakRawRun(slot)
                    }
                    brackets = 0
                    mode = .content
                    return i &+ 1
                }
                if let slot = captureSlot { appendBrackets(slot, brackets) }
                brackets = 0
            }
            let end = TextRun.end(in: p, from: i, to: count, stop: UInt8(ascii: "]"))
            if let slot = captureSlot, end > i { fields.appendRaw(slot, p + i, end &- i) }
            i = end
            if i == count { return i }
            let b = byte(p, i)
            if b == UInt8(ascii: "]") {
                brackets = 1
                i &+= 1
                continue
            }
            i = beginCharacter(b, i, count)
            if mode == .failed { return i }
            if let slot = captureSlot { fields.appendRaw(slot, p + (i &- 1), 1) }
            return i
        }
        return i
    }

    private func appendBrackets(_ slot: FieldSlots.Slot, _ count: Int) {
        var bracket = UInt8(ascii: "]")
        for _ in 0..<count { fields.appendRaw(slot, &bracket, 1) }
    }

    // MARK: Processing instructions

    /// The data of a processing instruction, up to `?>`.
    mutating func scanProcessingInstruction(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            if mode == .piQuestion {
                let b = byte(p, i)
                if b == UInt8(ascii: ">") {
                    mode = textMode
                    return i &+ 1
                }
                mode = .piData
                if b == UInt8(ascii: "?") {
                    mode = .piQuestion
                    i &+= 1
                }
                continue
            }
            i = TextRun.end(in: p, from: i, to: count, stop: UInt8(ascii: "?"))
            if i == count { return i }
            let b = byte(p, i)
            if b != UInt8(ascii: "?") { return beginCharacter(b, i, count) }
            mode = .piQuestion
            i &+= 1
        }
        return i
    }
}
