import Foundation
import IngestLog
import IngestTestSupport
import XCTest

/// Legacy XML Connect messages end to end, over real sockets to the real `serve`, read back with
/// the real `connect-ingest read --format jsonl`: the format is chosen by `Content-Type`, or by the
/// first significant body byte when there is none; XML fields come out under the JSON names; a
/// genuine malformed XML body is stored (flagged) and answered 200; /metrics counts by format.
final class XMLMessagesTests: XCTestCase {
    /// The four legacy corpus bodies and the fields `read` must print for them.
    static let corpus: [(file: String, event: String, envelopeId: String, generatedDateTime: String)] = [
        ("legacy-xml-envelope-completed.ccla.easycla.xml", "envelope-completed", "c915984a-f761-4c28-ac2c-767253ba3362",
         "2020-12-17T07:44:53.0177631"),
        ("legacy-xml-envelope-completed.connect-node-listener-aws.xml", "envelope-completed", "08740f95-2187-4b01-9a69-452ae3140752",
         "2020-03-28T23:57:15.1085476"),
        ("legacy-xml-envelope-completed.formdata.easycla.xml", "envelope-completed", "c5c02f0b-d66b-4ad5-950d-0319ed3e1473",
         "2020-12-21T08:30:37.9661043"),
        ("legacy-xml-envelope-sent.connect-node-listener-aws.xml", "envelope-sent", "08740f95-2187-4b01-9a69-111111111111",
         "2020-03-28T23:56:53.9678325"),
    ]
    static let account = "5b8f2d3e-0c1a-4e6f-9a7b-2c3d4e5f6a7b"

