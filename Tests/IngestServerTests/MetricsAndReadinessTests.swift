import Foundation
import IngestTestSupport
import XCTest

/// /metrics after a known mix of requests, and /readyz with the webhooks' 503 when not ready.
final class MetricsAndReadinessTests: XCTestCase {
    func metric(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2 && parts[0] == name { return Double(parts[1]) }
        }
        return nil
    }

    func testMetricsCountAKnownMix() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        for n in 0..<7 {
            try client.send(fixture.signedRequest(ConnectMessages.event(n)))
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        for n in 0..<3 {
            let body = ConnectMessages.event(100 + n)
            try client.send(ConnectMessages.request(body: body, signatures: [fixture.signature(body, key: Array("forged".utf8))]))
            XCTAssertEqual(try client.readResponse().status, 401)
        }
        try client.send(ConnectMessages.request(body: ConnectMessages.event(200), signatures: []))
        XCTAssertEqual(try client.readResponse().status, 401)
        for text in ["{\"event\":", "[1,2"] {
            try client.send(fixture.signedRequest(Array(text.utf8)))
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        let bad = try fixture.client()
        try bad.send("BROKEN\r\n\r\n")
        XCTAssertEqual(try bad.readResponse().status, 400)

        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.header("Content-Type")?.hasPrefix("text/plain") ?? false)
        let text = response.text
        XCTAssertEqual(metric(text, "connect_webhook_accepted_total"), 9)
        XCTAssertEqual(metric(text, "connect_signature_mismatch_total"), 3)
        XCTAssertEqual(metric(text, "connect_signature_missing_total"), 1)
        XCTAssertEqual(metric(text, "connect_stored_malformed_json_total"), 2)
        XCTAssertEqual(metric(text, "connect_log_records_total"), 9)
        XCTAssertEqual(metric(text, "connect_requests_total{route=\"any\",status=\"400\"}"), 1)
        XCTAssertEqual(metric(text, "connect_ack_seconds_count"), 9)
        XCTAssertEqual(metric(text, "connect_ready"), 1)
        XCTAssertGreaterThanOrEqual(metric(text, "connect_open_connections") ?? 0, 1)
        XCTAssertGreaterThanOrEqual(metric(text, "connect_log_segments") ?? 0, 1)
        XCTAssertTrue(text.contains("connect_log_commit_seconds_bucket{le=\"+Inf\"}"))
        XCTAssertTrue(text.contains("connect_worker_webhook_accepted_total{worker=\"1\"}"))
        XCTAssertEqual(fixture.stop(), 0)
    }

    func testNotReadyWhenFreeSpaceIsBelowTheMinimum() throws {
        let fixture = try ServerFixture(arguments: ["--min-free-bytes", "1000000GiB"])
        let client = try fixture.client()
        try client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 503)
        try client.send(fixture.signedRequest(ConnectMessages.event(1)))
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.header("Retry-After"), "5")
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200, "alive, just not ready")
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 0)
        XCTAssertTrue(fixture.server.stderr.contains("not_ready"))
    }

    func testTurnsUnreadyWhenTheLogFolderGoesAwayAndReadyWhenItReturns() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        let moved = fixture.directory.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: fixture.logDirectory, to: moved)
        XCTAssertEqual(try pollReadyz(client, until: 503), 503)
        try FileManager.default.moveItem(at: moved, to: fixture.logDirectory)
        XCTAssertEqual(try pollReadyz(client, until: 200), 200)
        XCTAssertEqual(fixture.stop(), 0)
    }

    /// Polls /readyz (the check runs about once a second) for up to 5 s.
    private func pollReadyz(_ client: LoopbackClient, until status: Int) throws -> Int {
        var last = 0
        for _ in 0..<50 {
            try client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
            last = try client.readResponse().status
            if last == status { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return last
    }
}
