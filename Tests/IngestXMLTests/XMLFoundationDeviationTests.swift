import IngestXML
import XCTest

/// Pins down, with examples, where Foundation's XMLParser differs from the scanner (the numbered
/// list in `XMLFoundationOracle`) and where they agree: the differential test explains
/// disagreements with exactly these rules, so if a toolchain update changes XMLParser's
/// behaviour, this fails first and says which. Deviations 5 and 6 crash XMLParser, so they are
/// pinned on the scanner's side and on the guard that keeps such input away from it.
final class XMLFoundationDeviationTests: XCTestCase {
    private let harness = XMLScanHarness()

    private func foundationAccepts(_ text: String) -> Bool {
        if case .wellFormed = XMLFoundationOracle.parse(Array(text.utf8)) { return true }
        return false
    }

    /// The distinct libxml2 codes Foundation reports (the delegate and `parserError` both carry them).
    private func foundationCodes(_ text: String) -> Set<Int> {
        if case .malformed(let codes) = XMLFoundationOracle.parse(Array(text.utf8)) { return Set(codes) }
        return []
    }

    func testDeviation1DocumentsThatEndEarly() {
        for text in ["", "   ", "<a>"] {
            XCTAssertTrue(foundationAccepts(text), "Foundation now rejects \(text.debugDescription)")
            XCTAssertEqual(harness.scan(text).error, XMLScanError(reason: .unexpectedEnd, offset: text.utf8.count))
        }
        // Other early ends Foundation does report; both reject.
        for text in ["<a><b>text", "<a x='1'", "<!-- x"] {
            XCTAssertFalse(foundationAccepts(text), text)
            XCTAssertEqual(harness.scan(text).error?.reason, .unexpectedEnd, text)
        }
    }

    func testDeviation2DocumentTypeDeclarations() {
        for text in ["<!DOCTYPE a><a/>", "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>"] {
            XCTAssertTrue(foundationAccepts(text), text)
            XCTAssertEqual(harness.scan(text).error, XMLScanError(reason: .doctypeNotAllowed, offset: 2), text)
        }
    }

    func testDeviation3OtherEncodings() {
        for name in ["ISO-8859-1", "US-ASCII", "utf8"] {
            let text = "<?xml version=\"1.0\" encoding=\"\(name)\"?><a/>"
            XCTAssertTrue(foundationAccepts(text), text)
            XCTAssertEqual(harness.scan(text).error?.reason, .unsupportedEncoding, text)
        }
    }

    func testDeviation4OtherVersionsAreWarnedAbout() {
        let text = "<?xml version=\"1.1\"?><a/>"
        XCTAssertEqual(foundationCodes(text), [XMLFoundationOracle.versionWarning])
        XCTAssertNil(harness.scan(text).error)
        // Versions outside the 1.x grammar: both reject.
        XCTAssertFalse(foundationAccepts("<?xml version=\"2.0\"?><a/>"))
        XCTAssertNotNil(harness.scan("<?xml version=\"2.0\"?><a/>").error)
    }

    func testDeviation5ProcessingInstructionsWithoutData() {
        for text in ["<?pi?><a/>", "<a><?x?></a>", "<a/><?xml-s?>"] {
            XCTAssertFalse(XMLFoundationOracle.isSafeForFoundation(Array(text.utf8)), text)
            XCTAssertNil(harness.scan(text).error, text)
        }
        for text in ["<?pi ?><a/>", "<?pi d?><a/>", "<a/><?pi", "<??><a/>"] {
            XCTAssertTrue(XMLFoundationOracle.isSafeForFoundation(Array(text.utf8)), text)
        }
    }

    func testDeviation6InputThatIsNotUTF8() {
        let crashing: [UInt8] = [0x3C, 0x64, 0x80, 0x3C, 0xE2, 0x80]  // <d\x80<\xE2\x80
        XCTAssertFalse(XMLFoundationOracle.isSafeForFoundation(crashing))
        XCTAssertEqual(XMLFoundationOracle.firstInvalidUTF8(crashing), 2)
        XCTAssertEqual(harness.scan(crashing).error, XMLScanError(reason: .invalidUTF8, offset: 2))
        XCTAssertEqual(XMLFoundationOracle.firstInvalidUTF8(Array("<a>\u{E9}\u{1F600}</a>".utf8)), nil)
        XCTAssertEqual(XMLFoundationOracle.firstInvalidUTF8([0x3C, 0xED, 0xA0, 0x80]), 1, "surrogates are not UTF-8")
    }

