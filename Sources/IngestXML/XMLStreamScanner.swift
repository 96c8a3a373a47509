/// The resumable XML 1.0 well-formedness checker and field extractor behind `ConnectXMLScanner`.
///
/// Design: a byte-driven state machine whose whole state is in this value, so a piece boundary
/// can fall anywhere (inside a name, a UTF-8 sequence, a reference, the XML declaration, `]]>`)
/// and the next `feed` continues exactly there. It never buffers or copies the input; it copies
/// only names (open elements' for end-tag matching, a start tag's attributes' for duplicates and
/// prefixes) and the text of the three field elements, into room allocated in `init`.
/// Character data, attribute values, comments and CDATA are skipped with `TextRun` (SIMD, 64
/// bytes per step on long runs such as base64 `PDFBytes`); `feed` dispatches on `mode` once per
/// token at most.
///
/// What "well-formed" means here: XML 1.0 (fifth edition) plus Namespaces in XML 1.0, in UTF-8
/// (an optional BOM; a declared encoding must be UTF-8), with no document type declaration (a
/// `<!DOCTYPE` is an error: no DTD, so no entities but the five predefined ones, no external
/// anything). See `XMLScanError.Reason` for each rule and `XMLLimits` for the fixed bounds.
///
/// This file holds the state and the dispatcher; the `+Text`, `+Markup`, `+Names`,
/// `+Declaration` and `+Fields` extensions hold the rest. Not thread-safe.
struct XMLStreamScanner: ~Copyable {
    /// What the next byte must be.
    enum Mode: UInt8 {
        /// Offset 0: a BOM, `<` (perhaps of the XML declaration), white space.
        case documentStart
        /// Inside the UTF-8 BOM (`literalIndex` bytes read).
        case byteOrderMark
        /// Right after the BOM: `<` (perhaps of the XML declaration) or white space.
        case afterByteOrderMark
        /// Between markup before the root element: white space or `<`.
        case prolog
        /// Character data inside the root element.
        case content
        /// After the root element: white space or `<` of a comment or processing instruction.
        case epilog
        /// After `<`.
        case lessThan
        /// After `<!`.
        case bang
        /// After `<!-`: the second `-`.
        case commentOpen
        /// Inside a comment; after one `-`; after `--` (only `>` may follow).
        case comment, commentDash, commentDashDash
        /// Inside `<![CDATA[` (`literalIndex` bytes of `CDATA[` read).
        case cdataOpen
        /// Inside a CDATA section (`brackets` = `]` bytes just read).
        case cdata
        /// The target name of a processing instruction; its data; after `?` in its data.
        case piTarget, piData, piQuestion
        /// Inside the XML declaration (`declarationStep` says where).
        case declaration
        /// The name of a start tag.
        case startTagName
        /// In a start tag after white space: an attribute name, `>` or `/`.
        case tagSpace
        /// In a start tag right after an attribute value: white space, `>` or `/`.
        case tagAfterValue
        /// After `/` in a start tag: `>`.
        case emptyTagSlash
        case attributeName, attributeBeforeEquals, attributeBeforeValue, attributeValue
        /// The name of an end tag (`endTagMatched` bytes matched so far); after it.
        case endTagName, endTagSpace
        /// After `&`; inside `&name`; after `&#`; after `&#x`; inside decimal / hex digits.
        case reference, entityName, charRefStart, charRefHexStart, charRefDecimal, charRefHex
        /// An error was found; `error` holds it and further input is ignored.
        case failed
        /// `finish()` was called on a well-formed document.
        case finished
    }

    /// Where markup is: it decides what `<`-constructs and text are allowed.
    enum Place: UInt8 { case prolog, content, epilog }

    /// What the attribute being read declares, if anything.
    enum Declaration: UInt8 { case none, defaultNamespace, prefix, xmlPrefix }

    let maxDepth: Int
    let classes: UnsafePointer<UInt8>
    var mode: Mode = .documentStart
    var place: Place = .prolog
    /// Bytes fed before the current piece: piece index + `consumed` = document offset.
    var consumed = 0
    var error: XMLScanError? = nil
    var names: NameStack
    var attributes: AttributeTable
    let fields: FieldSlots
    var utf8 = UTF8Decoder()

    // The name being read (element, attribute or processing-instruction target).
    var nameLength = 0
    /// Bytes before the colon of the name being read; 0 while it has none.
    var prefixLength = 0
    /// The next name character must be a NameStartChar: at the name's start and after its colon.
    var nameMustStart = true
    /// How long the name may grow here, and the error when it would grow longer.
    var nameRoom = 0
    var nameRoomReason = XMLScanError.Reason.nameTooLong
    /// Where in `names` the element name being read starts.
    var elementNameStart = 0

