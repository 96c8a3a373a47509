/// The XML declaration, `<?xml version="1.x" encoding="UTF-8" standalone="yes"?>`, at the very
/// start of the document (after an optional BOM). Only UTF-8 is accepted: the scanner reads
/// bytes as UTF-8, so a body declared in another encoding would be misread.
extension XMLStreamScanner {
    /// Where inside the declaration the scanner is.
    enum DeclarationStep: UInt8 {
        /// After `<?xml` and white space: more white space, then `version`.
        case versionSpace
        /// Inside a keyword (`literalIndex` bytes of it read).
        case versionKeyword, encodingKeyword, standaloneKeyword
        /// After a keyword: white space, `=`.
        case versionEquals, encodingEquals, standaloneEquals
        /// After `=`: white space, a quote.
        case versionQuote, encodingQuote, standaloneQuote
        /// Inside a quoted value (`literalIndex` bytes of it read).
        case versionValue, encodingValue, standaloneValue
        /// Right after a value: white space or `?`.
        case afterVersion, afterEncoding
        /// After a value and white space: the next keyword or `?`.
        case afterVersionSpace, afterEncodingSpace, afterStandalone
        /// After `?`: `>`.
        case question
    }

    mutating func scanDeclaration(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = byte(p, i)
            let space = isSpace(b)
            switch declarationStep {
            case .versionSpace:
                if !space {
                    guard b == UInt8(ascii: "v") else { return fail(.unexpectedByte, i, count) }
                    declarationStep = .versionKeyword
                    literalIndex = 1
                }
            case .versionKeyword, .encodingKeyword, .standaloneKeyword:
                let keyword: StaticString = declarationStep == .versionKeyword ? "version"
                    : declarationStep == .encodingKeyword ? "encoding" : "standalone"
                guard b == keyword.utf8Start[literalIndex] else { return fail(.unexpectedByte, i, count) }
                literalIndex &+= 1
                if literalIndex == keyword.utf8CodeUnitCount {
                    declarationStep = declarationStep == .versionKeyword ? .versionEquals
                        : declarationStep == .encodingKeyword ? .encodingEquals : .standaloneEquals
                }
            case .versionEquals, .encodingEquals, .standaloneEquals:
                if !space {
                    guard b == UInt8(ascii: "=") else { return fail(.unexpectedByte, i, count) }
                    declarationStep = declarationStep == .versionEquals ? .versionQuote
                        : declarationStep == .encodingEquals ? .encodingQuote : .standaloneQuote
                }
            case .versionQuote, .encodingQuote, .standaloneQuote:
                if !space {
                    guard b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") else { return fail(.unexpectedByte, i, count) }
                    quote = b
                    literalIndex = 0
                    declarationStep = declarationStep == .versionQuote ? .versionValue
                        : declarationStep == .encodingQuote ? .encodingValue : .standaloneValue
                }
            case .versionValue:
                // VersionNum ::= '1.' [0-9]+
                let isDigit = b &- UInt8(ascii: "0") < 10
                switch literalIndex {
                case 0: guard b == UInt8(ascii: "1") else { return fail(.unexpectedByte, i, count) }
                case 1: guard b == UInt8(ascii: ".") else { return fail(.unexpectedByte, i, count) }
                case 2: guard isDigit else { return fail(.unexpectedByte, i, count) }
                default:
                    if b == quote {
                        declarationStep = .afterVersion
                        break
                    }
                    guard isDigit else { return fail(.unexpectedByte, i, count) }
                }
                literalIndex &+= 1
            case .encodingValue:
                // EncName ::= [A-Za-z] ([A-Za-z0-9._] | '-')*, and it must name UTF-8.
                let name: StaticString = "utf-8"
                let letter = (b | 0x20) &- UInt8(ascii: "a") < 26
                if b == quote && literalIndex > 0 {
                    guard literalIndex == name.utf8CodeUnitCount else { return fail(.unsupportedEncoding, i, count) }
                    declarationStep = .afterEncoding
                } else {
                    let allowed = letter || (literalIndex > 0 && (b &- UInt8(ascii: "0") < 10 || b == UInt8(ascii: ".")
                                                                   || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")))
                    guard allowed else { return fail(.unexpectedByte, i, count) }
                    let folded = letter ? b | 0x20 : b
                    guard literalIndex < name.utf8CodeUnitCount, folded == name.utf8Start[literalIndex] else {
                        return fail(.unsupportedEncoding, i, count)
                    }
                    literalIndex &+= 1
                }
            case .standaloneValue:
                if literalIndex == 0 {
                    guard b == UInt8(ascii: "y") || b == UInt8(ascii: "n") else { return fail(.unexpectedByte, i, count) }
                    literalIndex = b == UInt8(ascii: "y") ? 1 : 11  // 1...3 in "yes", 11...12 in "no"
                } else if literalIndex == 3 || literalIndex == 12 {
                    guard b == quote else { return fail(.unexpectedByte, i, count) }
                    declarationStep = .afterStandalone
                } else {
                    let expected = literalIndex == 1 ? UInt8(ascii: "e") : literalIndex == 2 ? UInt8(ascii: "s") : UInt8(ascii: "o")
                    guard b == expected else { return fail(.unexpectedByte, i, count) }
                    literalIndex &+= 1
                }
            case .afterVersion, .afterEncoding:
                if space {
                    declarationStep = declarationStep == .afterVersion ? .afterVersionSpace : .afterEncodingSpace
                } else {
                    guard b == UInt8(ascii: "?") else { return fail(.unexpectedByte, i, count) }
                    declarationStep = .question
                }
            case .afterVersionSpace, .afterEncodingSpace, .afterStandalone:
                if space { break }
                if b == UInt8(ascii: "?") {
                    declarationStep = .question
                } else if b == UInt8(ascii: "e") && declarationStep == .afterVersionSpace {
                    declarationStep = .encodingKeyword
                    literalIndex = 1
                } else if b == UInt8(ascii: "s") && declarationStep != .afterStandalone {
                    declarationStep = .standaloneKeyword
                    literalIndex = 1
                } else {
                    return fail(.unexpectedByte, i, count)
                }
            case .question:
                guard b == UInt8(ascii: ">") else { return fail(.unexpectedByte, i, count) }
                mode = .prolog
                return i &+ 1
            }
            i &+= 1
        }
        return i
    }
}
