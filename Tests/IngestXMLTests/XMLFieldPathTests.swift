import IngestTestSupport
import IngestXML
import XCTest

/// Which elements give the fields, and what their values are: exact paths on local names, text
/// decoded, kept as sent, the last complete element winning.
final class XMLFieldPathTests: XCTestCase {
    private let harness = XMLScanHarness()

    /// A document with the given content inside `EnvelopeStatus` (and `extra` beside it).
    private func envelope(_ status: String, extra: String = "", root: String = "DocuSignEnvelopeInformation",
                          rootAttributes: String = " xmlns=\"http://www.docusign.net/API/3.0\"") -> String {
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><\(root)\(rootAttributes)><EnvelopeStatus>\(status)</EnvelopeStatus>\(extra)</\(root)>"
    }

    private func assertFields(_ text: String, _ expected: XMLOutcome, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(text.utf8)
        XCTAssertEqual(harness.scan(bytes), expected, text, file: file, line: line)
        if let mismatch = harness.splitMismatch(bytes, Cuttings.thorough(bytes, maxSplits: 400, random: 4, seed: 5)) {
            XCTFail("\(text): \(mismatch)", file: file, line: line)
        }
    }

    func testTheThreePaths() {
        assertFields(envelope("<EnvelopeID>e-1</EnvelopeID><TimeGenerated>2020-03-28T23:57:15.1085476</TimeGenerated><Status>Completed</Status>"),
                     .valid(event: "envelope-completed", envelopeId: "e-1", generatedDateTime: "2020-03-28T23:57:15.1085476"))
        assertFields(envelope("<Status>Voided</Status>"), .valid(event: "envelope-voided"))
        assertFields(envelope(""), .valid())
    }

    func testSameNamesElsewhereNeverCount() {
        let decoys = "<RecipientStatuses><RecipientStatus><Status>Delivered</Status><EnvelopeID>r</EnvelopeID>"
            + "<TabStatuses><TabStatus><Status>Signed</Status></TabStatus></TabStatuses></RecipientStatus></RecipientStatuses>"
        assertFields(envelope(decoys), .valid())
        assertFields(envelope(decoys + "<Status>Sent</Status>"), .valid(event: "envelope-sent"))
        // Beside EnvelopeStatus, at the root, or under a root of another name.
        assertFields(envelope("", extra: "<Status>Sent</Status><EnvelopeID>x</EnvelopeID>"), .valid())
        assertFields("<Status>Sent</Status>", .valid())
        assertFields("<EnvelopeStatus><Status>Sent</Status></EnvelopeStatus>", .valid())
        assertFields(envelope("<Status>Sent</Status>", root: "DocuSignEnvelopeInfo"), .valid())
        assertFields("<r><DocuSignEnvelopeInformation><EnvelopeStatus><Status>Sent</Status></EnvelopeStatus></DocuSignEnvelopeInformation></r>",
                     .valid())
        // Names are case-sensitive; attributes are not elements.
        assertFields(envelope("<status>Sent</status><EnvelopeId>x</EnvelopeId><Timegenerated>t</Timegenerated>"), .valid())
        assertFields(envelope("<X Status='Sent' EnvelopeID='x'/>"), .valid())
        // A second EnvelopeStatus element works the same way.
        assertFields(envelope("<Status>Sent</Status>", extra: "<EnvelopeStatus><EnvelopeID>x</EnvelopeID></EnvelopeStatus>"),
                     .valid(event: "envelope-sent", envelopeId: "x"))
    }

    func testLocalNamesWhateverThePrefix() {
        let text = "<ds:DocuSignEnvelopeInformation xmlns:ds='http://www.docusign.net/API/3.0' xmlns:o='urn:other'>"
            + "<o:EnvelopeStatus><ds:Status>Completed</ds:Status><EnvelopeID>e</EnvelopeID></o:EnvelopeStatus>"
            + "</ds:DocuSignEnvelopeInformation>"
        assertFields(text, .valid(event: "envelope-completed", envelopeId: "e"))
    }

