/// Why a body is not a well-formed XML 1.0 document (with namespaces, in UTF-8, without a DTD),
/// and the byte at which that became certain.
///
/// `offset` is the length of the longest prefix of the document that is still the beginning of
/// some document the scanner accepts: the offending byte's offset, or the document's length for
/// `.unexpectedEnd`. So feeding `document[..<offset]` alone and finishing always reports
/// `.unexpectedEnd` at `offset`, and feeding `document[...offset]` reports this same error (the
/// tests check both for every malformed input they make). Some errors are therefore reported a
/// little after where a person would point: an undeclared prefix at the `>` or `/` that ends the
/// start tag (a declaration could still follow until then), a duplicate attribute at the byte
/// after its name.
///
/// A small value with no heap storage: creating one on the hot path allocates nothing; the text
/// is only built when `description` is asked for.
public struct XMLScanError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Stable names: tools print `rawValue`, so do not rename cases.
    public enum Reason: String, Sendable, Equatable, Hashable, CaseIterable {
        /// A byte that cannot start or continue the grammar here: text before the root element, a
        /// missing `=` or quote, a bad name start, a stray `/`, `<` in an attribute value, a
        /// malformed XML declaration, a reference that is not `&name;` or `&#...;`.
        case unexpectedByte
        /// The document ended early: inside markup, with elements open, or with no root element.
        case unexpectedEnd
        /// Anything but whitespace, comments and processing instructions after the root element.
        case trailingContent
        /// Ill-formed UTF-8 (overlong, surrogate, above U+10FFFF, truncated or stray continuation
        /// byte; Unicode Table 3-7).
        case invalidUTF8
        /// A character XML 1.0 does not allow in a document: a control character other than tab,
        /// line feed and carriage return, or U+FFFE / U+FFFF.
        case invalidCharacter
        /// An end tag whose name is not that of the element it closes (or one with no open element).
        case mismatchedEndTag
        /// A named reference other than the five predefined ones (`lt gt amp apos quot`): with no
        /// DTD there are no other entities.
        case undefinedEntity
        /// `&#...;` with no digits, a non-digit, or a value that is not an XML character.
        case invalidCharacterReference
        /// The same attribute name twice in one start tag.
        case duplicateAttribute
        /// A namespace prefix with no `xmlns:prefix` declaration in scope.
        case undeclaredPrefix
        /// A name breaking Namespaces in XML: more than one colon, an empty prefix or local part, a
        /// colon in a processing-instruction target.
        case invalidQualifiedName
        /// A namespace declaration the Namespaces spec forbids: `xmlns:p=""`, declaring the
        /// `xmlns` prefix, binding `xml` to another name or the XML / XMLNS names to another prefix.
        case invalidNamespaceDeclaration
        /// `<!DOCTYPE`: DTDs are never processed, so entity-expansion and external-entity attacks
        /// have nothing to work with. Reported at the `D`.
        case doctypeNotAllowed
        /// An XML declaration naming an encoding other than UTF-8.
        case unsupportedEncoding
        /// A processing instruction named `xml` (any case) other than the declaration at the very
        /// start of the document (after an optional BOM).
        case misplacedXMLDeclaration
        /// `]]>` in character data.
        case cdataEndInText
        /// `--` inside a comment (or a comment ending in `--->`).
        case doubleHyphenInComment
        /// More nested elements than the scanner's `maxDepth`, or open element names and the
        /// namespace prefixes they declare over the scanner's fixed room (`XMLLimits`).
        case depthLimitExceeded
        /// A name (element, attribute, prefix, processing-instruction target) longer than
        /// `XMLLimits.maximumNameBytes`.
        case nameTooLong
        /// More attributes, or longer attribute names in total, in one start tag than `XMLLimits` allows.
        case tooManyAttributes

        /// A short human phrase for messages.
        public var phrase: String {
            switch self {
            case .unexpectedByte: "unexpected byte"
            case .unexpectedEnd: "unexpected end of document"
            case .trailingContent: "content after the root element"
            case .invalidUTF8: "invalid UTF-8"
            case .invalidCharacter: "character not allowed in XML"
            case .mismatchedEndTag: "end tag does not match the open element"
            case .undefinedEntity: "undefined entity"
            case .invalidCharacterReference: "invalid character reference"
            case .duplicateAttribute: "duplicate attribute"
            case .undeclaredPrefix: "undeclared namespace prefix"
            case .invalidQualifiedName: "invalid qualified name"
            case .invalidNamespaceDeclaration: "invalid namespace declaration"
            case .doctypeNotAllowed: "DOCTYPE not allowed"
            case .unsupportedEncoding: "encoding other than UTF-8"
            case .misplacedXMLDeclaration: "misplaced XML declaration"
            case .cdataEndInText: "]]> in character data"
            case .doubleHyphenInComment: "-- in comment"
            case .depthLimitExceeded: "nesting limit exceeded"
            case .nameTooLong: "name too long"
            case .tooManyAttributes: "too many attributes"
            }
        }
    }

    public var reason: Reason
    /// Byte offset in the whole document (not in the piece being fed).
    public var offset: Int

    public init(reason: Reason, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// For example "undefined entity at byte 1234".
    public var description: String { "\(reason.phrase) at byte \(offset)" }
}
