import IngestJSON
import IngestTestSupport
import XCTest

/// Every JSON body in `Tests/Fixtures/corpus/` gives the fields written down here, whole and at every
/// cutting.
final class CorpusTests: XCTestCase {
    /// Expected outcome per corpus file (checked by hand against the files; see SOURCES.md).
    static let expectations: [String: ScanOutcome] = [
        "connect2-shape-template.OpenAPI-Specifications.2023.json": .valid(
            event: "recipient-sent", configurationId: "xxxxxxx",  // a string in this template
            envelopeId: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", generatedDateTime: ""),  // present, empty
        "connect2-shape-template.OpenAPI-Specifications.latest.json": .valid(
            event: "", configurationId: "12345", envelopeId: "sample string", generatedDateTime: ""),
        "envelope-completed.v2.envelopeSummary.laravel-2022-09.json": .valid(
            event: "envelope-completed", configurationId: "10055427",
            envelopeId: "7a5f1e05-6b6b-445e-9ec0-b8531bacca38", generatedDateTime: "2022-09-22T15:22:53.4580747Z"),
        "envelope-completed.v2.min.GLE-curl-2022-09.json": .valid(
            event: "envelope-completed", configurationId: "10343415",
            envelopeId: "f826722d-0cc8-4ad0-a4ef-bdb128502a61", generatedDateTime: "2022-09-21T13:58:43.9115721Z"),
        "envelope-completed.v2.min.GLE.json": .valid(
            event: "envelope-completed", configurationId: "10363315",
            envelopeId: "71799c95-8417-4b16-90d5-86ff24a91d09", generatedDateTime: "2022-12-09T18:32:13.2990000Z"),
        "envelope-completed.v2.pretty.2026.json": .valid(
            event: "envelope-completed", configurationId: "22028153",
            envelopeId: "4d3420b8-ce24-8a0a-8135-63c9bb1d0c7e", generatedDateTime: "2026-01-13T07:09:58.9584687Z"),
        "envelope-completed.v2.retryCount3.json": .valid(
            event: "envelope-completed", configurationId: "21752918",
            envelopeId: "a70a5ef2-12c4-4aaf-84c5-b84134dce420", generatedDateTime: "2025-05-30T18:03:50.4233752Z"),
        // Not a Connect message: valid JSON without any of the fields.
        "hmac-test-vectors.selfmade.json": .valid(),
        "recipient-completed.v2.min.GLE.json": .valid(
            event: "recipient-completed", configurationId: "10363315",
            envelopeId: "71799c95-8417-4b16-90d5-86ff24a91d09", generatedDateTime: "2022-12-09T18:29:29.7360000Z"),
    ]

    func testEveryCorpusFileHasWrittenExpectations() throws {
        let files = try Corpus.files(withExtension: "json")
        XCTAssertFalse(files.isEmpty, "no corpus found at \(Corpus.directory.path)")
        XCTAssertEqual(Set(files), Set(Self.expectations.keys), "corpus and expectations disagree")
    }

    func testCorpusFieldsWhole() throws {
        let harness = ScanHarness()
        for file in try Corpus.files(withExtension: "json") {
            let outcome = harness.scan(try Corpus.bytes(file))
            XCTAssertEqual(outcome, Self.expectations[file], file)
        }
    }

    /// Whole, byte by byte, every split point (a spread sample of 2048 for the two files over
    /// 100 KB) and random cuttings, each piece next to a guard page.
    func testCorpusEveryCutting() throws {
        let harness = ScanHarness()
        for file in try Corpus.files(withExtension: "json") {
            let bytes = try Corpus.bytes(file)
            let maxSplits = bytes.count > 20_000 ? 400 : 8192
            let cuttings = Cuttings.thorough(bytes, maxSplits: maxSplits, random: 10, seed: 3)
            if let mismatch = harness.splitMismatch(bytes, cuttings) {
                XCTFail("\(file): \(mismatch)")
            }
        }
    }

    /// The legacy XML bodies are not JSON: rejected at their first byte.
    func testLegacyXMLIsRejectedAtFirstByte() throws {
        let harness = ScanHarness()
        for file in try Corpus.files(withExtension: "xml") {
            let outcome = harness.scan(try Corpus.bytes(file))
            XCTAssertEqual(outcome.error, JSONScanError(reason: .unexpectedByte, offset: 0), file)
            XCTAssertEqual(outcome.fieldsOnly, ScanOutcome(), file)
        }
    }

    /// Every corpus body cut short anywhere is incomplete, never valid: `.unexpectedEnd` at its
    /// length (sampled cuts for the large files).
    func testCorpusTruncationsAreUnexpectedEnd() throws {
        let harness = ScanHarness()
        for file in try Corpus.files(withExtension: "json") {
            let bytes = try Corpus.bytes(file)
            // Trailing whitespace can be cut without harm: find the last significant byte.
            let significant = (bytes.lastIndex { ![0x20, 0x0A, 0x0D, 0x09].contains($0) } ?? 0) + 1
            let step = max(1, significant / 500)
            for cut in stride(from: 0, to: significant, by: step) {
                let outcome = harness.scan(Array(bytes[..<cut]))
                XCTAssertEqual(outcome.error, JSONScanError(reason: .unexpectedEnd, offset: cut), "\(file) cut at \(cut)")
            }
        }
    }
}
