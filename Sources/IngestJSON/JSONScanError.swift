/// Why a body is not RFC 8259 JSON, and the byte at which that became certain.
///
/// `offset` is the length of the longest prefix of the document that is still the beginning of
/// some valid document: the offending byte's offset, or the document's length for
/// `.unexpectedEnd`. So feeding `document[..<offset]` alone and finishing always reports
/// `.unexpectedEnd` at `offset` (the tests check this for every invalid input they make).
///
/// A small value with no heap storage: creating one on the hot path allocates nothing; the text
/// is only built when `description` is asked for.
public struct JSONScanError: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Stable names: tools print `rawValue`, so do not rename cases.
    public enum Reason: String, Sendable, Equatable, Hashable, CaseIterable {
        /// A byte outside any string that cannot start or continue the grammar here (a missing
        /// comma or colon, a trailing comma, a non-string key, a stray bracket, a non-ASCII byte...).
        case unexpectedByte
        /// The document ended inside a value, or held no value at all (empty or whitespace only).
        case unexpectedEnd
        /// Something other than whitespace after the one top-level value.
        case trailingContent
        /// A raw byte below 0x20 inside a string (it must be escaped).
        case controlCharacterInString
        /// A backslash followed by anything but `" \ / b f n r t u`, or a non-hex digit in `\u`.
        case invalidEscape
        /// A `\u` escape of a UTF-16 surrogate that is not part of a high-low pair.
        case loneSurrogate
        /// Ill-formed UTF-8 inside a string (overlong, surrogate, above U+10FFFF, truncated or
        /// stray continuation byte; Unicode Table 3-7).
        case invalidUTF8
        /// A number that breaks the grammar: leading zero, `+`, a bare `.`, missing digits.
        case invalidNumber
        /// A misspelt `true`, `false` or `null`.
        case invalidLiteral
        /// More nested arrays/objects than the scanner's `maxDepth`.
        case depthLimitExceeded

        /// A short human phrase for messages.
        public var phrase: String {
            switch self {
            case .unexpectedByte: "unexpected byte"
            case .unexpectedEnd: "unexpected end of document"
            case .trailingContent: "content after the top-level value"
            case .controlCharacterInString: "raw control character in string"
            case .invalidEscape: "invalid escape"
            case .loneSurrogate: "lone UTF-16 surrogate escape"
            case .invalidUTF8: "invalid UTF-8"
            case .invalidNumber: "invalid number"
            case .invalidLiteral: "invalid literal"
            case .depthLimitExceeded: "nesting depth limit exceeded"
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

    /// For example "invalid escape at byte 1234".
    public var description: String { "\(reason.phrase) at byte \(offset)" }
}
