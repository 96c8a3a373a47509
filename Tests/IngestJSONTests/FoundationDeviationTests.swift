import IngestJSON
import XCTest

/// Pins down, with examples, where JSONSerialization deviates from RFC 8259 and so from the
/// scanner, and where they agree: the differential test explains disagreements with exactly these
/// rules, so if a toolchain update changes Foundation's behaviour, this fails first and says which.
final class FoundationDeviationTests: XCTestCase {
    private let harness = ScanHarness()

    private func foundationAccepts(_ bytes: [UInt8]) -> Bool {
        if case .valid = FoundationOracle.parse(bytes) { return true }
        return false
    }

    func testTrailingCommas() {
        for text in ["[1,]", #"{"a":1,}"#, "[1 , \n]"] {
            let bytes = Array(text.utf8)
            XCTAssertTrue(foundationAccepts(bytes), text)
            let error = harness.scan(bytes).error
            XCTAssertNotNil(error, text)
            XCTAssertTrue(error.map { FoundationOracle.isTrailingComma($0, in: bytes) } ?? false, text)
        }
        XCTAssertFalse(FoundationOracle.isTrailingComma(JSONScanError(reason: .unexpectedByte, offset: 3), in: Array("[1 2]".utf8)))
    }

    func testEncodingDetection() {
        let inputs: [[UInt8]] = [[0xEF, 0xBB, 0xBF] + Array("[1]".utf8), [0x5B, 0x00, 0x31, 0x00, 0x5D, 0x00],
                                 [0x00, 0x5B, 0x00, 0x31, 0x00, 0x5D]]
        for bytes in inputs {
            XCTAssertTrue(foundationAccepts(bytes), "\(bytes)")
            XCTAssertTrue(FoundationOracle.foundationDetectsOtherEncoding(bytes))
            XCTAssertNotNil(harness.scan(bytes).error, "\(bytes)")
        }
        XCTAssertFalse(FoundationOracle.foundationDetectsOtherEncoding(Array("[1]".utf8)))
    }

    func testUnrepresentableNumbers() {
        for text in ["[1e400]", "-1e999"] {
            guard case .invalid(let message) = FoundationOracle.parse(Array(text.utf8)) else {
                return XCTFail("Foundation now accepts \(text)")
            }
            XCTAssertTrue(FoundationOracle.isUnrepresentableNumber(message), message)
            XCTAssertNil(harness.scan(text).error, text)
        }
    }

    func testAgreements() {
        // Duplicate keys: the last value wins on both sides.
        guard case .valid(let object) = FoundationOracle.parse(Array(#"{"event":"a","event":"b"}"#.utf8)) else { return XCTFail() }
        XCTAssertEqual(FoundationOracle.fields(of: object).outcome, harness.scan(#"{"event":"a","event":"b"}"#).fieldsOnly)
        // Both reject lone surrogates, control characters, leading zeros, and nesting past 512.
        for text in [#"["\uD800"]"#, #"["\uDC00"]"#, "[\"\t\"]", "[01]",
                     String(repeating: "[", count: 513) + String(repeating: "]", count: 513)] {
            XCTAssertFalse(foundationAccepts(Array(text.utf8)), text)
            XCTAssertNotNil(harness.scan(text).error, text)
        }
        // Both accept scalars at the top level (Foundation with .fragmentsAllowed) and 512 levels.
        for text in ["1", #""s""#, "null", String(repeating: "[", count: 512) + String(repeating: "]", count: 512)] {
            XCTAssertTrue(foundationAccepts(Array(text.utf8)), text)
            XCTAssertNil(harness.scan(text).error, text)
        }
    }
}
