import IngestJSON
import IngestTestSupport
import XCTest

/// Which values count as the four fields: exact paths, decoded keys, accepted types, duplicate
/// keys (last wins), the legacy `envelopeId`, and what survives an error.
final class FieldPathTests: XCTestCase {
    private let harness = ScanHarness()

    private func assertFields(_ text: String, _ expected: ScanOutcome, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(text.utf8)
        let cuttings = [("whole", [bytes[...]]), Cuttings.byteByByte(bytes)]
            + Cuttings.randomPoints(bytes, count: 4, seed: UInt64(bytes.count))
        for (name, pieces) in cuttings {
            XCTAssertEqual(harness.scan(pieces), expected, "\(text) \(name)", file: file, line: line)
        }
    }

    func testAllFourInAnyOrder() {
        let members = [#""event":"envelope-sent""#, #""configurationId":10363315"#, #""generatedDateTime":"2022-12-09T18:32:13.299Z""#,
                       #""data":{"accountId":"a","envelopeId":"e-1","envelopeSummary":{"envelopeId":"decoy"}}"#]
        let expected = ScanOutcome.valid(event: "envelope-sent", configurationId: "10363315", envelopeId: "e-1",
                                         generatedDateTime: "2022-12-09T18:32:13.299Z")
        for permutation in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
            assertFields("{" + permutation.map { members[$0] }.joined(separator: ",") + "}", expected)
            assertFields("{ \n\t" + permutation.map { members[$0] }.joined(separator: " ,\r\n ") + " }\n", expected)
        }
    }

