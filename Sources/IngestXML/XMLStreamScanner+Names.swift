/// Names: of start tags (kept on `names` for end-tag matching), attributes and processing
/// instruction targets (kept in `attributes`), with the Namespaces rules for qualified names
/// (at most one colon, neither first nor last, a NameStartChar after it; none in a PI target).
extension XMLStreamScanner {
    /// Starts reading a name in `mode` (`.startTagName`, `.attributeName` or `.piTarget`); the
    /// caller has checked nothing about the first byte.
    @inline(__always)
    mutating func beginName(_ nameMode: Mode) {
        mode = nameMode
        nameLength = 0
        prefixLength = 0
        nameMustStart = true
        if nameMode == .startTagName {
            elementNameStart = names.pendingNameStart
            let room = XMLLimits.openNameBytes &- elementNameStart
            nameRoom = min(room, XMLLimits.maximumNameBytes)
            nameRoomReason = room < XMLLimits.maximumNameBytes ? .depthLimitExceeded : .nameTooLong
        } else {
            let room = attributes.pendingRoom
            nameRoom = min(room, XMLLimits.maximumNameBytes)
            nameRoomReason = room < XMLLimits.maximumNameBytes ? .tooManyAttributes : .nameTooLong
        }
    }

    /// Stores name bytes where the current kind of name is kept (room was checked byte by byte).
    @inline(__always)
    mutating func storeName(_ source: UnsafeRawPointer, _ count: Int) {
        guard count > 0 else { return }
        let stored = mode == .startTagName ? names.append(source, count) : attributes.append(source, count)
        assert(stored, "name room checked before storing")
    }

    /// Reads name bytes. Returns after handing the first byte that is not part of the name to
    /// `nameEnded`, after a UTF-8 lead byte (its continuation comes through
    /// `continueNameCharacter`), at the end of the piece, or on error.
    mutating func scanName(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        let qualified = mode != .piTarget
        while i < count {
            if nameMustStart {
                // The first character, or the first after the colon: a NameStartChar.
                let b = byte(p, i)
                if b < 0x80 {
                    let c = classes[Int(b)]
                    if c & ByteClass.name == 0 { break }  // not a name byte at all: the name ends here
                    if nameLength == nameRoom { return fail(nameRoomReason, i, count) }
                    // A colon first or right after the colon; a digit, `-` or `.` first.
                    if b == UInt8(ascii: ":") { return fail(.invalidQualifiedName, i, count) }
                    if c & ByteClass.nameStart == 0 { return fail(nameLength == 0 ? .unexpectedByte : .invalidQualifiedName, i, count) }
                    nameMustStart = false
                    storeName(p + i, 1)
                    nameLength &+= 1
                    i &+= 1
                    continue
                }
            }
            // The rest of the name: a run of plain name bytes, as far as the room allows.
            let runStart = i
            let limit = min(count, i &+ (nameRoom &- nameLength))
            while i < limit && classes[Int(byte(p, i))] & ByteClass.plainName != 0 { i &+= 1 }
            storeName(p + runStart, i &- runStart)
            nameLength &+= i &- runStart
            if i == count { return i }
            let b = byte(p, i)
            if b == UInt8(ascii: ":") {
                if nameLength == nameRoom { return fail(nameRoomReason, i, count) }
                if !qualified || prefixLength != 0 { return fail(.invalidQualifiedName, i, count) }
                prefixLength = nameLength
                nameMustStart = true
                storeName(p + i, 1)
                nameLength &+= 1
                i &+= 1
                continue
            }
            if classes[Int(b)] & ByteClass.name != 0 { return fail(nameRoomReason, i, count) }  // stopped by the room
            if b < 0x80 { break }
            // A multi-byte character: certain to be wrong as soon as no completion can be a name
            // character.
            if nameLength == nameRoom { return fail(nameRoomReason, i, count) }
            guard utf8.begin(b) else { return fail(.invalidUTF8, i, count) }
            let (low, high) = utf8.possibleScalars
            guard NameCharacters.intersect(low, high, start: nameMustStart) else {
                return fail(nameMustStart && nameLength > 0 ? .invalidQualifiedName : .unexpectedByte, i, count)
            }
            storeName(p + i, 1)
            nameLength &+= 1
            return i &+ 1
        }
        if i == count { return i }
        return nameEnded(p, i, count)
    }

