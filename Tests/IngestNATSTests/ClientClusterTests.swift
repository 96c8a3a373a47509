import Foundation
import IngestNATS
import IngestTestSupport
import NATSTestSupport
import XCTest

/// The client against a real 3-node JetStream cluster on 127.0.0.1 (started once for the class).
final class ClientClusterTests: XCTestCase {
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

    /// Publishes `count` messages with headers; returns after all are acknowledged.
    func publish(_ client: NATSClient, subject: String, range: Range<Int>, msgIdPrefix: String = "m",
                 timeoutSeconds: Double = 30) -> Bool {
        var next = range.lowerBound
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        let subjectBytes = Array(subject.utf8)
        while (next < range.upperBound || client.inFlightCount > 0) && Date() < deadline {
            while next < range.upperBound {
                let headers = Array("NATS/1.0\r\nNats-Msg-Id: \(msgIdPrefix)-\(next)\r\nSeq: \(next)\r\n\r\n".utf8)
                let payload = Array("payload \(next) \u{00e9}\r\n".utf8)
                let outcome = subjectBytes.withUnsafeBytes { s in
                    headers.withUnsafeBytes { h in payload.withUnsafeBytes { p in client.publish(subject: s, headers: h, payload: p, context: UInt64(next)) } }
                }
                if outcome != .queued { break }
                next += 1
            }
            client.poll(timeoutMilliseconds: 5)
        }
        return next == range.upperBound && client.inFlightCount == 0
    }

    func testStreamCreatePublishAcknowledgeReadBackAndDeduplicate() throws {
        let cluster = try requireCluster()
        let client = cluster.makeClient { $0.maximumInFlight = 256 }
        defer { client.close() }
        try client.connect()
        let js = JetStream(client: client)
        var configuration = StreamConfiguration(name: "ACKS", subjects: ["acks.>"])
        configuration.replicas = 3
        let created = try js.createStream(configuration)
        XCTAssertEqual(created.configuration.replicas, 3)
        XCTAssertEqual(created.configuration.duplicateWindowNanoseconds, 24 * 3600 * 1_000_000_000)
        // Creating it again with the same settings is fine; the info reads back the settings.
        _ = try js.createStream(configuration)
        XCTAssertEqual(try js.streamInfo("ACKS").configuration.subjects, ["acks.>"])
        // An update changes what it may (the maximum age); the leader is one of the three nodes.
        configuration.maximumAgeNanoseconds = 48 * 3600 * 1_000_000_000
        XCTAssertEqual(try js.updateStream(configuration).configuration.maximumAgeNanoseconds, 48 * 3600 * 1_000_000_000)
        let info = try js.streamInfo("ACKS")
        XCTAssertEqual(info.configuration.maximumAgeNanoseconds, 48 * 3600 * 1_000_000_000)
        XCTAssertTrue(cluster.nodes.map(\.name).contains(info.leader ?? "none"), "\(info.leader ?? "none")")

        var acknowledged: [UInt64] = []
        var duplicates = 0
        client.acknowledgementHandler = { context, duplicate in
            acknowledged.append(context)
            if duplicate { duplicates += 1 }
        }
        XCTAssertTrue(publish(client, subject: "acks.one", range: 0..<2000))
        XCTAssertEqual(acknowledged.sorted(), (0..<2000).map(UInt64.init))
        XCTAssertEqual(duplicates, 0)
        // The same message ids again: acknowledged as duplicates, not stored again.
        XCTAssertTrue(publish(client, subject: "acks.one", range: 0..<100))
        XCTAssertEqual(duplicates, 100)

        let stored = try js.readAll(stream: "ACKS")
        XCTAssertEqual(stored.count, 2000)
        for (index, message) in stored.enumerated() {
            XCTAssertEqual(message.subject, "acks.one")
            XCTAssertEqual(message.header("Seq"), "\(index)")
            XCTAssertEqual(message.header("Nats-Msg-Id"), "m-\(index)")
            XCTAssertEqual(message.payload, Array("payload \(index) \u{00e9}\r\n".utf8))
            if message.header("Seq") != "\(index)" { break }
        }
        // One message by sequence through the API.
        let third = try js.message(stream: "ACKS", sequence: 3)
        XCTAssertEqual(third.payload, Array("payload 2 \u{00e9}\r\n".utf8))
        XCTAssertEqual(third.header("Nats-Msg-Id"), "m-2")
        try js.deleteStream("ACKS")
        XCTAssertThrowsError(try js.streamInfo("ACKS")) { error in
            guard case JetStreamError.streamNotFound = error else { return XCTFail("\(error)") }
        }
    }