    func testEscapedKeysMatchByDecodedText() {
        assertFields(#"{"\u0065vent":"x","configuration\u0049d":"7","generatedDate\u0054ime":"t","d\u0061ta":{"envelope\u0049\u0064":"e"}}"#,
                     .valid(event: "x", configurationId: "7", envelopeId: "e", generatedDateTime: "t"))
        assertFields(#"{"\u0065\u0076\u0065\u006E\u0074":"all escaped","\/event":"no"}"#, .valid(event: "all escaped"))
    }

    func testValuesAreDecoded() {
        let text = #"{"event":"q\"b\\s\/b\bf\fn\nr\rt\tz\u0000e\u00e9€\u20ac\uD83D\uDE00😀"}"#
        let expected = Array("q\"b\\s/b\u{8}f\u{C}n\nr\rt\tz\u{0}eé€€😀😀".utf8)
        XCTAssertEqual(harness.scan(text).event, expected)
        assertFields(text, ScanOutcome(event: expected))
    }

    func testSameNamesElsewhereAreNotFields() {
        // Deeper objects, arrays, a non-object data, data's own nested data, summary decoys.
        assertFields(#"{"x":{"event":"no","configurationId":1,"generatedDateTime":"no","envelopeId":"no","data":{"envelopeId":"no"}}}"#,
                     .valid())
        assertFields(#"{"list":[{"event":"no"},"event",{"data":{"envelopeId":"no"}}]}"#, .valid())
        assertFields(#"{"data":[{"envelopeId":"no"}]}"#, .valid())
        assertFields(#"{"data":{"envelopeSummary":{"envelopeId":"no"},"data":{"envelopeId":"no"},"x":[{"envelopeId":"no"}]}}"#,
                     .valid())
        assertFields(#"{"data":{"event":"no","configurationId":5,"generatedDateTime":"no"}}"#, .valid())
        assertFields(#"[{"event":"no","data":{"envelopeId":"no"}}]"#, .valid())
        assertFields(#""event""#, .valid())
        assertFields("10363315", .valid())
        // A key that is a value elsewhere, and near misses.
        assertFields(#"{"x":"event","events":"no","Event":"no","even":"no","event ":"no","envelopeID":"no","Data":{"envelopeId":"no"}}"#,
                     .valid())
        assertFields(#"{"ev\u0000ent":"no","eventeventeventeventeventeventeventevent":"no"}"#, .valid())
    }

    func testEnvelopeIdPrefersDataThenLegacyTopLevel() {
        assertFields(#"{"envelopeId":"top","data":{"envelopeId":"data"}}"#, .valid(envelopeId: "data"))
        assertFields(#"{"data":{"envelopeId":"data"},"envelopeId":"top"}"#, .valid(envelopeId: "data"))
        assertFields(#"{"envelopeId":"legacy","status":"completed","recipients":{"signers":[]}}"#, .valid(envelopeId: "legacy"))
        assertFields(#"{"envelopeId":"top","data":{"templateId":"t"}}"#, .valid(envelopeId: "top"))
        assertFields(#"{"envelopeId":"top","data":{"envelopeId":null}}"#, .valid(envelopeId: "top"))
        assertFields(#"{"envelopeId":"top","data":"text"}"#, .valid(envelopeId: "top"))
    }

    func testAcceptedTypes() {
        for other in ["null", "true", "false", "12", "{}", #"{"a":"b"}"#, "[]", #"["x"]"#] {
            assertFields(#"{"event":\#(other),"generatedDateTime":\#(other),"envelopeId":\#(other)}"#, .valid())
            if other.first?.isNumber != true {
                assertFields(#"{"configurationId":\#(other)}"#, .valid())
            }
        }
        for number in ["0", "-0", "10363315", "-12.50", "1E5", "6.02e+23", "1e-7", "123456789012345678901234567890", "1e400"] {
            assertFields(#"{"configurationId":\#(number)}"#, .valid(configurationId: number))
            assertFields(#"{"configurationId":\#(number) }"#, .valid(configurationId: number))
        }
        assertFields(#"{"configurationId":"xxxxxxx"}"#, .valid(configurationId: "xxxxxxx"))
        assertFields(#"{"configurationId":"\u0031\u0032"}"#, .valid(configurationId: "12"))
        // Empty strings are present, not absent.
        assertFields(#"{"event":"","configurationId":"","generatedDateTime":"","data":{"envelopeId":""}}"#,
                     .valid(event: "", configurationId: "", envelopeId: "", generatedDateTime: ""))
        XCTAssertTrue(harness.scanner.withField(.event) { $0 != nil && $0!.isEmpty })
    }

    func testDuplicateKeysLastOneWins() {
        assertFields(#"{"event":"a","event":"b"}"#, .valid(event: "b"))
        assertFields(#"{"event":"a","ev\u0065nt":"b"}"#, .valid(event: "b"))
        assertFields(#"{"event":"a","event":null}"#, .valid())
        assertFields(#"{"event":null,"event":"b"}"#, .valid(event: "b"))
        assertFields(#"{"configurationId":1,"configurationId":"two"}"#, .valid(configurationId: "two"))
        assertFields(#"{"configurationId":"one","configurationId":2}"#, .valid(configurationId: "2"))
        assertFields(#"{"data":{"envelopeId":"a","envelopeId":"b"}}"#, .valid(envelopeId: "b"))
        // A repeated data key replaces the whole object, as it would in a parsed dictionary.
        assertFields(#"{"data":{"envelopeId":"a"},"data":{}}"#, .valid())
        assertFields(#"{"data":{"envelopeId":"a"},"data":5,"envelopeId":"top"}"#, .valid(envelopeId: "top"))
        assertFields(#"{"data":{},"data":{"envelopeId":"b"}}"#, .valid(envelopeId: "b"))
    }

    func testFieldsBeforeAnErrorAreKept() {
        // Complete values before the error are reported; a value cut by the error is not.
        let cutText = #"{"event":"a","configurationId":12,"data":{"envelopeId":"e"},"generatedDateTime":"2022"#
        let cut = harness.scan(cutText)
        XCTAssertEqual(cut, ScanOutcome(error: JSONScanError(reason: .unexpectedEnd, offset: cutText.utf8.count), event: Array("a".utf8),
                                        configurationId: Array("12".utf8), envelopeId: Array("e".utf8)))
        let number = harness.scan(#"{"configurationId":12"#)
        XCTAssertEqual(number, ScanOutcome(error: JSONScanError(reason: .unexpectedEnd, offset: 21)))
        let bad = harness.scan(#"{"event":"a\x"}"#)
        XCTAssertEqual(bad, ScanOutcome(error: JSONScanError(reason: .invalidEscape, offset: 12)))
        let later = harness.scan(#"{"event":"a","x":tru}"#)
        XCTAssertEqual(later, ScanOutcome(error: JSONScanError(reason: .invalidLiteral, offset: 20), event: Array("a".utf8)))
    }

    func testLongValuesGrowTheirStorage() {
        let harness = ScanHarness(arenaCapacity: 1 << 22)
        for length in [511, 512, 513, 4096, 100_000, 2_000_000] {
            let value = String(repeating: "x", count: length - 1) + "é"
            let outcome = harness.scan(#"{"event":"\#(value)","configurationId":1}"#)
            XCTAssertEqual(outcome, .valid(event: value, configurationId: "1"), "length \(length)")
        }
        // The same scanner, reset, still reads small values (the grown buffer was given back).
        XCTAssertEqual(harness.scan(#"{"event":"small"}"#), .valid(event: "small"))
    }

    func testScannerIsReusable() {
        XCTAssertEqual(harness.scan(#"{"event":"first","data":{"envelopeId":"e1"}}"#), .valid(event: "first", envelopeId: "e1"))
        XCTAssertEqual(harness.scan(#"{"event":"#).fieldsOnly, ScanOutcome())
        XCTAssertEqual(harness.scan(#"{"configurationId":2}"#), .valid(configurationId: "2"))
    }
}
