import Foundation
import IngestHMAC
import IngestTestSupport
import XCTest

/// `connect-ingest read --follow` as a separate process while a real server takes a flood:
/// it sees every record exactly once, in sequence order, across segment roll-overs, and stops
/// cleanly on SIGTERM.
final class FollowWhileFloodingTests: XCTestCase {
    func testFollowSeesEveryRecordOnceInOrder() throws {
        let fixture = try ServerFixture(arguments: ["--segment-size", "1MiB"])
        try FileManager.default.createDirectory(at: fixture.logDirectory, withIntermediateDirectories: true)

        let follower = Process()
        follower.executableURL = ProjectPaths.connectIngest
        follower.arguments = ["read", "--log-dir", fixture.logDirectory.path, "--follow", "--format", "jsonl"]
        let output = Pipe()
        follower.standardOutput = output
        final class Lines: @unchecked Sendable { let lock = NSLock(); var data = Data() }
        let lines = Lines()
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            lines.lock.lock(); lines.data.append(chunk); lines.lock.unlock()
        }
        try follower.run()

        let total = 4 * 600
        DispatchQueue.concurrentPerform(iterations: 4) { c in
            guard let client = try? fixture.client() else { return }
            for n in 0..<600 {
                var body = ConnectMessages.event(c * 10_000 + n)
                if n % 5 == 0 { body += Array(repeating: UInt8(ascii: " "), count: 2000) }
                try? client.send(fixture.signedRequest(body))
                _ = try? client.readResponse()
            }
        }
        // Wait (bounded) until the follower has printed every record.
        let deadline = Date().addingTimeInterval(20)
        func count() -> Int {
            lines.lock.lock(); defer { lines.lock.unlock() }
            return lines.data.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        }
        while count() < total && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill(follower.processIdentifier, SIGTERM)
        follower.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        XCTAssertEqual(follower.terminationStatus, 0, "read --follow stops cleanly on SIGTERM")
        XCTAssertEqual(fixture.stop(), 0)

        lines.lock.lock(); let text = String(decoding: lines.data, as: UTF8.self); lines.lock.unlock()
        let sequences: [UInt64] = text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["seq"] as? NSNumber)?.uint64Value
        }
        XCTAssertEqual(sequences.count, total, "every record printed once")
        XCTAssertEqual(sequences, sequences.sorted(), "in sequence order")
        XCTAssertEqual(Set(sequences).count, sequences.count, "no duplicates")
        let segments = try FileManager.default.contentsOfDirectory(atPath: fixture.logDirectory.path).filter { $0.hasSuffix(".log") }
        XCTAssertGreaterThan(segments.count, 1, "the flood crossed segment boundaries")
        XCTAssertEqual(try fixture.records().map(\.sequence), sequences, "the follower saw what the log holds")
        // Under load the server writes one summary line a second, not a line per request.
        let stderr = fixture.server.stderr
        XCTAssertTrue(stderr.contains("event=summary") && stderr.contains("accepted="), stderr)
        XCTAssertLessThan(stderr.split(separator: "\n").count, 100, "no line per request")
    }
}
