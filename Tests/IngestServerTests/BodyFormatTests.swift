import IngestJSON
import IngestServer
import IngestTestSupport
import IngestXML
import XCTest

/// The per-message format choice: the media type of `Content-Type`, else the first byte that is
/// not white space or a UTF-8 BOM. The chosen scanner must report exactly what it reports for the
/// body fed directly, whatever the cutting (the skipped prefix is replayed, never buffered).
final class BodyFormatTests: XCTestCase {
    private func format(_ value: String) -> BodyFormat? {
        Array(value.utf8).withUnsafeBytes { BodyFormat(contentType: $0) }
    }

    func testContentTypeMediaTypes() {
        for value in ["application/json", "APPLICATION/JSON", "application/json; charset=utf-8", " application/json ;x=1", "application/json\t"] {
            XCTAssertEqual(format(value), .json, value)
        }
        for value in ["text/xml", "text/xml; charset=utf-8", "Text/XML", "application/xml", "application/XML;charset=\"utf-8\"", "texT/xmL", "APPLICATION/xml ;"] {
            XCTAssertEqual(format(value), .xml, value)
        }
        for value in ["", "text/plain", "application/soap+xml", "application/jsonx", "text/xml2", "application / json", "xml", ";text/xml",
                      "application/x-www-form-urlencoded", "text/xm[", "application[json", "applicati@n/json", "tExt/xml x",
                      "application/xml2", "@pplication/json", "application/jsonp;", "text/xmz"] {
            XCTAssertNil(format(value), value)
        }
    }

    /// (format, error, fields) of the body through `BodyScanners`.
    private func viaChooser(_ scanners: BodyScanners, _ pieces: [ArraySlice<UInt8>], declared: BodyFormat?) -> String {
        scanners.begin(declared: declared)
        for piece in pieces { piece.withUnsafeBytes { scanners.feed($0) } }
        let error = scanners.finish()
        let fields = scanners.withFields { a, b, c, d in [a, b, c, d].map { $0.map { Array($0) } } }
        return "\(scanners.format.map(\.name) ?? "none") \(String(describing: error)) \(fields)"
    }

    /// The same, with the expected scanner fed the whole body directly.
    private func direct(_ body: [UInt8], _ format: BodyFormat) -> String {
        if format == .xml {
            let scanner = ConnectXMLScanner()
            let error = body.withUnsafeBytes { scanner.scan($0) }.map { BodyScanError.xml($0) }
            let fields = scanner.withFields { a, b, c, d in [a, b, c, d].map { $0.map { Array($0) } } }
            return "xml \(String(describing: error)) \(fields)"
        }
        let scanner = ConnectFieldScanner()
        let error = body.withUnsafeBytes { scanner.scan($0) }.map { BodyScanError.json($0) }
        let fields = scanner.withFields { a, b, c, d in [a, b, c, d].map { $0.map { Array($0) } } }
        return "json \(String(describing: error)) \(fields)"
    }

    func testFirstSignificantByteAtEveryCutting() throws {
        let xml = try Corpus.bytes("legacy-xml-envelope-sent.connect-node-listener-aws.xml")
        let json = ConnectMessages.event(7)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let cases: [(body: [UInt8], expected: BodyFormat)] = [
            (xml, .xml), (bom + xml, .xml), (json, .json), (bom + json, .json),
            (Array(" \t\r\n".utf8) + Array(xml.dropFirst(38)), .xml),  // white space, then an element
            (Array(" \n".utf8) + xml, .xml),                           // ... then a misplaced declaration
            (bom + Array("\n\n".utf8) + json, .json), (Array("  ".utf8) + json, .json),
            ([0xEF, 0xBB, 0x20, 0x3C, 0x61, 0x2F, 0x3E], .json),        // a broken BOM is significant
            ([0xEF, 0x3C, 0x61, 0x2F, 0x3E], .json), ([0x20, 0xEF, 0xBB, 0xBF, 0x3C, 0x61, 0x2F, 0x3E], .json),
            (bom, .json), ([], .json), (Array("   ".utf8), .json), (Array(repeating: 0x20, count: 300) + Array("<a/>".utf8), .xml),
            (Array("x<a/>".utf8), .json), (Array("<".utf8), .xml),
        ]
        let scanners = BodyScanners()
        for (body, expected) in cases {
            let want = direct(body, expected)
            for (name, pieces) in SplitFeeder.cuttings(of: body, maxExhaustive: 300) {
                XCTAssertEqual(viaChooser(scanners, pieces, declared: nil), want, "\(debugText(body, limit: 60)) \(name)")
            }
        }
    }

    func testDeclaredFormatWinsOverTheBody() throws {
        let xml = try Corpus.bytes("legacy-xml-envelope-sent.connect-node-listener-aws.xml")
        let scanners = BodyScanners()
        XCTAssertEqual(viaChooser(scanners, [xml[...]], declared: .json), direct(xml, .json))
        XCTAssertTrue(viaChooser(scanners, [xml[...]], declared: .json).hasPrefix("json Optional(unexpected byte at byte 0)"),
                      viaChooser(scanners, [xml[...]], declared: .json))
        let json = ConnectMessages.event(3)
        XCTAssertEqual(viaChooser(scanners, [json[...]], declared: .xml), direct(json, .xml))
        XCTAssertEqual(viaChooser(scanners, [xml[...]], declared: .xml), direct(xml, .xml))
    }
}
