import Foundation
import IngestTestSupport
import XCTest

/// Hostile and malformed input over real sockets: each gets its status and a closed
/// connection, the server keeps serving everyone else, and nothing is stored.
final class ServerBadInputTests: XCTestCase {
    func testMalformedRequestsGetTheirStatusAndTheServerGoesOn() throws {
        let fixture = try ServerFixture(arguments: ["--max-body", "1000", "--max-header-bytes", "2048"])
        let cases: [(String, String, Int)] = [
            ("garbage request line", "HELLO\r\n\r\n", 400),
            ("bad version text", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400),
            ("unsupported version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("header without colon", "GET / HTTP/1.1\r\nHost: x\r\nBroken\r\n\r\n", 400),
            ("obsolete line folding", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n", 400),
            ("bare CR", "GET / HTTP/1.1\r\nHost: x\rY: 1\r\n\r\n", 400),
            ("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
            ("header section too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 4000))\r\n\r\n", 431),
            ("body too large", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 413),
            ("CL and TE", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("conflicting CLs", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
            ("negative CL", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
            ("gzip coding", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("bad chunk size", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
            ("overflowing chunk size", "POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", 400),
        ]
        for (name, request, status) in cases {
            let client = try fixture.client()
            try client.send(request)
            let response = try client.readResponse()
            XCTAssertEqual(response.status, status, name)
            XCTAssertEqual(response.header("Connection")?.lowercased(), "close", name)
            XCTAssertTrue(client.isClosedByPeer(), name)
            // Everyone else is still served.
            let other = try fixture.client()
            try other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try other.readResponse().status, 200, "after \(name)")
        }
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 0)
        XCTAssertTrue(fixture.server.stderr.contains("event=bad_request"), "bad input is logged")
    }

    func testClientVanishingMidBodyStoresNothing() throws {
        let fixture = try ServerFixture()
        for n in 0..<5 {
            let client = try fixture.client()
            let request = fixture.signedRequest(ConnectMessages.event(n))
            try client.send(Array(request[0..<(request.count - 7)]))
        }
        Thread.sleep(forTimeInterval: 0.3)
        let client = try fixture.client()
        try client.send(fixture.signedRequest(ConnectMessages.event(99)))
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().map(\.body), [ConnectMessages.event(99)])
    }

    func testMalformedJSONFromAGenuineSenderIsStoredAndAcknowledged() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let bodies: [[UInt8]] = [Array("{\"event\":\"envelope-sent\",".utf8), Array("not json at all".utf8), Array("{\"data\":{}}".utf8)]
        for body in bodies {
            try client.send(fixture.signedRequest(body))
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.map(\.body), bodies)
        XCTAssertFalse(records[0].flags.contains(.jsonWellFormed))
        XCTAssertEqual(records[0].event, Array("envelope-sent".utf8))
        XCTAssertTrue(records[2].flags.contains(.jsonWellFormed))
        XCTAssertNil(records[2].envelopeId)
    }
}