    func testDeviation7LineEndsInCDATA() {
        let text = "<DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID><![CDATA[a\r\nb\rc]]></EnvelopeID>"
            + "</EnvelopeStatus></DocuSignEnvelopeInformation>"
        XCTAssertEqual(harness.scan(text).envelopeId, Array("a\nb\nc".utf8))
        // Raw, Foundation reports the CRs; the oracle applies XML 1.0 section 2.11 to them.
        guard case .wellFormed(let fields) = XMLFoundationOracle.parse(Array(text.utf8)) else { return XCTFail() }
        XCTAssertEqual(fields.envelopeId, Array("a\nb\nc".utf8))
        XCTAssertEqual(XMLDocumentGenerator.normalizedLineEnds(Array("a\r\nb\rc".utf8)), Array("a\nb\nc".utf8))
    }

    func testDeviation8NamespaceNamesThatAreNotURIs() {
        for text in ["<a xmlns:p='a b'/>", "<a xmlns='urn:q\u{E9}'/>"] {
            XCTAssertEqual(foundationCodes(text), [XMLFoundationOracle.namespaceURIWarning], text)
            XCTAssertNil(harness.scan(text).error, text)
        }
    }

    func testDeviation9ProcessingInstructionTargetsBeginningWithXML() {
        let text = "<?xml-foo d?><a/>"
        XCTAssertEqual(foundationCodes(text), [XMLFoundationOracle.reservedTargetWarning])
        XCTAssertNil(harness.scan(text).error)
        XCTAssertTrue(foundationAccepts("<?xml-stylesheet href='a'?><a/>"))
    }

    func testAgreements() {
        // Both reject, for the same reasons the scanner names.
        let rejected: [(String, XMLScanError.Reason)] = [
            ("<a></b>", .mismatchedEndTag), ("<a>&nbsp;</a>", .undefinedEntity), ("<a x='1' x='2'/>", .duplicateAttribute),
            ("<p:a/>", .undeclaredPrefix), ("<a xmlns:p=''/>", .invalidNamespaceDeclaration), ("<a:b:c xmlns:a='u'/>", .invalidQualifiedName),
            ("<a>]]></a>", .cdataEndInText), ("<!-- a -- b --><a/>", .doubleHyphenInComment), ("<a/><b/>", .trailingContent),
            ("<a>&#0;</a>", .invalidCharacterReference), ("<a>\u{1}</a>", .invalidCharacter), (" <?xml version='1.0'?><a/>", .misplacedXMLDeclaration),
            ("<a x=1/>", .unexpectedByte),
        ]
        for (text, reason) in rejected {
            XCTAssertFalse(foundationAccepts(text), text)
            XCTAssertEqual(harness.scan(text).error?.reason, reason, text)
        }
        // Both accept, with the same fields.
        let text = "\u{FEFF}<?xml version='1.0' encoding='UTF-8' standalone='yes'?><!-- c --><?pi d?>"
            + "<ds:DocuSignEnvelopeInformation xmlns:ds='http://www.docusign.net/API/3.0'><ds:EnvelopeStatus>"
            + "<ds:Status>Comp&#108;eted</ds:Status><ds:EnvelopeID><![CDATA[e]]>&amp;</ds:EnvelopeID></ds:EnvelopeStatus>"
            + "</ds:DocuSignEnvelopeInformation>"
        guard case .wellFormed(let fields) = XMLFoundationOracle.parse(Array(text.utf8)) else { return XCTFail("Foundation rejects") }
        XCTAssertEqual(harness.scan(text), XMLOutcome.valid(event: "envelope-completed", envelopeId: "e&"))
        XCTAssertEqual(fields, XMLOutcome.valid(event: "envelope-completed", envelopeId: "e&"))
    }
}
