import Foundation
import IngestTestSupport
import XCTest

/// When the log writer stalls, new webhooks get 503 + Retry-After (DocuSign redelivers) instead of
/// the server buffering them; what was accepted before the stall is acknowledged once it is durable.
final class BackpressureTests: XCTestCase {
    func testStalledCommitsTurnNewWebhooksAway() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-stall")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stallFile = directory.appendingPathComponent("stall")
        FileManager.default.createFile(atPath: stallFile.path, contents: Data())
        let fixture = try ServerFixture(arguments: ["--workers", "1", "--sync", "batch", "--commit-stall-timeout", "300ms"],
                                        environment: ["CONNECT_TEST_HOOK_STALL_COMMITS_WHILE_FILE_EXISTS": stallFile.path])

        // The first message is staged and handed to the (stalled) commit: no answer yet.
        let first = try LoopbackClient(port: fixture.port, receiveTimeout: 0.5)
        let firstBody = ConnectMessages.event(1)
        try first.send(fixture.signedRequest(firstBody))
        XCTAssertThrowsError(try first.readResponse(), "no 200 before the message is durable")

        // Past the stall timeout every new webhook is refused, and memory does not grow with them.
        let rssBefore = try residentBytes(fixture.server.process.processIdentifier)
        let other = try fixture.client()
        var statuses: [Int: Int] = [:]
        for n in 0..<2000 {
            var body = ConnectMessages.event(100 + n)
            body += Array(repeating: UInt8(ascii: " "), count: 4000)
            try other.send(fixture.signedRequest(body))
            let response = try other.readResponse()
            statuses[response.status, default: 0] += 1
            if n == 0 { XCTAssertEqual(response.header("Retry-After"), "5") }
        }
        XCTAssertEqual(statuses, [503: 2000])
        let rssAfter = try residentBytes(fixture.server.process.processIdentifier)
        XCTAssertLessThan(rssAfter - rssBefore, 4 << 20, "8 MB of refused bodies must not be held")
        try other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try other.readResponse().status, 200, "the loop keeps serving during the stall")

        // The stall ends: the waiting message is acknowledged, and webhooks are taken again.
        try FileManager.default.removeItem(at: stallFile)
        var firstStatus = 0
        for _ in 0..<40 {
            if let r = try? first.readResponse() { firstStatus = r.status; break }
        }
        XCTAssertEqual(firstStatus, 200)
        try other.send(fixture.signedRequest(ConnectMessages.event(5000)))
        XCTAssertEqual(try other.readResponse().status, 200)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().map(\.body), [firstBody, ConnectMessages.event(5000)])
        XCTAssertTrue(fixture.server.stderr.contains("event=backpressure"))
    }

    private func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true)[1]
            return (Int(kb) ?? 0) * 1024
        }
        return 0
    }
}