    func testTextIsDecodedAndKeptAsSent() {
        assertFields(envelope("<EnvelopeID>a&amp;b&lt;&#x41;&#66;&quot;&apos;&gt;</EnvelopeID>"), .valid(envelopeId: "a&b<AB\"'>"))
        assertFields(envelope("<EnvelopeID><![CDATA[<x&y>]]></EnvelopeID>"), .valid(envelopeId: "<x&y>"))
        assertFields(envelope("<EnvelopeID>a<!-- c -->b<?p i?>c<![CDATA[]]]]>d<![CDATA[]]>e</EnvelopeID>"),
                     .valid(envelopeId: "abc]]de"))
        assertFields(envelope("<EnvelopeID> e \t</EnvelopeID>"), .valid(envelopeId: " e \t"))
        assertFields(envelope("<EnvelopeID>\u{E9}\u{1F600}&#x1F600;&#233;</EnvelopeID>"), .valid(envelopeId: "\u{E9}\u{1F600}\u{1F600}\u{E9}"))
        assertFields(envelope("<EnvelopeID>]]</EnvelopeID>"), .valid(envelopeId: "]]"))
    }

    func testLineEndsAreNormalisedLikeEveryParser() {
        assertFields(envelope("<EnvelopeID>a\r\nb\rc\n\rd</EnvelopeID>"), .valid(envelopeId: "a\nb\nc\n\nd"))
        assertFields(envelope("<EnvelopeID>a&#13;\nb\r&#10;c</EnvelopeID>"), .valid(envelopeId: "a\r\nb\n\nc"))
        assertFields(envelope("<EnvelopeID>a\r<!---->\nb<![CDATA[\r\n]]></EnvelopeID>"), .valid(envelopeId: "a\n\nb\n"))
    }

    func testEventIsPrefixedAndLowerCased() {
        assertFields(envelope("<Status>COMPLETED</Status>"), .valid(event: "envelope-completed"))
        assertFields(envelope("<Status>Auth&#x46;ailed</Status>"), .valid(event: "envelope-authfailed"))
        assertFields(envelope("<Status>\u{C9}t\u{C9}</Status>"), .valid(event: "envelope-\u{C9}t\u{C9}"))  // only ASCII letters
        assertFields(envelope("<Status/>"), .valid(event: "envelope-"))
        assertFields(envelope("<Status></Status>"), .valid(event: "envelope-"))
    }

    func testEmptyAndChildElements() {
        assertFields(envelope("<EnvelopeID/><TimeGenerated></TimeGenerated>"), .valid(envelopeId: "", generatedDateTime: ""))
        assertFields(envelope("<EnvelopeID>a<b>c</b>d</EnvelopeID>"), .valid())
        assertFields(envelope("<EnvelopeID><b/></EnvelopeID>"), .valid())
    }

    func testLastCompleteElementWins() {
        assertFields(envelope("<Status>Sent</Status><Status>Delivered</Status>"), .valid(event: "envelope-delivered"))
        assertFields(envelope("<EnvelopeID>a</EnvelopeID><EnvelopeID>b<c/></EnvelopeID>"), .valid())  // like JSON's typed duplicates
        assertFields(envelope("<EnvelopeID>a</EnvelopeID>", extra: "<EnvelopeStatus><EnvelopeID>b</EnvelopeID></EnvelopeStatus>"),
                     .valid(envelopeId: "b"))
    }

    func testFieldsAfterAnError() {
        // Complete values stay; one cut by the error is absent; a later one is never seen.
        let text = envelope("<EnvelopeID>e</EnvelopeID><TimeGenerated>t&bad;</TimeGenerated><Status>Sent</Status>")
        let outcome = harness.scan(text)
        XCTAssertEqual(outcome.error?.reason, .undefinedEntity)
        XCTAssertEqual(outcome.fieldsOnly, XMLOutcome.valid(envelopeId: "e"))
        // A second element replaces the first only once its start tag is complete.
        let cut = harness.scan(envelope("<Status>Sent</Status><Status x='1' x='2'>Voided</Status>"))
        XCTAssertEqual(cut.error?.reason, .duplicateAttribute)
        XCTAssertEqual(cut.fieldsOnly, XMLOutcome.valid(event: "envelope-sent"))
        // Values complete before a malformed end are reported too.
        let truncated = harness.scan(Array(envelope("<Status>Sent</Status><EnvelopeID>e").utf8))
        XCTAssertEqual(truncated.error?.reason, .mismatchedEndTag)
        XCTAssertEqual(truncated.fieldsOnly, XMLOutcome.valid(event: "envelope-sent"))
    }
}
