/// Tags: what follows `<`, start tags with their attributes and namespace declarations, end tags.
extension XMLStreamScanner {
    /// After `<`: a start tag, an end tag, `<!` or `<?`, depending on the place.
    mutating func afterLessThan(_ p: UnsafeRawPointer, _ i: Int, _ count: Int) -> Int {
        let b = byte(p, i)
        switch b {
        case UInt8(ascii: "?"):
            processingInstructionAtStart = place == .prolog && consumed &+ i &- 1 == bomLength
            attributes.reset()
            _ = attributes.beginName()
            beginName(.piTarget)
            return i &+ 1
        case UInt8(ascii: "!"):
            mode = .bang
            return i &+ 1
        case UInt8(ascii: "/") where place == .content:
            mode = .endTagName
            endTagMatched = 0
            return i &+ 1
        default:
            guard place != .epilog else { return fail(.trailingContent, i, count) }
            guard classes[Int(b)] & ByteClass.nameStart != 0 || b >= 0x80 else { return fail(.unexpectedByte, i, count) }
            guard names.depth < maxDepth else { return fail(.depthLimitExceeded, i, count) }
            if captureSlot != nil {
                // A child element: the field element has no plain text value.
                captureSlot = nil
            }
            beginName(.startTagName)
            return i  // the name reader takes this byte
        }
    }

