import IngestJSON
import XCTest

/// The scanner's contract over a document's life: pieces of any size including empty ones,
/// errors sticking, `finish()` idempotent, nothing leaking from one document into the next.
final class ScannerLifecycleTests: XCTestCase {
    private func feed(_ scanner: ConnectFieldScanner, _ text: String) {
        Array(text.utf8).withUnsafeBytes { scanner.feed($0) }
    }

    func testEmptyPiecesAnywhere() {
        let scanner = ConnectFieldScanner()
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        scanner.feed(empty)
        for byte in Array(#"{"event":"e","configurationId":1}"#.utf8) {
            scanner.feed(empty)
            [byte].withUnsafeBytes { scanner.feed($0) }
            [UInt8]().withUnsafeBytes { scanner.feed($0) }
        }
        XCTAssertNil(scanner.finish())
        XCTAssertEqual(scanner.fieldBytes(.event), Array("e".utf8))
        XCTAssertEqual(scanner.fieldBytes(.configurationId), Array("1".utf8))
        XCTAssertEqual(scanner.bytesScanned, 33)
    }

    func testErrorSticksAndLaterPiecesAreIgnored() {
        let scanner = ConnectFieldScanner()
        feed(scanner, #"{"event":"a"x"#)
        let error = JSONScanError(reason: .unexpectedByte, offset: 12)
        XCTAssertEqual(scanner.error, error)
        feed(scanner, #","configurationId":5}"#)
        XCTAssertEqual(scanner.error, error)
        XCTAssertEqual(scanner.finish(), error)
        XCTAssertEqual(scanner.finish(), error)
        XCTAssertEqual(scanner.fieldBytes(.event), Array("a".utf8))
        XCTAssertNil(scanner.fieldBytes(.configurationId))
    }

    func testErrorIsNilWhileThePrefixIsValid() {
        let scanner = ConnectFieldScanner()
        feed(scanner, #"{"event":"a""#)
        XCTAssertNil(scanner.error)
        XCTAssertEqual(scanner.fieldBytes(.event), Array("a".utf8), "complete values are visible before the end")
        feed(scanner, "}")
        XCTAssertNil(scanner.finish())
        XCTAssertNil(scanner.finish(), "finish is idempotent")
    }

    func testResetForgetsEverything() {
        let scanner = ConnectFieldScanner()
        feed(scanner, #"{"event":"a","configurationId":1,"generatedDateTime":"t","envelopeId":"e","data":{"envelopeId":"d"}}"#)
        XCTAssertNil(scanner.finish())
        XCTAssertEqual(scanner.fieldBytes(.envelopeId), Array("d".utf8))
        scanner.reset()
        XCTAssertEqual(scanner.bytesScanned, 0)
        XCTAssertNil(scanner.error)
        for field in ConnectField.allCases { XCTAssertNil(scanner.fieldBytes(field), "\(field) after reset") }
        feed(scanner, "[")
        XCTAssertEqual(scanner.finish(), JSONScanError(reason: .unexpectedEnd, offset: 1))
        scanner.reset()
        feed(scanner, #"{"event":"b"}"#)
        XCTAssertNil(scanner.finish())
        XCTAssertEqual(scanner.fieldBytes(.event), Array("b".utf8))
        XCTAssertNil(scanner.fieldBytes(.envelopeId))
    }

    func testWithFieldGivesBytesInPlace() {
        let scanner = ConnectFieldScanner()
        let error = Array(#"{"event":"envelope-completed"}"#.utf8).withUnsafeBytes { scanner.scan($0) }
        XCTAssertNil(error)
        let text = scanner.withField(.event) { $0.map { String(decoding: $0, as: UTF8.self) } }
        XCTAssertEqual(text, "envelope-completed")
        XCTAssertTrue(scanner.withField(.envelopeId) { $0 == nil })
        let all = scanner.withFields { event, configurationId, envelopeId, generatedDateTime in
            [event, configurationId, envelopeId, generatedDateTime].map { $0.map { Array($0) } }
        }
        XCTAssertEqual(all, [Array("envelope-completed".utf8), nil, nil, nil])
        XCTAssertEqual(ConnectField.allCases.map(\.name), ["event", "configurationId", "envelopeId", "generatedDateTime"])
    }

    func testTopLevelScalarsAtEveryDepthLimit() {
        let scanner = ConnectFieldScanner(maxDepth: 0)
        for text in ["1", "-2.5e3", #""s""#, "true", " null "] {
            XCTAssertNil(Array(text.utf8).withUnsafeBytes { scanner.scan($0) }, text)
        }
        XCTAssertEqual(Array("[]".utf8).withUnsafeBytes { scanner.scan($0) }, JSONScanError(reason: .depthLimitExceeded, offset: 0))
    }
}
