import IngestTestSupport
import IngestXML
import XCTest

/// The fixed bounds of `XMLLimits` and `maxDepth`: input inside them is accepted, the first byte
/// beyond them fails with the documented reason. The scanner does not recurse and never grows a
/// buffer, so the bounds are about memory, not the stack.
final class XMLLimitTests: XCTestCase {
    private func nested(_ name: String, _ levels: Int) -> String {
        String(repeating: "<\(name)>", count: levels) + String(repeating: "</\(name)>", count: levels)
    }

    func testDefaultDepthLimitIs512() {
        let harness = XMLScanHarness()
        XCTAssertNil(harness.scan(nested("a", 512)).error)
        XCTAssertEqual(harness.scan(nested("a", 513)).error, XMLScanError(reason: .depthLimitExceeded, offset: 512 * 3 + 1))
        let empty = String(repeating: "<a>", count: 512) + "<b/>" + String(repeating: "</a>", count: 512)
        XCTAssertEqual(harness.scan(empty).error, XMLScanError(reason: .depthLimitExceeded, offset: 512 * 3 + 1))
    }

    func testSmallDepthLimits() {
        for maxDepth in 1...5 {
            let harness = XMLScanHarness(maxDepth: maxDepth)
            XCTAssertNil(harness.scan(nested("e", maxDepth)).error, "maxDepth \(maxDepth)")
            XCTAssertNil(harness.scan("<r>" + String(repeating: nested("e", maxDepth - 1), count: 3) + "</r>").error,
                         "siblings do not add up, maxDepth \(maxDepth)")
            XCTAssertEqual(harness.scan(nested("e", maxDepth + 1)).error,
                           XMLScanError(reason: .depthLimitExceeded, offset: maxDepth * 3 + 1), "maxDepth \(maxDepth)")
        }
        XCTAssertEqual(XMLScanHarness(maxDepth: 0).scan("<a/>").error, XMLScanError(reason: .depthLimitExceeded, offset: 1))
    }

    func testVeryDeepInputFailsAtTheLimit() {
        let harness = XMLScanHarness()
        let deep = Array(String(repeating: "<a>", count: 300_000).utf8)
        let outcome = harness.scan(deep)
        XCTAssertEqual(outcome.error, XMLScanError(reason: .depthLimitExceeded, offset: 512 * 3 + 1))
        XCTAssertEqual(harness.scanner.bytesScanned, deep.count, "the rest is read and ignored")
    }

    func testOpenNamesShareOneRoom() {
        // 100-byte names: 81 levels take 8100 of the 8192 bytes; the 82nd name fails at its 93rd byte.
        let name = String(repeating: "n", count: 100)
        let harness = XMLScanHarness()
        XCTAssertNil(harness.scan(nested(name, 81)).error)
        XCTAssertEqual(harness.scan(nested(name, 82)).error,
                       XMLScanError(reason: .depthLimitExceeded, offset: 81 * 102 + 1 + 92))
    }

    func testDeclaredPrefixesShareTheRoom() {
        // Four nested elements declaring 64 prefixes each: 256 in scope are fine; one more fails
        // at the `>` of the tag declaring it.
        let opening = (0..<4).map { level in
            "<e\(level)" + (0..<64).map { " xmlns:p\(level * 64 + $0)='u'" }.joined() + ">"
        }.joined()
        let closing = (0..<4).reversed().map { "</e\($0)>" }.joined()
        let harness = XMLScanHarness()
        XCTAssertNil(harness.scan(opening + "<f/>" + closing).error)
        let text = opening + "<f xmlns:q='u'/>" + closing
        XCTAssertEqual(harness.scan(text).error, XMLScanError(reason: .depthLimitExceeded, offset: opening.utf8.count + 14))
        // Out of scope again after the element closes: room for more.
        XCTAssertNil(harness.scan("<r>" + opening + closing + opening + closing + "</r>").error)
    }

    func testNameLengthLimit() {
        let harness = XMLScanHarness()
        let longest = String(repeating: "n", count: 256)
        XCTAssertNil(harness.scan("<\(longest)/>").error)
        XCTAssertNil(harness.scan("<a \(longest)='1'/>").error)
        XCTAssertNil(harness.scan("<?\(longest) x?><a/>").error)
        XCTAssertEqual(harness.scan("<\(longest)n/>").error, XMLScanError(reason: .nameTooLong, offset: 257))
        XCTAssertEqual(harness.scan("<a \(longest)n='1'/>").error, XMLScanError(reason: .nameTooLong, offset: 259))
        XCTAssertEqual(harness.scan("<?\(longest)n?><a/>").error, XMLScanError(reason: .nameTooLong, offset: 258))
        // Multi-byte characters count as their bytes.
        let accented = String(repeating: "\u{E9}", count: 128)
        XCTAssertNil(harness.scan("<\(accented)/>").error)
        XCTAssertEqual(harness.scan("<n\(accented)/>").error, XMLScanError(reason: .nameTooLong, offset: 257))
    }

    func testAttributeLimits() {
        let harness = XMLScanHarness()
        let sixtyFour = (0..<64).map { " a\($0)='1'" }.joined()
        XCTAssertNil(harness.scan("<e\(sixtyFour)/>").error)
        XCTAssertEqual(harness.scan("<e\(sixtyFour) z='1'/>").error,
                       XMLScanError(reason: .tooManyAttributes, offset: 2 + sixtyFour.utf8.count + 1))
        // Names of 200 bytes: 20 take 4000 of the 4096 bytes; the 21st fails at its 97th byte.
        let names = (0..<21).map { index in String(format: "a%03d", index) + String(repeating: "x", count: 196) }
        let twenty = names.prefix(20).map { " \($0)='1'" }.joined()
        XCTAssertNil(harness.scan("<e\(twenty)/>").error)
        XCTAssertEqual(harness.scan("<e\(twenty) \(names[20])='1'/>").error,
                       XMLScanError(reason: .tooManyAttributes, offset: 2 + twenty.utf8.count + 1 + 96))
        // The room is per start tag.
        XCTAssertNil(harness.scan("<r>" + String(repeating: "<e\(sixtyFour)/>", count: 3) + "</r>").error)
    }

    func testLongFieldValuesAreCut() {
        let harness = XMLScanHarness()
        let long = String(repeating: "7", count: 5000)
        let outcome = harness.scan("<DocuSignEnvelopeInformation><EnvelopeStatus><EnvelopeID>\(long)</EnvelopeID>"
            + "<Status>\(long)</Status></EnvelopeStatus></DocuSignEnvelopeInformation>")
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.envelopeId, Array(long.utf8.prefix(XMLLimits.fieldValueBytes)))
        XCTAssertEqual(outcome.event, Array(("envelope-" + long).utf8.prefix(XMLLimits.fieldValueBytes)))
    }
}