    // Start tags, references, literals.
    var endTagMatched = 0
    var quote: UInt8 = 0
    var declaration = Declaration.none
    /// Matching a namespace declaration's value against the two names that have rules.
    var valueLength = 0
    var valueIsXMLName = false
    var valueIsXMLNSName = false
    var referenceInAttribute = false
    var entityName: UInt32 = 0
    var entityLength = 0
    var characterReference: UInt32 = 0
    var literalIndex = 0
    /// `]` bytes just read in character data (up to 2) or in a CDATA section.
    var brackets = 0
    /// The `<?` being read is at the very start of the document (after an optional BOM).
    var processingInstructionAtStart = false
    var bomLength = 0
    var declarationStep = DeclarationStep.versionSpace

    // Fields (see `+Fields`).
    /// How many of the open elements, outermost first, are `DocuSignEnvelopeInformation` and
    /// `EnvelopeStatus`.
    var pathDepth = 0
    /// The field the element whose start tag is being read would give.
    var pendingCapture: FieldSlots.Slot? = nil
    /// The field whose element's text is being read (its element is the innermost open one).
    var captureSlot: FieldSlots.Slot? = nil

    init(maxDepth: Int) {
        precondition(maxDepth >= 0, "maxDepth must not be negative")
        self.maxDepth = maxDepth
        classes = ByteClass.table
        names = NameStack(maxDepth: maxDepth)
        attributes = AttributeTable()
        fields = FieldSlots()
    }

    /// Forgets the document: ready for a new one. Allocates nothing.
    mutating func reset() {
        mode = .documentStart
        place = .prolog
        consumed = 0
        error = nil
        names.reset()
        attributes.reset()
        utf8.reset()
        brackets = 0
        bomLength = 0
        pathDepth = 0
        pendingCapture = nil
        captureSlot = nil
        fields.resetAll()
    }

    /// Scans one piece. Any size, including 0. After an error, or after `finish()`, it does nothing.
    mutating func feed(_ piece: UnsafeRawBufferPointer) {
        guard mode != .failed, mode != .finished, let base = piece.baseAddress else {
            assert(mode != .finished || piece.isEmpty, "feed after finish without reset")
            if mode == .failed { consumed &+= piece.count }
            return
        }
        let count = piece.count
        var i = 0
        while i < count {
            if utf8.remaining != 0 {
                i = continueCharacter(base, i, count)
                continue
            }
            switch mode {
            case .content: i = scanContent(base, i, count)
            case .lessThan: i = afterLessThan(base, i, count)
            case .startTagName, .attributeName, .piTarget: i = scanName(base, i, count)
            case .endTagName: i = scanEndTagName(base, i, count)
            case .tagSpace, .tagAfterValue, .emptyTagSlash, .attributeBeforeEquals, .attributeBeforeValue, .endTagSpace:
                i = scanTagPunctuation(base, i, count)
            case .attributeValue: i = scanAttributeValue(base, i, count)
            case .prolog, .epilog, .documentStart, .byteOrderMark, .afterByteOrderMark: i = scanMisc(base, i, count)
            case .bang, .commentOpen, .cdataOpen: i = scanMarkupOpening(base, i, count)
            case .comment, .commentDash, .commentDashDash: i = scanComment(base, i, count)
            case .cdata: i = scanCDATA(base, i, count)
            case .piData, .piQuestion: i = scanProcessingInstruction(base, i, count)
            case .declaration: i = scanDeclaration(base, i, count)
            case .reference, .entityName, .charRefStart, .charRefHexStart, .charRefDecimal, .charRefHex:
                i = scanReference(base, i, count)
            case .failed, .finished: i = count
            }
        }
        consumed &+= count
    }

    /// Ends the document: nil when it was well-formed, else the first error.
    mutating func finish() -> XMLScanError? {
        switch mode {
        case .failed, .finished:
            return error
        case .epilog where utf8.remaining == 0:
            mode = .finished
            return nil
        default:
            // Markup still open, elements unclosed, or no root element: the input stopped early.
            recordError(.unexpectedEnd, at: consumed)
            return error
        }
    }

    /// Records the first error and stops: `mode` becomes `.failed`, nothing half-read is kept.
    @inline(never)
    mutating func recordError(_ reason: XMLScanError.Reason, at documentOffset: Int) {
        error = XMLScanError(reason: reason, offset: documentOffset)
        mode = .failed
        captureSlot = nil
        utf8.reset()
    }

    /// Fails at index `i` of the current piece of `count` bytes. Returns `count`, so a handler can
    /// `return fail(...)` to end the piece.
    @inline(__always)
    mutating func fail(_ reason: XMLScanError.Reason, _ i: Int, _ count: Int) -> Int {
        recordError(reason, at: consumed &+ i)
        return count
    }

    @inline(__always)
    func byte(_ p: UnsafeRawPointer, _ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }

    @inline(__always)
    func isSpace(_ b: UInt8) -> Bool { classes[Int(b)] & ByteClass.space != 0 }

    /// The text mode of the current place: where a comment or processing instruction returns to.
    @inline(__always)
    var textMode: Mode {
        switch place {
        case .prolog: .prolog
        case .content: .content
        case .epilog: .epilog
        }
    }
}
