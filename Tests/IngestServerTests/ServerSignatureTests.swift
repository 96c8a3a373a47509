import Foundation
import IngestHMAC
import IngestTestSupport
import XCTest

/// HMAC verification end to end: signed → 200 and stored byte-exact with its fields; unsigned,
/// wrong or tampered → 401 and nothing stored; rotation; Basic auth; start-up refusal.
final class ServerSignatureTests: XCTestCase {
    func testSignedStoredUnsignedAndWrongRefused() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let body = ConnectMessages.event(7)
        try client.send(fixture.signedRequest(body))
        XCTAssertEqual(try client.readResponse().status, 200)

        try client.send(ConnectMessages.request(body: ConnectMessages.event(8), signatures: []))
        let missing = try client.readResponse()
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(missing.text, "missing signature\n")

        let wrong = ConnectMessages.event(9)
        try client.send(ConnectMessages.request(body: wrong, signatures: [fixture.signature(wrong, key: Array(ConnectMessages.keyB.utf8))]))
        let mismatch = try client.readResponse()
        XCTAssertEqual(mismatch.status, 401)
        XCTAssertEqual(mismatch.text, "signature mismatch\n")

        var tampered = ConnectMessages.event(10)
        let signature = fixture.signature(tampered)
        tampered[20] ^= 0x01
        try client.send(ConnectMessages.request(body: tampered, signatures: [signature]))
        XCTAssertEqual(try client.readResponse().status, 401)

        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(records[0].body, body)
        XCTAssertTrue(records[0].flags.contains(.signatureVerified))
        XCTAssertEqual(records[0].event, Array("envelope-completed".utf8))
        XCTAssertEqual(records[0].configurationId, Array("10363315".utf8))
        XCTAssertEqual(records[0].envelopeId, Array("00000007-0000-4000-8000-000000000007".utf8))
        XCTAssertNotNil(records[0].generatedDateTime)
        XCTAssertFalse(fixture.server.stderr.contains(ConnectMessages.keyA), "no key material in logs")
    }

    func testRotationAnyKeyAnyHeaderOddCase() throws {
        let fixture = try ServerFixture(keys: [ConnectMessages.keyB], useKeyFile: false,
                                        environment: ["CONNECT_HMAC_KEYS": "\(ConnectMessages.keyA), \(ConnectMessages.keyB)"])
        let client = try fixture.client()
        let body = ConnectMessages.event(1)
        let a = fixture.signature(body, key: Array(ConnectMessages.keyA.utf8))
        let b = fixture.signature(body, key: Array(ConnectMessages.keyB.utf8))
        let garbage = fixture.signature(body, key: Array("other".utf8))
        try client.send(ConnectMessages.request(body: body, signatures: [garbage, b]))
        XCTAssertEqual(try client.readResponse().status, 200)
        try client.send(ConnectMessages.request(body: body, signatures: [a, garbage]))
        XCTAssertEqual(try client.readResponse().status, 200)
        var head = "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\n"
        for i in 1...19 { head += "x-docusign-SIGNATURE-\(i): \(garbage)\r\n" }
        head += "X-DOCUSIGN-signature-20: \(a)\r\nContent-Length: \(body.count)\r\n\r\n"
        try client.send(Array(head.utf8) + body)
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 3)
    }

    func testBasicAuthenticationIsCheckedFirst() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-basic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = directory.appendingPathComponent("basic.txt")
        try "docusign:s3cret\n".write(to: credentials, atomically: true, encoding: .utf8)
        let fixture = try ServerFixture(arguments: ["--basic-auth-file", credentials.path])
        let client = try fixture.client()
        let body = ConnectMessages.event(1)
        try client.send(fixture.signedRequest(body))
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 401)
        XCTAssertNotNil(refused.header("WWW-Authenticate"))
        let good = "Authorization: Basic " + Data("docusign:s3cret".utf8).base64EncodedString()
        try client.send(fixture.signedRequest(body, extraHeaders: [good]))
        XCTAssertEqual(try client.readResponse().status, 200)
        let bad = "Authorization: Basic " + Data("docusign:wrong".utf8).base64EncodedString()
        try client.send(fixture.signedRequest(body, extraHeaders: [bad]))
        XCTAssertEqual(try client.readResponse().status, 401)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 1)
    }

    func testRefusesToStartWithoutKeysUnlessAllowUnsigned() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-nokeys")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, _, stderr) = try ServerProcess.runTool(["serve", "--port", "0", "--log-dir", directory.path])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(stderr.contains("no HMAC key configured"), stderr)

        let fixture = try ServerFixture(arguments: ["--allow-unsigned"], keys: [])
        let client = try fixture.client()
        try client.send(ConnectMessages.request(body: ConnectMessages.event(1), signatures: []))
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.count, 1)
        XCTAssertTrue(records[0].flags.contains(.unsigned))
        XCTAssertFalse(records[0].flags.contains(.signatureVerified))
        XCTAssertTrue(fixture.server.stderr.contains("unsigned"))
    }
}
