import IngestTestSupport
import IngestXML
import XCTest

/// The classic XML attacks need a DTD: entity expansion ("billion laughs", quadratic blowup),
/// external entities (XXE: file and URL reads, SSRF), parameter entities. The scanner rejects
/// `<!DOCTYPE` at its `D` and then only reads the remaining bytes to ignore them, so an attack
/// costs what scanning its bytes costs; without a DTD a reference to any other entity is an
/// error at the reference. (The scanner has no I/O at all: IngestXML imports nothing.)
final class XMLEntityAttackTests: XCTestCase {
    private let harness = XMLScanHarness()

    private func assertRejectedAtDoctype(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(text.utf8)
        let offset = Array(text.utf8).firstRange(of: Array("<!DOCTYPE".utf8))!.lowerBound + 2
        let outcome = harness.scan(bytes)
        XCTAssertEqual(outcome.error, XMLScanError(reason: .doctypeNotAllowed, offset: offset), file: file, line: line)
        XCTAssertEqual(outcome.fieldsOnly, XMLOutcome(), file: file, line: line)
        XCTAssertEqual(harness.scanner.bytesScanned, bytes.count, "the rest is read (and ignored), nothing expanded", file: file, line: line)
    }

    func testBillionLaughs() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            text += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">\n"
        }
        text += "]>\n<lolz>&lol9;</lolz>\n"
        assertRejectedAtDoctype(text)
    }

    func testQuadraticBlowup() {
        let big = String(repeating: "x", count: 100_000)
        assertRejectedAtDoctype("<!DOCTYPE r [<!ENTITY a \"\(big)\">]><r>" + String(repeating: "&a;", count: 100_000) + "</r>")
    }

    func testExternalEntities() {
        assertRejectedAtDoctype("<?xml version=\"1.0\"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>")
        assertRejectedAtDoctype("<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"http://127.0.0.1:1/x\">]><foo>&xxe;</foo>")
        assertRejectedAtDoctype("<!DOCTYPE foo [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/evil.dtd\"> %p;]><foo/>")
        assertRejectedAtDoctype("<!DOCTYPE foo SYSTEM \"http://127.0.0.1:1/foo.dtd\"><foo/>")
        assertRejectedAtDoctype("\u{FEFF}<!-- hi --><!DOCTYPE DocuSignEnvelopeInformation><DocuSignEnvelopeInformation/>")
    }

    func testReferencesWithoutADoctypeAreUndefined() {
        let lol = Array("<lolz>&lol9;</lolz>".utf8)
        XCTAssertEqual(harness.scan(lol).error, XMLScanError(reason: .undefinedEntity, offset: 8))
        let xxe = Array("<DocuSignEnvelopeInformation><EnvelopeStatus><Status>&xxe;</Status></EnvelopeStatus></DocuSignEnvelopeInformation>".utf8)
        let outcome = harness.scan(xxe)
        XCTAssertEqual(outcome.error?.reason, .undefinedEntity)
        XCTAssertNil(outcome.event)
    }

    func testRejectionIsTheSameAtEveryCutting() {
        let text = Array("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>".utf8)
        XCTAssertNil(harness.splitMismatch(text, SplitFeeder.cuttings(of: text)))
    }
}
