import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import IngestXML

/// Foundation's `XMLParser` (libxml2 underneath, with namespace processing on) as the reference
/// for the differential test, and the places where it knowingly differs from the scanner. Each
/// difference was found by probing XMLParser on this toolchain (swift-corelibs-foundation,
/// Swift 6.3); `XMLFoundationDeviationTests` pins every one with examples:
///
/// 1. It accepts documents that end early: empty input, white space only, unclosed elements
///    (`<a>`, `<a><b>text`). The scanner reports `.unexpectedEnd`.
/// 2. It accepts a document type declaration (and expands internal entities). The scanner never
///    processes a DTD: `.doctypeNotAllowed`.
/// 3. It accepts XML declarations naming other encodings and converts (`ISO-8859-1`, `utf8`,
///    `US-ASCII`). The scanner reads UTF-8 only: `.unsupportedEncoding`.
/// 4. It reports a warning (code 97, "unsupported version") through the error callback for
///    `version="1.1"` and other `1.x`, which XML 1.0 (fifth edition) allows and the scanner
///    accepts.
/// 5. It crashes (a NULL string reaches `strlen`) on a processing instruction without data,
///    such as `<?pi?>`. Such inputs are never given to it (`isSafeForFoundation`); the scanner
///    accepts them.
/// 6. It crashes (a trap in `_NSXMLParserStartElementNs`) on some input that is not UTF-8, such
///    as `<d\x80<\xE2\x80`, where libxml2's recovery hands it an ill-formed name. Input that is
///    not valid UTF-8 is therefore never given to it either; the differential test checks the
///    scanner's verdict on such input against Swift's own UTF-8 decoder instead
///    (`firstInvalidUTF8`).
/// 7. It reports the content of CDATA sections without line-end handling (`<![CDATA[a\r\nb]]>`
///    gives "a\r\nb"); XML 1.0 section 2.11 turns CR LF and CR into LF before parsing, as
///    libxml2 does for character data, and so does the scanner. The oracle applies that rule to
///    what `foundCDATA` gives.
/// 8. It warns (code 99, through the error callback) about namespace names that are not valid
///    URI references (`xmlns:p="a b"`, `xmlns:p="urn:q\u{E9}"`). Namespaces in XML asks for URI
///    references but names no constraint for it, and the scanner does not check URI syntax.
/// 9. It warns (code 64) about processing-instruction targets that begin with `xml` other than
///    `xml-stylesheet` and `xml-model` (`<?xml-foo d?>`): such names are reserved for future
///    standards, not errors, and the scanner accepts them. (The same code is also its fatal
///    error for a misplaced XML declaration, which the scanner rejects as well.)
/// "Well-formed" for the oracle means: `parse()` returned true and no error was reported through
/// the delegate (namespace errors are reported but do not stop libxml2, so they count too).
enum XMLFoundationOracle {
    enum Verdict {
        case wellFormed(XMLOutcome)
        /// The libxml2 error codes reported.
        case malformed([Int])
    }

    static func parse(_ bytes: [UInt8]) -> Verdict {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let collector = FieldCollector()
        parser.delegate = collector
        let ok = parser.parse()
        if !ok || !collector.errors.isEmpty || parser.parserError != nil {
            let codes = collector.errors + (parser.parserError.map { [($0 as NSError).code] } ?? [])
            return .malformed(codes)
        }
        return .wellFormed(collector.outcome)
    }

    /// Deviations 5 and 6: false when the bytes are not valid UTF-8 or hold `<?` + name + `?>` (a
    /// processing instruction with no data), either of which can crash the test process.
    static func isSafeForFoundation(_ bytes: [UInt8]) -> Bool {
        guard firstInvalidUTF8(bytes) == nil else { return false }
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<") && bytes[index + 1] == UInt8(ascii: "?") {
                var end = index + 2
                while end < bytes.count && !isSpaceOrQuestion(bytes[end]) { end += 1 }
                if end > index + 2 && end + 1 < bytes.count && bytes[end] == UInt8(ascii: "?") && bytes[end + 1] == UInt8(ascii: ">") {
                    return false
                }
            }
            index += 1
        }
        return true
    }

    /// The offset of the first ill-formed UTF-8 sequence, by the standard library's decoder (an
    /// implementation independent of the scanner's), or nil when all of `bytes` is UTF-8.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private static func isSpaceOrQuestion(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == UInt8(ascii: "?")
    }

    /// Deviation 4: the unsupported-version warning.
    static let versionWarning = 97
    /// Deviation 8: the namespace-name-is-not-a-URI warning.
    static let namespaceURIWarning = 99

    /// Deviation 9: the reserved-PI-target warning.
    static let reservedTargetWarning = 64

    /// All Foundation reported are warnings of deviations 4, 8 and 9.
    static func isWarningsOnly(_ codes: [Int]) -> Bool {
        !codes.isEmpty && codes.allSatisfy { [versionWarning, namespaceURIWarning, reservedTargetWarning].contains($0) }
    }
}

/// Collects the fields by the scanner's documented rules from XMLParser's events: the paths on
/// local names, character data and CDATA of the field element, no value when it has a child, the
/// last complete element winning.
private final class FieldCollector: NSObject, XMLParserDelegate {
    var outcome = XMLOutcome()
    var errors: [Int] = []
    private var depth = 0
    private var pathDepth = 0
    private var field: ConnectXMLField?
    private var text: [UInt8] = []
    private var hasChild = false

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        if field != nil { hasChild = true }
        switch depth {
        case 1: pathDepth = elementName == "DocuSignEnvelopeInformation" ? 1 : 0
        case 2 where pathDepth >= 1: pathDepth = elementName == "EnvelopeStatus" ? 2 : 1
        case 3 where pathDepth == 2:
            switch elementName {
            case "EnvelopeID": field = .envelopeId
            case "TimeGenerated": field = .generatedDateTime
            case "Status": field = .event
            default: field = nil
            }
            text = []
            hasChild = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if depth == 3, let field {
            var value: [UInt8]? = hasChild ? nil : text
            if field == .event, let bytes = value {
                value = Array("envelope-".utf8) + bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            }
            if let bytes = value, bytes.count > XMLLimits.fieldValueBytes { value = Array(bytes.prefix(XMLLimits.fieldValueBytes)) }
            switch field {
            case .event: outcome.event = value
            case .envelopeId: outcome.envelopeId = value
            case .generatedDateTime: outcome.generatedDateTime = value
            }
            self.field = nil
        }
        depth -= 1
        if pathDepth > depth { pathDepth = depth }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if depth == 3 && field != nil { text += Array(string.utf8) }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if depth == 3 && field != nil { text += XMLDocumentGenerator.normalizedLineEnds([UInt8](CDATABlock)) }  // deviation 7
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        errors.append((parseError as NSError).code)
    }
}
