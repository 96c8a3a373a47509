import Foundation
import IngestLog
import IngestNATS
import IngestShip
import IngestTestSupport
import NATSTestSupport
import XCTest

/// Filters, subjects, restarts, errors and retention losses of `connect-ingest ship`, each
/// against a real single-node JetStream server of its own.
final class ShipBehaviourTests: XCTestCase {
    /// Flags the second record with an already seen message id as a duplicate (as the dedup work's detector does).
    final class RememberingDetector: DuplicateDetector, @unchecked Sendable {
        var seen: [MessageID: UInt64] = [:]
        func firstCopy(of id: MessageID, sequence: UInt64, receivedAtNanoseconds: Int64) -> UInt64? {
            if let first = seen[id] { return first }
            seen[id] = sequence
            return nil
        }
    }

    func server() throws -> NATSCluster {
        guard NATSCluster.serverPath != nil else { throw XCTSkip(NATSCluster.skipMessage) }
        return try NATSCluster(size: 1)
    }

    func runShip(_ server: NATSCluster, _ directory: String, stream: String, until checkpoint: UInt64,
                 _ extra: [String]) throws -> ToolProcess {
        let ship = try ToolProcess(["ship", "--log-dir", directory, "--nats", server.urls, "--stream", stream,
                                    "--instance", "I", "--create-stream"] + extra)
        XCTAssertTrue(ship.waitForOutput("event=ship_started", timeout: 20), ship.standardError)
        let file = CheckpointFile(path: ShipOptions.defaultCheckpointPath(logDirectory: directory, stream: stream))
        let reached = ShipTestSupport.waitUntil(timeout: 20) { (try? file.load()) == checkpoint }
        XCTAssertEqual(ship.stop(), 0, ship.standardError)
        XCTAssertTrue(reached, "checkpoint \(checkpoint) not reached: \(ship.standardError)")
        XCTAssertEqual(ship.lines(event: "ship_stopped").count, 1, ship.standardError)
        return ship
    }

    func testFiltersSubjectsDeduplicationAndRestartFromCheckpoint() throws {
        let server = try server()
        defer { server.stop() }
        let folder = try ProjectPaths.temporaryDirectory("ship-filters")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("log").path
        let accountA = "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d", accountB = "0a1b2c3d-2222-4a5b-9c8d-0e1f2a3b4c5d"
        let id0 = MessageID(high: 1, low: 100)
        let records = [
            TestRecord(event: "envelope-completed", configurationId: "1", accountId: accountA, messageId: id0, body: Array("b0".utf8)),
            TestRecord(event: "envelope-sent", configurationId: "1", accountId: accountA, body: Array("b1".utf8)),
            TestRecord(event: "envelope-completed", configurationId: "2", accountId: accountB, body: Array("b2".utf8)),
            TestRecord(event: "envelope completed.*>\u{00e9}", configurationId: nil, accountId: nil, body: Array("b3\r\n".utf8)),
            // A redelivery of record 0's message: the log flags it duplicate.
            TestRecord(event: "envelope-completed", configurationId: "1", accountId: accountA, messageId: id0, body: Array("b0".utf8)),
        ]
        try ShipTestSupport.writeLog(directory, records, detector: RememberingDetector())
        let logRecords = try ShipTestSupport.readLog(directory)
        XCTAssertEqual(logRecords.map(\.isDuplicate), [false, false, false, false, true])

        let client = server.makeClient()
        defer { client.close() }
        try client.connect()
        let js = JetStream(client: client)
        func bodies(_ stream: String) throws -> [String] {
            try js.readAll(stream: stream).map { String(decoding: $0.payload, as: UTF8.self) }
        }

        // Everything, default message ids: the redelivery is dropped by the stream's duplicate window.
        let all = try runShip(server, directory, stream: "ALL", until: 5, [])
        XCTAssertEqual(try bodies("ALL"), ["b0", "b1", "b2", "b3\r\n"])
        XCTAssertTrue(all.lines(event: "ship_stopped").first?.contains("duplicates=1") ?? false, all.standardError)
        let subjects = try js.readAll(stream: "ALL").map(\.subject)
        XCTAssertEqual(subjects, ["connect.\(accountA).1.envelope-completed", "connect.\(accountA).1.envelope-sent",
                                  "connect.\(accountB).2.envelope-completed", "connect._._.envelope_completed_____"])

        // --event and --unique (each stream has subjects of its own).
        _ = try runShip(server, directory, stream: "COMPLETED", until: 5, ["--event", "envelope-completed", "--unique",
                                                                            "--subject", "completed.{accountId}.{configurationId}"])
        XCTAssertEqual(try bodies("COMPLETED"), ["b0", "b2"])

        // --account-id and --configuration-id, a template of our own, --msg-id record.
        _ = try runShip(server, directory, stream: "ACCOUNT", until: 5, ["--account-id", accountA, "--configuration-id", "1",
                                                                          "--msg-id", "record", "--subject", "docusign.{instance}.{envelopeId}.{event}"])
        let byAccount = try js.readAll(stream: "ACCOUNT")
        XCTAssertEqual(byAccount.map { String(decoding: $0.payload, as: UTF8.self) }, ["b0", "b1", "b0"], "record ids: the redelivery is its own message")
        XCTAssertEqual(byAccount.map(\.subject), ["docusign.I._.envelope-completed", "docusign.I._.envelope-sent", "docusign.I._.envelope-completed"])
        XCTAssertEqual(byAccount.compactMap { $0.header("Nats-Msg-Id") }, ["I-0", "I-1", "I-4"])
        XCTAssertEqual(byAccount.last?.header("Connect-Duplicate-Of"), "0")

        // A restart resumes at the checkpoint: nothing is published again.
        let again = try runShip(server, directory, stream: "ALL", until: 5, [])
        XCTAssertTrue(again.lines(event: "ship_stopped").first?.contains("published=0") ?? false, again.standardError)
        XCTAssertEqual(try js.streamInfo("ALL").messages, 4)
    }

