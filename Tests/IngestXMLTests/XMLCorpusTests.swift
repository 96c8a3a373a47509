import IngestTestSupport
import IngestXML
import XCTest

/// Every legacy XML body in `Tests/Fixtures/corpus/` gives the fields written down here, whole and
/// at every cutting, each piece next to a guard page.
final class XMLCorpusTests: XCTestCase {
    /// Expected outcome per corpus file (read off the files by hand; see SOURCES.md). Each has
    /// `Status` elements deeper down (recipients, tabs) that must not count.
    static let expectations: [String: XMLOutcome] = [
        "legacy-xml-envelope-completed.ccla.easycla.xml": .valid(
            event: "envelope-completed", envelopeId: "c915984a-f761-4c28-ac2c-767253ba3362",
            generatedDateTime: "2020-12-17T07:44:53.0177631"),
        "legacy-xml-envelope-completed.connect-node-listener-aws.xml": .valid(
            event: "envelope-completed", envelopeId: "08740f95-2187-4b01-9a69-452ae3140752",
            generatedDateTime: "2020-03-28T23:57:15.1085476"),
        "legacy-xml-envelope-completed.formdata.easycla.xml": .valid(
            event: "envelope-completed", envelopeId: "c5c02f0b-d66b-4ad5-950d-0319ed3e1473",
            generatedDateTime: "2020-12-21T08:30:37.9661043"),
        "legacy-xml-envelope-sent.connect-node-listener-aws.xml": .valid(
            event: "envelope-sent", envelopeId: "08740f95-2187-4b01-9a69-111111111111",
            generatedDateTime: "2020-03-28T23:56:53.9678325"),
    ]

    func testEveryCorpusFileHasWrittenExpectations() throws {
        let files = try Corpus.files(withExtension: "xml")
        XCTAssertEqual(files.count, 4, "no XML corpus found at \(Corpus.directory.path)")
        XCTAssertEqual(Set(files), Set(Self.expectations.keys), "corpus and expectations disagree")
    }

    func testCorpusFieldsWhole() throws {
        let harness = XMLScanHarness()
        for file in try Corpus.files(withExtension: "xml") {
            XCTAssertEqual(harness.scan(try Corpus.bytes(file)), Self.expectations[file], file)
        }
    }

    /// Whole, byte by byte, a boundary at every position with long pieces around it (pieces of
    /// 23 and of 70 bytes at every phase: the SIMD runs end at a boundary in every way), 1024
    /// two-way splits spread evenly, and random cuttings; each piece next to a guard page.
    /// (Every two-way split of the four files would be 30,000 scans of up to 13 KB: too slow for
    /// the debug build the suite runs in; the phased cuttings cover the same positions.)
    func testCorpusEveryCutting() throws {
        let harness = XMLScanHarness()
        for file in try Corpus.files(withExtension: "xml") {
            let bytes = try Corpus.bytes(file)
            let cuttings = Cuttings.thorough(bytes, maxSplits: 1024, random: 10, seed: 11)
                + Cuttings.phased(bytes, pieceLength: 23) + Cuttings.phased(bytes, pieceLength: 70)
            if let mismatch = harness.splitMismatch(bytes, cuttings) {
                XCTFail("\(file): \(mismatch)")
            }
        }
    }

    /// Every corpus body cut short anywhere before its root element closes is incomplete, never
    /// well-formed: `.unexpectedEnd` at its length (about 700 cuts per file, evenly spread).
    func testCorpusTruncationsAreUnexpectedEnd() throws {
        let harness = XMLScanHarness()
        for file in try Corpus.files(withExtension: "xml") {
            let bytes = try Corpus.bytes(file)
            let rootEnd = bytes.count - (bytes.reversed().firstIndex(of: UInt8(ascii: ">")) ?? 0)
            for cut in stride(from: 0, to: rootEnd, by: max(1, rootEnd / 700)) {
                let outcome = harness.scan(Array(bytes[..<cut]))
                XCTAssertEqual(outcome.error, XMLScanError(reason: .unexpectedEnd, offset: cut), "\(file) cut at \(cut)")
            }
        }
    }

    /// The JSON corpus is not XML: rejected at its first byte.
    func testJSONCorpusIsRejectedAtFirstByte() throws {
        let harness = XMLScanHarness()
        for file in try Corpus.files(withExtension: "json") {
            let outcome = harness.scan(try Corpus.bytes(file))
            XCTAssertEqual(outcome.error, XMLScanError(reason: .unexpectedByte, offset: 0), file)
            XCTAssertEqual(outcome.fieldsOnly, XMLOutcome(), file)
        }
    }
}
