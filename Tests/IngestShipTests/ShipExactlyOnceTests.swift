import Foundation
import IngestLog
import IngestNATS
import IngestShip
import IngestTestSupport
import NATSTestSupport
import XCTest

/// `connect-ingest ship` as a real process into a real 3-node JetStream cluster (started once
/// for the class), with real `serve` processes appending.
final class ShipExactlyOnceTests: XCTestCase {
    nonisolated(unsafe) static let shared = SharedNATSCluster()

    override class func setUp() {
        super.setUp()
        shared.start()
    }

    override class func tearDown() {
        shared.stop()
        super.tearDown()
    }

    func requireCluster() throws -> NATSCluster { try Self.shared.require() }

    func ship(_ cluster: NATSCluster, _ directory: String, stream: String, instance: String, _ extra: [String] = []) throws -> ToolProcess {
        try ToolProcess(["ship", "--log-dir", directory, "--nats", cluster.urls, "--stream", stream, "--instance", instance,
                         "--create-stream", "--replicas", "3", "--ack-timeout", "2s"] + extra)
    }

    /// 50,000 records: 40,000 already in the log, 10,000 appended by a real `serve` while the
    /// shipper runs; meanwhile the stream's leader is SIGKILLed and restarted, then the shipper
    /// is SIGKILLed and restarted. The stream then holds every record exactly once, byte-exact,
    /// on its subject, in log order.
    func testFiftyThousandRecordsThroughLeaderKillShipperKillAndAppends() throws {
        let cluster = try requireCluster()
        let folder = try ProjectPaths.temporaryDirectory("ship-50k")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("log").path
        var prefilled: [TestRecord] = []
        for n in 0..<40_000 {
            // Every other record carries a message id (as records from the dedup work will).
            let id: MessageID? = n % 2 == 0 ? MessageID(high: 0xC0FFEE, low: UInt64(n)) : nil
            prefilled.append(TestRecord(event: n % 3 == 0 ? "envelope-sent" : "envelope-completed",
                                        configurationId: "\(1000 + n % 4)", messageId: id, body: ConnectMessages.event(n)))
        }
        try ShipTestSupport.writeLog(directory, prefilled)

        let serve = try ServerProcess(arguments: ["--allow-unsigned", "--sync", "none", "--workers", "1"],
                                      logDirectory: URL(fileURLWithPath: directory))
        defer { serve.stop() }
        var shipper = try ship(cluster, directory, stream: "BIG", instance: "L1", ["--max-in-flight", "1000"])

        // The listener keeps appending: 10,000 webhooks, pipelined 50 at a time.
        final class Appender: @unchecked Sendable { var accepted = 0; var failure: String? }
        let appender = Appender()
        let appending = DispatchGroup()
        appending.enter()
        DispatchQueue.global().async {
            defer { appending.leave() }
            do {
                let client = try LoopbackClient(port: serve.port, receiveTimeout: 20)
                for batch in 0..<200 {
                    var bytes: [UInt8] = []
                    for k in 0..<50 { bytes += ConnectMessages.request(body: ConnectMessages.event(100_000 + batch * 50 + k), signatures: []) }
                    try client.send(bytes)
                    for _ in 0..<50 where try client.readResponse().status == 200 { appender.accepted += 1 }
                    usleep(2000)
                }
            } catch { appender.failure = "\(error)" }
        }

        let monitor = cluster.makeClient { $0.connectTimeoutMilliseconds = 500 }
        defer { monitor.close() }
        try monitor.connect()
        // (a) kill the stream leader once the stream is under way, and restart it.
        XCTAssertTrue(ShipTestSupport.waitUntil(timeout: 60) { (ShipTestSupport.messageCount(monitor, "BIG") ?? 0) >= 8000 },
                      "shipping did not start: \(shipper.standardError)")
        let leader = try JetStream(client: monitor).streamInfo("BIG").leader
        let leaderIndex = try XCTUnwrap(leader.flatMap { cluster.index(ofNodeNamed: $0) })
        cluster.kill(leaderIndex)
        usleep(1_000_000)
        try cluster.restart(leaderIndex)
        // (b) kill the shipper with SIGKILL and start it again.
        XCTAssertTrue(ShipTestSupport.waitUntil(timeout: 60) { (ShipTestSupport.messageCount(monitor, "BIG") ?? 0) >= 25_000 },
                      "shipping stalled after the leader kill: \(shipper.standardError.suffix(3000))")
        let firstRun = shipper.standardError
        shipper.stop(signal: SIGKILL)
        shipper = try ship(cluster, directory, stream: "BIG", instance: "L1", ["--max-in-flight", "1000"])

        XCTAssertEqual(appending.wait(timeout: .now() + 60), .success)
        XCTAssertNil(appender.failure)
        XCTAssertEqual(appender.accepted, 10_000)
        XCTAssertTrue(ShipTestSupport.waitUntil(timeout: 60) { ShipTestSupport.messageCount(monitor, "BIG") == 50_000 },
                      "stream holds \(ShipTestSupport.messageCount(monitor, "BIG") ?? 0): \(shipper.standardError.suffix(3000))")
        // Stopped by SIGTERM: final line, exit 0, checkpoint past the last record.
        XCTAssertEqual(shipper.stop(signal: SIGTERM), 0)
        XCTAssertEqual(shipper.lines(event: "ship_stopped").count, 1, shipper.standardError)
        XCTAssertTrue(firstRun.contains("event=ship_summary"), "summary lines under load")
        // The leader kill was felt: the shipper lost its connection or had publishes fail, and recovered.
        XCTAssertTrue(["nats_disconnected", "nats_publish_failed", "nats_no_responders"].contains { firstRun.contains("event=\($0)") }, firstRun)

        let logRecords = try ShipTestSupport.readLog(directory)
        XCTAssertEqual(logRecords.count, 50_000)
        let checkpoint = try CheckpointFile(path: ShipOptions.defaultCheckpointPath(logDirectory: directory, stream: "BIG")).load()
        XCTAssertEqual(checkpoint, logRecords.last.map { $0.sequence + 1 })

        _ = try cluster.waitForStream("BIG")
        let stored = try JetStream(client: monitor).readAll(stream: "BIG")
        XCTAssertEqual(stored.count, 50_000, "each record exactly once")
        var bySequence: [UInt64: LogRecord] = [:]
        for record in logRecords { bySequence[record.sequence] = record }
        var previous: UInt64? = nil
        var problems = 0
        for message in stored {
            guard let seqText = message.header("Connect-Seq"), let seq = UInt64(seqText), let record = bySequence.removeValue(forKey: seq) else {
                problems += 1
                if problems < 5 { XCTFail("unexpected or repeated message \(message.header("Connect-Seq") ?? "?")") }
                continue
            }
            if let previous, seq <= previous {
                problems += 1
                if problems < 5 { XCTFail("out of log order: \(seq) after \(previous)") }
            }
            previous = seq
            if message.payload != record.body || message.subject != ShipTestSupport.subject(record, instance: "L1")
                || message.header("Nats-Msg-Id") != (record.messageId?.hex ?? "L1-\(seq)") || message.header("Connect-Instance") != "L1" {
                problems += 1
                if problems < 5 { XCTFail("record \(seq) differs: subject \(message.subject), id \(message.header("Nats-Msg-Id") ?? "-")") }
            }
        }
        XCTAssertEqual(problems, 0)
        XCTAssertTrue(bySequence.isEmpty, "\(bySequence.count) log records missing from the stream")
        try JetStream(client: monitor).deleteStream("BIG")
    }

