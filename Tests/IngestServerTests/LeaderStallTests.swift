import Foundation
import IngestTestSupport
import XCTest

/// `--sync batch` with two workers runs each group-commit round on the worker that finds none
/// running (GroupSync, `leader` mode). When the disk stalls, that worker waits with its round;
/// the other keeps answering, and turns new webhooks away with 503 once the stall is older than
/// `--commit-stall-timeout`. When the stall ends, the waiting message is acknowledged and
/// nothing answered 503 is stored.
final class LeaderStallTests: XCTestCase {
    func testAStalledLeaderLeavesTheOtherWorkerAnswering() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-leader-stall")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stallFile = directory.appendingPathComponent("stall")
        XCTAssertTrue(FileManager.default.createFile(atPath: stallFile.path, contents: Data()))
        let fixture = try ServerFixture(arguments: ["--workers", "2", "--sync", "batch", "--commit-stall-timeout", "200ms"],
                                        environment: ["CONNECT_TEST_HOOK_STALL_COMMITS_WHILE_FILE_EXISTS": stallFile.path])

        // The first message's worker publishes it and leads the (stalled) round: no answer yet.
        let first = try LoopbackClient(port: fixture.port, receiveTimeout: 0.5)
        let firstBody = ConnectMessages.event(1)
        try first.send(fixture.signedRequest(firstBody))
        XCTAssertThrowsError(try first.readResponse(), "no 200 before the message is durable")
        usleep(300_000)   // past the stall timeout

        // Sixteen new connections: the kernel spreads them over both workers. The stalled
        // leader answers none of them for now; the other answers each webhook with 503.
        var clients: [LoopbackClient] = []
        var statuses: [Int: Int] = [:]
        var refused: [[UInt8]] = []
        for n in 0..<16 {
            let client = try LoopbackClient(port: fixture.port, receiveTimeout: 0.3)
            try client.send(fixture.signedRequest(ConnectMessages.event(100 + n)))
            if let response = try? client.readResponse() {
                statuses[response.status, default: 0] += 1
                if response.status == 503 { refused.append(ConnectMessages.event(100 + n)) }
            }
            clients.append(client)
        }
        XCTAssertGreaterThan(statuses[503, default: 0], 0, "the other worker kept answering: \(statuses)")
        XCTAssertEqual(statuses[200, default: 0], 0, "nothing is acknowledged during the stall: \(statuses)")

        // The stall ends: the first message is acknowledged.
        try FileManager.default.removeItem(at: stallFile)
        var firstStatus = 0
        for _ in 0..<40 {
            if let r = try? first.readResponse() { firstStatus = r.status; break }
        }
        XCTAssertEqual(firstStatus, 200)
        var acknowledged = [firstBody]
        for (n, client) in clients.enumerated() {
            // Requests the stalled worker held are answered now (200: stored), the rest were 503.
            if let response = try? client.readResponse(), response.status == 200 {
                acknowledged.append(ConnectMessages.event(100 + n))
            }
        }
        XCTAssertEqual(fixture.stop(), 0)
        let stored = try fixture.records().map(\.body)
        for body in acknowledged { XCTAssertTrue(stored.contains(body), "an acknowledged message is missing") }
        for body in refused { XCTAssertFalse(stored.contains(body), "a message answered 503 was stored") }
        XCTAssertTrue(fixture.server.stderr.contains("event=backpressure"))
    }
}