    /// White space and punctuation inside tags, between names and values.
    mutating func scanTagPunctuation(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = byte(p, i)
            let space = isSpace(b)
            switch mode {
            case .tagSpace, .tagAfterValue:
                if space {
                    mode = .tagSpace
                    i &+= 1
                    continue
                }
                if b == UInt8(ascii: ">") { return startTagClosed(p, i, count) }
                if b == UInt8(ascii: "/") { return startTagSlash(i, count) }
                guard mode == .tagSpace, classes[Int(b)] & ByteClass.nameStart != 0 || b >= 0x80 else {
                    return fail(.unexpectedByte, i, count)
                }
                guard attributes.beginName() else { return fail(.tooManyAttributes, i, count) }
                beginName(.attributeName)
                return i
            case .emptyTagSlash:
                guard b == UInt8(ascii: ">") else { return fail(.unexpectedByte, i, count) }
                return emptyElementClosed(i)
            case .attributeBeforeEquals:
                if space {
                    i &+= 1
                    continue
                }
                guard b == UInt8(ascii: "=") else { return fail(.unexpectedByte, i, count) }
                mode = .attributeBeforeValue
            case .attributeBeforeValue:
                if space {
                    i &+= 1
                    continue
                }
                guard b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") else { return fail(.unexpectedByte, i, count) }
                quote = b
                mode = .attributeValue
                return i &+ 1
            default:  // .endTagSpace
                if space {
                    i &+= 1
                    continue
                }
                guard b == UInt8(ascii: ">") else { return fail(.unexpectedByte, i, count) }
                return endTagClosed(i)
            }
            i &+= 1
        }
        return i
    }

    // MARK: Start tags

    /// `>` at `i` ends a start tag: prefixes are resolved and the element's content begins.
    mutating func startTagClosed(_ p: UnsafeRawPointer, _ i: Int, _ count: Int) -> Int {
        guard resolveNamespaces(i, count) else { return count }
        place = .content
        mode = .content
        if let slot = pendingCapture {
            fields.begin(slot)
            captureSlot = slot
            pendingCapture = nil
        }
        return i &+ 1
    }

    /// `/` at `i` in a start tag: no more attributes can come, so prefixes are resolved now.
    mutating func startTagSlash(_ i: Int, _ count: Int) -> Int {
        guard resolveNamespaces(i, count) else { return count }
        mode = .emptyTagSlash
        return i &+ 1
    }

    /// `>` at `i` ends an empty-element tag.
    mutating func emptyElementClosed(_ i: Int) -> Int {
        if let slot = pendingCapture {
            fields.begin(slot)
            fields.commit(slot)
            pendingCapture = nil
        }
        closeElement()
        return i &+ 1
    }

    /// Declares this tag's `xmlns:p` prefixes, then checks that the element's prefix and each
    /// attribute's are declared. False after recording the error at `i`.
    mutating func resolveNamespaces(_ i: Int, _ count: Int) -> Bool {
        let attributeCount = attributes.count
        if attributeCount == 0 && names.innermost.prefixLength == 0 { return true }
        for index in 0..<attributeCount {
            let declared: Bool? = attributes.withPrefix(index) { prefix in
                guard Self.isXMLNS(prefix) else { return nil }
                return attributes.withLocalName(index) { names.declare($0) }
            }
            if declared == false {
                _ = fail(.depthLimitExceeded, i, count)
                return false
            }
        }
        if names.innermost.prefixLength != 0 && !names.withInnermostPrefix({ names.isDeclared($0) }) {
            _ = fail(.undeclaredPrefix, i, count)
            return false
        }
        for index in 0..<attributeCount {
            let known = attributes.withPrefix(index) { prefix in
                prefix.isEmpty || Self.isXMLNS(prefix) || names.isDeclared(prefix)
            }
            if !known {
                _ = fail(.undeclaredPrefix, i, count)
                return false
            }
        }
        return true
    }

    static func isXMLNS(_ prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.count == 5 && prefix[0] == 0x78 && prefix[1] == 0x6D && prefix[2] == 0x6C && prefix[3] == 0x6E && prefix[4] == 0x73
    }

    // MARK: Attribute values

    /// Inside a quoted attribute value: text and references up to the closing quote; `<` is an error.
    mutating func scanAttributeValue(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let end = TextRun.attributeValueEnd(in: p, from: i, to: count, quote: quote)
            if declaration != .none {
                for index in i..<end { noteDeclarationValue(byte(p, index)) }
            }
            i = end
            if i == count { return i }
            let b = byte(p, i)
            if b == quote {
                if declaration != .none, let reason = declarationValueError() { return fail(reason, i, count) }
                mode = .tagAfterValue
                return i &+ 1
            }
            if b == UInt8(ascii: "&") {
                mode = .reference
                referenceInAttribute = true
                return i &+ 1
            }
            if b == UInt8(ascii: "<") { return fail(.unexpectedByte, i, count) }
            i = beginCharacter(b, i, count)
            if mode != .failed && declaration != .none { noteDeclarationValue(b) }
            return i
        }
        return i
    }

    /// One byte (as decoded) of a namespace declaration's value, matched against the two names
    /// that have rules.
    @inline(__always)
    mutating func noteDeclarationValue(_ b: UInt8) {
        let xmlName: StaticString = "http://www.w3.org/XML/1998/namespace"
        let xmlnsName: StaticString = "http://www.w3.org/2000/xmlns/"
        valueIsXMLName = valueIsXMLName && valueLength < xmlName.utf8CodeUnitCount && xmlName.utf8Start[valueLength] == b
        valueIsXMLNSName = valueIsXMLNSName && valueLength < xmlnsName.utf8CodeUnitCount && xmlnsName.utf8Start[valueLength] == b
        valueLength &+= 1
    }

    /// Namespaces in XML 1.0, section 3: the rules a declaration's value must follow.
    func declarationValueError() -> XMLScanError.Reason? {
        let isXMLName = valueIsXMLName && valueLength == 36
        let isXMLNSName = valueIsXMLNSName && valueLength == 29
        switch declaration {
        case .none: return nil
        case .xmlPrefix: return isXMLName ? nil : .invalidNamespaceDeclaration
        case .prefix: return valueLength == 0 || isXMLName || isXMLNSName ? .invalidNamespaceDeclaration : nil
        case .defaultNamespace: return isXMLName || isXMLNSName ? .invalidNamespaceDeclaration : nil
        }
    }

    // MARK: End tags

    /// The name of an end tag, compared byte by byte with the innermost open element's.
    mutating func scanEndTagName(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        let expected = Int(names.innermost.nameLength)
        let available = min(count &- start, expected &- endTagMatched)
        let matched = names.innermostNameMatches(p + start, count: available, from: endTagMatched)
        endTagMatched &+= matched
        var i = start &+ matched
        if i == count { return i }
        let b = byte(p, i)
        let continuesName = classes[Int(b)] & ByteClass.name != 0 || b >= 0x80
        if endTagMatched < expected {
            // A different name byte: another name. White space or `>`: a shorter name (unless
            // there is no name at all). Anything else cannot be in an end tag.
            if continuesName { return fail(.mismatchedEndTag, i, count) }
            let endsName = endTagMatched > 0 && (isSpace(b) || b == UInt8(ascii: ">"))
            return fail(endsName ? .mismatchedEndTag : .unexpectedByte, i, count)
        }
        if continuesName { return fail(.mismatchedEndTag, i, count) }
        if b == UInt8(ascii: ">") { return endTagClosed(i) }
        guard isSpace(b) else { return fail(.unexpectedByte, i, count) }
        mode = .endTagSpace
        i &+= 1
        return i
    }

    /// `>` at `i` ends an end tag.
    mutating func endTagClosed(_ i: Int) -> Int {
        if let slot = captureSlot {
            fields.commit(slot)
            captureSlot = nil
        }
        closeElement()
        return i &+ 1
    }

    /// The innermost element is complete.
    @inline(__always)
    mutating func closeElement() {
        names.pop()
        if pathDepth > names.depth { pathDepth = names.depth }
        if names.depth == 0 {
            place = .epilog
            mode = .epilog
        } else {
            mode = .content
        }
    }
}