    /// Runs the real binary; returns its exit status and its output's JSON lines.
    private func run(_ arguments: [String]) throws -> (status: Int32, lines: [[String: Any]]) {
        let binary = ProjectPaths.connectIngest
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("\(binary.path) not built") }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = try output.split(separator: UInt8(ascii: "\n")).map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
        return (process.terminationStatus, lines)
    }

    private func read(_ logDirectory: URL) throws -> [[String: Any]] {
        let result = try run(["read", "--log-dir", logDirectory.path, "--format", "jsonl"])
        XCTAssertEqual(result.status, 0)
        return result.lines
    }

    /// `inspect` chooses like the server (the file name's extension standing in for
    /// Content-Type) and prints the format.
    func testInspectHandlesXMLFiles() throws {
        let directory = try ProjectPaths.temporaryDirectory("inspect-xml")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sniffed = directory.appendingPathComponent("body.txt")
        try Data(" <a>&amp;</a>".utf8).write(to: sniffed)
        let declaredJSON = directory.appendingPathComponent("body.json")
        try Data("<a/>".utf8).write(to: declaredJSON)
        let broken = directory.appendingPathComponent("broken.xml")
        try Data("<a></b>".utf8).write(to: broken)
        let corpus = Corpus.directory.appendingPathComponent(Self.corpus[1].file).path
        let result = try run(["inspect", corpus, sniffed.path, declaredJSON.path, broken.path])
        XCTAssertEqual(result.status, 1, "not every file is valid")
        XCTAssertEqual(result.lines.map { $0["format"] as? String }, ["xml", "xml", "json", "xml"])
        XCTAssertEqual(result.lines.map { $0["valid"] as? Bool }, [true, true, false, false])
        XCTAssertEqual(result.lines[0]["event"] as? String, "envelope-completed")
        XCTAssertEqual(result.lines[0]["envelopeId"] as? String, Self.corpus[1].envelopeId)
        XCTAssertTrue(result.lines[0]["configurationId"] is NSNull)
        XCTAssertEqual(result.lines[2]["error"] as? String, "unexpectedByte")
        XCTAssertEqual(result.lines[3]["error"] as? String, "mismatchedEndTag")
        XCTAssertEqual(result.lines[3]["offset"] as? Int, 5)
        XCTAssertEqual(try run(["inspect", corpus]).status, 0)
    }

    func testLegacyXMLCorpusComesBackWithFieldsAccountAndFormat() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        var bodies: [[UInt8]] = []
        for entry in Self.corpus {
            let body = try Corpus.bytes(entry.file)
            bodies.append(body)
            try client.send(fixture.signedRequest(body, accountHeader: Self.account, contentType: "text/xml; charset=utf-8"))
            XCTAssertEqual(try client.readResponse().status, 200, entry.file)
        }
        // No Content-Type: the first byte that is not white space or a BOM decides (`<`: XML).
        let sniffed = [0xEF, 0xBB, 0xBF] + Array(" \r\n".utf8) + (try Corpus.bytes(Self.corpus[3].file).dropFirst(38))
        try client.send(fixture.signedRequest(sniffed, accountHeader: Self.account, contentType: nil))
        XCTAssertEqual(try client.readResponse().status, 200)
        // Declared XML, not well-formed, genuine: stored and 200, flagged, with the fields read
        // before the error.
        let malformed = Array("<DocuSignEnvelopeInformation><EnvelopeStatus><Status>Voided</Status><EnvelopeID>e</Envelope>".utf8)
        try client.send(fixture.signedRequest(malformed, accountHeader: Self.account, contentType: "Application/XML"))
        XCTAssertEqual(try client.readResponse().status, 200)
        // JSON still goes to the JSON scanner: declared, and sniffed.
        try client.send(fixture.signedRequest(ConnectMessages.event(1)))
        XCTAssertEqual(try client.readResponse().status, 200)
        try client.send(fixture.signedRequest(ConnectMessages.event(2), contentType: "text/plain"))
        XCTAssertEqual(try client.readResponse().status, 200)

        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let metrics = try client.readResponse().text
        XCTAssertTrue(metrics.contains("connect_messages_stored_total{format=\"xml\"} 6"), metrics)
        XCTAssertTrue(metrics.contains("connect_messages_stored_total{format=\"json\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("connect_stored_malformed_xml_total 1"), metrics)
        XCTAssertTrue(metrics.contains("connect_stored_malformed_json_total 0"), metrics)
        XCTAssertEqual(fixture.stop(), 0)

        let lines = try read(fixture.logDirectory)
        XCTAssertEqual(lines.count, 8)
        for (line, entry) in zip(lines, Self.corpus + [Self.corpus[3]]) {
            XCTAssertEqual(line["format"] as? String, "xml", entry.file)
            XCTAssertEqual(line["event"] as? String, entry.event, entry.file)
            XCTAssertEqual(line["envelopeId"] as? String, entry.envelopeId, entry.file)
            XCTAssertEqual(line["generatedDateTime"] as? String, entry.generatedDateTime, entry.file)
            XCTAssertEqual(line["accountId"] as? String, Self.account, entry.file)
            XCTAssertTrue(line["configurationId"] is NSNull, entry.file)
            let flags = line["flags"] as? [String] ?? []
            XCTAssertTrue(flags.contains("scannedAsXML") && flags.contains("xmlWellFormed") && !flags.contains("jsonWellFormed"),
                          "\(entry.file): \(flags)")
        }
        XCTAssertEqual(lines[0]["body"] as? String, String(decoding: bodies[0], as: UTF8.self), "the body byte-exact")
        let bad = lines[5]
        XCTAssertEqual(bad["format"] as? String, "xml")
        XCTAssertEqual(bad["event"] as? String, "envelope-voided")
        XCTAssertTrue(bad["envelopeId"] is NSNull)
        XCTAssertEqual(bad["flags"] as? [String], ["signatureVerified", "hasEvent", "scannedAsXML", "hasAccountId"])
        for line in lines[6...] {
            XCTAssertEqual(line["format"] as? String, "json")
            XCTAssertTrue((line["flags"] as? [String] ?? []).contains("jsonWellFormed"))
        }
        XCTAssertTrue(fixture.server.stderr.contains("event=stored_malformed_xml"), fixture.server.stderr)
    }
}
