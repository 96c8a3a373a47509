import IngestXML
import XCTest

/// The scanner's contract over a document's life: pieces of any size including empty ones,
/// errors sticking, `finish()` idempotent, nothing leaking from one document into the next.
final class XMLScannerLifecycleTests: XCTestCase {
    private let document = "<DocuSignEnvelopeInformation><EnvelopeStatus><Status>Sent</Status><EnvelopeID>e</EnvelopeID>"
        + "</EnvelopeStatus></DocuSignEnvelopeInformation>"

    private func feed(_ scanner: ConnectXMLScanner, _ text: String) {
        Array(text.utf8).withUnsafeBytes { scanner.feed($0) }
    }

    func testEmptyPiecesAnywhere() {
        let scanner = ConnectXMLScanner()
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        scanner.feed(empty)
        for byte in Array(document.utf8) {
            scanner.feed(empty)
            [byte].withUnsafeBytes { scanner.feed($0) }
            [UInt8]().withUnsafeBytes { scanner.feed($0) }
        }
        XCTAssertNil(scanner.finish())
        XCTAssertEqual(scanner.fieldBytes(.event), Array("envelope-sent".utf8))
        XCTAssertEqual(scanner.fieldBytes(.envelopeId), Array("e".utf8))
        XCTAssertEqual(scanner.bytesScanned, document.utf8.count)
    }

    func testErrorSticksAndLaterPiecesAreIgnored() {
        let scanner = ConnectXMLScanner()
        feed(scanner, "<a><b></c>")
        let error = XMLScanError(reason: .mismatchedEndTag, offset: 8)
        XCTAssertEqual(scanner.error, error)
        feed(scanner, "</b></a>")
        XCTAssertEqual(scanner.error, error)
        XCTAssertEqual(scanner.finish(), error)
        XCTAssertEqual(scanner.finish(), error)
        XCTAssertEqual(scanner.bytesScanned, 18)
    }

    func testErrorIsNilWhileThePrefixIsValid() {
        let scanner = ConnectXMLScanner()
        feed(scanner, "<DocuSignEnvelopeInformation><EnvelopeStatus><Status>Sent</Status>")
        XCTAssertNil(scanner.error)
        XCTAssertEqual(scanner.fieldBytes(.event), Array("envelope-sent".utf8), "complete values are visible before the end")
        feed(scanner, "</EnvelopeStatus></DocuSignEnvelopeInformation>")
        XCTAssertNil(scanner.finish())
        XCTAssertNil(scanner.finish(), "finish is idempotent")
    }

    func testResetForgetsEverything() {
        let scanner = ConnectXMLScanner()
        feed(scanner, document)
        XCTAssertNil(scanner.finish())
        scanner.reset()
        XCTAssertEqual(scanner.bytesScanned, 0)
        XCTAssertNil(scanner.error)
        for field in ConnectXMLField.allCases { XCTAssertNil(scanner.fieldBytes(field), "\(field) after reset") }
        // Mid-document state (open elements, a UTF-8 sequence, declared prefixes) is gone too.
        feed(scanner, "<p:a xmlns:p='u'><b>\u{E9}".dropLast(0) + "")
        Array([UInt8(0xC3)]).withUnsafeBytes { scanner.feed($0) }
        scanner.reset()
        feed(scanner, "<p:a/>")
        XCTAssertEqual(scanner.finish(), XMLScanError(reason: .undeclaredPrefix, offset: 4))
        scanner.reset()
        feed(scanner, "<b/>")
        XCTAssertNil(scanner.finish())
        XCTAssertNil(scanner.fieldBytes(.event))
    }

    func testWithFieldsGivesBytesInPlaceInJSONOrder() {
        let scanner = ConnectXMLScanner()
        XCTAssertNil(Array(document.utf8).withUnsafeBytes { scanner.scan($0) })
        let text = scanner.withField(.event) { $0.map { String(decoding: $0, as: UTF8.self) } }
        XCTAssertEqual(text, "envelope-sent")
        let all = scanner.withFields { event, configurationId, envelopeId, generatedDateTime in
            [event, configurationId, envelopeId, generatedDateTime].map { $0.map { Array($0) } }
        }
        XCTAssertEqual(all, [Array("envelope-sent".utf8), nil, Array("e".utf8), nil])
        XCTAssertEqual(ConnectXMLField.allCases.map(\.name), ["event", "envelopeId", "generatedDateTime"])
        XCTAssertEqual(ConnectXMLField.allCases.map(\.rawValue), [0, 2, 3], "the JSON field numbers")
    }
}