    /// Two listeners' logs both hold the same Connect messages (a redelivery that reached both):
    /// the stream stores each message id once. Both shippers start at once with
    /// `--create-stream`, so they race to create the stream (see `ShipStreamCheckTests` for the
    /// answers that race gets, played in a fixed order).
    func testTwoListenersSameMessageOneCopy() throws {
        let cluster = try requireCluster()
        let folder = try ProjectPaths.temporaryDirectory("ship-two")
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a").path
        let b = folder.appendingPathComponent("b").path
        func records(_ range: Range<Int>) -> [TestRecord] {
            range.map { TestRecord(messageId: MessageID(high: 0xABCD, low: UInt64($0)), body: ConnectMessages.event($0)) }
        }
        try ShipTestSupport.writeLog(a, records(0..<300))      // messages 0..<300
        try ShipTestSupport.writeLog(b, records(200..<500))    // 200..<300 again, then 300..<500
        let shipA = try ship(cluster, a, stream: "TWO", instance: "A")
        let shipB = try ship(cluster, b, stream: "TWO", instance: "B")
        let monitor = cluster.makeClient()
        defer { monitor.close() }
        try monitor.connect()
        let reachedBoth = ShipTestSupport.waitUntil(timeout: 30) {
            shipA.standardError.contains("checkpoint=300") && shipB.standardError.contains("checkpoint=300")
        }
        XCTAssertEqual(shipA.stop(), 0, shipA.standardError)
        XCTAssertEqual(shipB.stop(), 0, shipB.standardError)
        XCTAssertTrue(reachedBoth, "A:\n" + shipA.standardError + "B:\n" + shipB.standardError + cluster.logTail())
        let stored = try JetStream(client: monitor).readAll(stream: "TWO")
        XCTAssertEqual(stored.count, 500)
        let ids = stored.compactMap { $0.header("Nats-Msg-Id") }
        XCTAssertEqual(Set(ids).count, 500)
        XCTAssertEqual(Set(ids), Set((0..<500).map { MessageID(high: 0xABCD, low: UInt64($0)).hex }))
        for message in stored {
            let n = Int(message.header("Nats-Msg-Id")!.suffix(8), radix: 16)!
            XCTAssertEqual(message.payload, ConnectMessages.event(n))
        }
        let duplicates = (shipA.lines(event: "ship_stopped") + shipB.lines(event: "ship_stopped")).joined()
        XCTAssertTrue(duplicates.contains("duplicates="), duplicates)
        try JetStream(client: monitor).deleteStream("TWO")
    }
}