    func testNoRespondersForRequestsAndPublishes() throws {
        let cluster = try requireCluster()
        let client = cluster.makeClient { $0.minimumBackoffMilliseconds = 20 }
        defer { client.close() }
        try client.connect()
        XCTAssertThrowsError(try client.request(subject: "nobody.listens", payload: [], timeoutMilliseconds: 3000)) { error in
            XCTAssertEqual(error as? NATSError, .noResponders("nobody.listens"))
        }
        var failures: [String] = []
        client.eventHandler = { if case .publishFailed(let reason) = $0 { failures.append(reason) } }
        let outcome = Array("no.stream.here".utf8).withUnsafeBytes { s in
            Array("x".utf8).withUnsafeBytes { p in client.publish(subject: s, headers: UnsafeRawBufferPointer(start: nil, count: 0), payload: p, context: 7) }
        }
        XCTAssertEqual(outcome, .queued)
        let deadline = Date().addingTimeInterval(10)
        while failures.isEmpty && Date() < deadline { client.poll(timeoutMilliseconds: 10) }
        XCTAssertTrue(failures.first?.contains("no responders") ?? false, "\(failures)")
        XCTAssertTrue(failures.first?.contains("no.stream.here") ?? false, "\(failures)")
        XCTAssertEqual(client.inFlightCount, 1, "a publish nobody acknowledged stays in flight")
        XCTAssertTrue(client.isRecovering)
    }

    func testReconnectAfterNodeKillRepublishesEverythingUnacknowledgedInOrder() throws {
        let cluster = try requireCluster()
        let setup = cluster.makeClient()
        try setup.connect()
        var configuration = StreamConfiguration(name: "RECON", subjects: ["recon.>"])
        configuration.replicas = 3
        _ = try JetStream(client: setup).createStream(configuration)
        setup.close()
        _ = try cluster.waitForStream("RECON")

        // Only node 1 is given; the others are learned from the cluster's connect_urls.
        let client = cluster.makeClient(servers: [cluster.addresses[0]]) {
            $0.maximumInFlight = 512
            $0.minimumBackoffMilliseconds = 20
            $0.acknowledgementTimeoutMilliseconds = 2000
        }
        defer { client.close() }
        var events: [NATSClientEvent] = []
        client.eventHandler = { events.append($0) }
        var acknowledged = Set<UInt64>()
        client.acknowledgementHandler = { context, _ in acknowledged.insert(context) }
        try client.connect()
        XCTAssertTrue(publish(client, subject: "recon.a", range: 0..<1000))
        XCTAssertEqual(client.servers.count, 3, "connect_urls added: \(client.servers)")

        // Queue more, kill the connected node mid-stream, keep going.
        var next = 1000
        let subject = Array("recon.a".utf8)
        var killed = false
        let deadline = Date().addingTimeInterval(60)
        while (next < 6000 || client.inFlightCount > 0) && Date() < deadline {
            while next < 6000 {
                let headers = Array("NATS/1.0\r\nNats-Msg-Id: m-\(next)\r\nSeq: \(next)\r\n\r\n".utf8)
                let payload = Array("payload \(next) \u{00e9}\r\n".utf8)
                let outcome = subject.withUnsafeBytes { s in headers.withUnsafeBytes { h in payload.withUnsafeBytes { p in
                    client.publish(subject: s, headers: h, payload: p, context: UInt64(next)) } } }
                if outcome != .queued { break }
                next += 1
            }
            if !killed && next > 2500 {
                cluster.kill(0)
                killed = true
            }
            client.poll(timeoutMilliseconds: 5)
        }
        XCTAssertEqual(next, 6000)
        XCTAssertEqual(client.inFlightCount, 0)
        XCTAssertEqual(acknowledged.count, 6000)
        XCTAssertGreaterThanOrEqual(client.reconnects, 1, "\(events)")
        XCTAssertTrue(events.contains { if case .disconnected = $0 { return true }; return false })

        try cluster.restart(0)
        _ = try cluster.waitForStream("RECON")
        let reader = cluster.makeClient()
        defer { reader.close() }
        try reader.connect()
        let stored = try JetStream(client: reader).readAll(stream: "RECON")
        let sequence = stored.compactMap { $0.header("Seq").flatMap(Int.init) }
        XCTAssertEqual(sequence, Array(0..<6000), "every message exactly once, in publish order")
        try JetStream(client: reader).deleteStream("RECON")
    }

    func testUnreachableServersAreReportedWithEachReason() throws {
        let ports = try NATSCluster.freePorts(2)
        var options = NATSClientOptions(servers: ports.map { NATSServerAddress(host: "127.0.0.1", port: $0) })
        options.connectTimeoutMilliseconds = 1000
        let client = NATSClient(options: options)
        XCTAssertThrowsError(try client.connect()) { error in
            guard case NATSError.unreachable(let reasons) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(reasons.count, 2)
            XCTAssertTrue(reasons[0].contains("127.0.0.1:\(ports[0])"), reasons[0])
            XCTAssertTrue(reasons[0].lowercased().contains("refused"), reasons[0])
        }
    }
}