    /// A continuation byte (already validated as UTF-8) of a name character.
    mutating func continueNameCharacter(_ p: UnsafeRawPointer, _ i: Int, _ count: Int) -> Int {
        if nameLength == nameRoom { return fail(nameRoomReason, i, count) }
        let (low, high) = utf8.possibleScalars
        guard NameCharacters.intersect(low, high, start: nameMustStart) else {
            return fail(nameMustStart && nameLength > 0 && prefixLength != 0 ? .invalidQualifiedName : .unexpectedByte, i, count)
        }
        storeName(p + i, 1)
        nameLength &+= 1
        if utf8.remaining == 0 { nameMustStart = false }
        return i &+ 1
    }

    /// The byte at `i` (ASCII, not a name character) ends the name being read.
    mutating func nameEnded(_ p: UnsafeRawPointer, _ i: Int, _ count: Int) -> Int {
        let b = byte(p, i)
        switch mode {
        case .startTagName:
            guard isSpace(b) || b == UInt8(ascii: ">") || b == UInt8(ascii: "/") else { return fail(.unexpectedByte, i, count) }
            // Still wanting a start character here means the name ended with its colon.
            if nameMustStart { return fail(.invalidQualifiedName, i, count) }
            names.push(nameStart: elementNameStart, prefixLength: prefixLength)
            noteElementStart()
            attributes.reset()
            if b == UInt8(ascii: ">") { return startTagClosed(p, i, count) }
            if b == UInt8(ascii: "/") { return startTagSlash(i, count) }
            mode = .tagSpace
            return i &+ 1
        case .attributeName:
            guard isSpace(b) || b == UInt8(ascii: "=") else { return fail(.unexpectedByte, i, count) }
            if nameMustStart { return fail(.invalidQualifiedName, i, count) }
            declaration = classifyDeclaration()
            if declaration == .none && isPrefixDeclarationOfXMLNS() { return fail(.invalidNamespaceDeclaration, i, count) }
            guard attributes.finishName(prefixLength: prefixLength) else { return fail(.duplicateAttribute, i, count) }
            valueLength = 0
            valueIsXMLName = true
            valueIsXMLNSName = true
            mode = b == UInt8(ascii: "=") ? .attributeBeforeValue : .attributeBeforeEquals
            return i &+ 1
        default:  // .piTarget
            guard nameLength > 0, isSpace(b) || b == UInt8(ascii: "?") else { return fail(.unexpectedByte, i, count) }
            let target = attributes.withPendingName { name -> UInt32 in
                guard name.count == 3 else { return 0 }
                return UInt32(name[0]) | UInt32(name[1]) &<< 8 | UInt32(name[2]) &<< 16
            }
            if target | 0x20_2020 == 0x6C_6D78 {  // "xml" in any case
                guard processingInstructionAtStart && target == 0x6C_6D78 else {
                    return fail(.misplacedXMLDeclaration, i, count)
                }
                guard isSpace(b) else { return fail(.unexpectedByte, i, count) }
                mode = .declaration
                declarationStep = .versionSpace
                return i &+ 1
            }
            mode = b == UInt8(ascii: "?") ? .piQuestion : .piData
            return i &+ 1
        }
    }

    /// `xmlns` and `xmlns:p` attributes declare namespaces; `xmlns:xml` has its own rule.
    private func classifyDeclaration() -> Declaration {
        attributes.withPendingName { name -> Declaration in
            guard name.count >= 5, name[0] == 0x78, name[1] == 0x6D, name[2] == 0x6C, name[3] == 0x6E, name[4] == 0x73 else {
                return .none
            }  // "xmlns"
            if name.count == 5 { return .defaultNamespace }
            guard prefixLength == 5 else { return .none }
            if name.count == 9 && name[6] == 0x78 && name[7] == 0x6D && name[8] == 0x6C { return .xmlPrefix }  // "xml"
            if name.count == 11 && name[6] == 0x78 && name[7] == 0x6D && name[8] == 0x6C && name[9] == 0x6E && name[10] == 0x73 {
                return .none  // "xmlns:xmlns", refused by the caller
            }
            return .prefix
        }
    }

    /// The name being read is `xmlns:xmlns`: the `xmlns` prefix may not be declared.
    private func isPrefixDeclarationOfXMLNS() -> Bool {
        attributes.withPendingName { name in
            name.count == 11 && prefixLength == 5 && name.elementsEqual("xmlns:xmlns".utf8)
        }
    }
}