    func testClearErrors() throws {
        guard NATSCluster.serverPath != nil else { throw XCTSkip(NATSCluster.skipMessage) }
        let folder = try ProjectPaths.temporaryDirectory("ship-errors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("log").path
        try ShipTestSupport.writeLog(directory, [TestRecord(body: Array("x".utf8))])
        func expectFailure(_ arguments: [String], environment: [String: String] = [:], _ text: String,
                           file: StaticString = #filePath, line: UInt = #line) throws {
            let ship = try ToolProcess(["ship", "--log-dir", directory] + arguments, environment: environment)
            XCTAssertEqual(ship.waitForExit(timeout: 20), 1, ship.standardError, file: file, line: line)
            XCTAssertTrue(ship.standardError.contains(text), "expected \(text): \(ship.standardError)", file: file, line: line)
            XCTAssertFalse(ship.standardError.contains("s3cret"), "a secret was printed", file: file, line: line)
        }
        // Nothing listening.
        let port = try NATSCluster.freePorts(1)[0]
        try expectFailure(["--nats", "nats://127.0.0.1:\(port)"], "cannot reach the NATS cluster")

        // Wrong token (from the environment, as in a systemd EnvironmentFile).
        let secured = try NATSCluster(size: 1, authorization: .token("s3cret-right"))
        defer { secured.stop() }
        try expectFailure(["--nats", secured.urls], environment: ["CONNECT_NATS_TOKEN": "s3cret-wrong"], "refused the credentials")
        // Wrong password, given as flags.
        let withUser = try NATSCluster(size: 1, authorization: .userPassword(user: "shipper", password: "s3cret-pw"))
        defer { withUser.stop() }
        try expectFailure(["--nats", withUser.urls, "--nats-user", "shipper"], environment: ["CONNECT_NATS_PASSWORD": "s3cret-no"],
                          "refused the credentials")
        // Right token, but no stream and no --create-stream.
        try expectFailure(["--nats", secured.urls, "--stream", "NOPE"], environment: ["CONNECT_NATS_TOKEN": "s3cret-right"],
                          "stream NOPE does not exist")

        // A stream whose duplicate window is too short to make republishing safe.
        let plain = try NATSCluster(size: 1)
        defer { plain.stop() }
        let client = plain.makeClient()
        defer { client.close() }
        try client.connect()
        var short = StreamConfiguration(name: "SHORT", subjects: ["connect.>"])
        short.duplicateWindowNanoseconds = 120_000_000_000
        _ = try JetStream(client: client).createStream(short)
        try expectFailure(["--nats", plain.urls, "--stream", "SHORT"], "duplicate window of 120 s, shorter than --min-duplicate-window")

        // The template's subjects belong to another stream (SHORT): stored there, so ship stops with an error.
        _ = try JetStream(client: client).createStream(StreamConfiguration(name: "ELSEWHERE", subjects: ["other.>"]))
        try expectFailure(["--nats", plain.urls, "--stream", "ELSEWHERE"], "is taken by stream SHORT, not ELSEWHERE")
        try JetStream(client: client).deleteStream("SHORT")

        // A stream that does not take the template's subjects: no responders, reported, nothing acknowledged.
        let ship = try ToolProcess(["ship", "--log-dir", directory, "--nats", plain.urls, "--stream", "ELSEWHERE", "--stop-timeout", "1s"])
        XCTAssertTrue(ship.waitForOutput("event=nats_no_responders", timeout: 20), ship.standardError)
        XCTAssertTrue(ship.standardError.contains("connect.7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d.10363315.envelope-completed"), ship.standardError)
        XCTAssertEqual(ship.stop(), 0)
        XCTAssertTrue(ship.standardError.contains("event=ship_stop_timeout in_flight=1"), ship.standardError)
        XCTAssertNotEqual(try CheckpointFile(path: ShipOptions.defaultCheckpointPath(logDirectory: directory, stream: "ELSEWHERE")).load() ?? 0, 1,
                          "an unacknowledged record is never checkpointed")

        // Usage errors exit 2.
        let usage = try ToolProcess(["ship", "--subject", "a.{nope}", "--nats", "http://x"])
        XCTAssertEqual(usage.waitForExit(timeout: 10), 2)
        XCTAssertTrue(usage.standardError.contains("unknown placeholder {nope}"), usage.standardError)
        XCTAssertTrue(usage.standardError.contains("--nats"), usage.standardError)
        let window = try ToolProcess(["ship", "--create-stream", "--max-age", "1h"])
        XCTAssertEqual(window.waitForExit(timeout: 10), 2)
        XCTAssertTrue(window.standardError.contains("--duplicate-window is longer than --max-age"), window.standardError)
    }

    /// Segments deleted (as serve's retention does) before they were shipped: the lost range is
    /// logged, and the rest is shipped.
    func testSegmentsDeletedBeforeShippingAreReportedWithTheirRange() throws {
        let server = try server()
        defer { server.stop() }
        let folder = try ProjectPaths.temporaryDirectory("ship-retention")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("log").path
        try ShipTestSupport.writeLog(directory, (0..<200).map { TestRecord(body: ConnectMessages.event($0)) }, segmentSize: 8192)
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }.sorted()
        XCTAssertGreaterThan(segments.count, 5)
        for name in segments.prefix(3) { try FileManager.default.removeItem(atPath: directory + "/" + name) }
        let firstKept = UInt64(segments[3].dropLast(4))!
        let ship = try runShip(server, directory, stream: "RET", until: 200, [])
        let lost = ship.lines(event: "ship_data_lost")
        XCTAssertEqual(lost.count, 1, ship.standardError)
        XCTAssertTrue(lost.first?.contains("from_seq=0 to_seq=\(firstKept - 1)") ?? false, lost.first ?? "")
        XCTAssertTrue(ship.lines(event: "ship_stopped").first?.contains("lost_ranges=1") ?? false)
        let client = server.makeClient()
        defer { client.close() }
        try client.connect()
        XCTAssertEqual(try JetStream(client: client).streamInfo("RET").messages, 200 - firstKept)
    }
}
