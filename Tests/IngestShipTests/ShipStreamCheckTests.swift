import Foundation
import IngestLog
import IngestNATS
import IngestShip
import IngestTestSupport
import NATSTestSupport
import XCTest

/// How the shipper finds (or creates) its stream when the JetStream API does not answer at once.
/// A real nats-server without JetStream carries the traffic; `ScriptedJetStreamAPI` plays, in a
/// fixed order, the answers a cluster gives only in rare races: no reply at all (a stream whose
/// replicas are electing their first leader), "temporarily unavailable", and "name already in
/// use" (another shipper created the stream between our look-up and our create).
final class ShipStreamCheckTests: XCTestCase {
    /// Answers popped in order, one per API request; past the end: `fallback`.
    final class Script: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [String?]
        private let fallback: String?
        init(_ answers: [String?], fallback: String?) { self.answers = answers; self.fallback = fallback }
        func next() -> String? {
            lock.lock(); defer { lock.unlock() }
            return answers.isEmpty ? fallback : answers.removeFirst()
        }
    }

    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [(event: String, fields: [(String, String)])] = []
        func add(_ event: String, _ fields: [(String, String)]) { lock.lock(); lines.append((event, fields)); lock.unlock() }
        func events(_ name: String) -> [String] {
            lock.lock(); defer { lock.unlock() }
            return lines.filter { $0.event == name }.map { $0.fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }
        }
        var all: String {
            lock.lock(); defer { lock.unlock() }
            return lines.map { "\($0.event) " + $0.fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }.joined(separator: "\n")
        }
    }

    static let notFound = ScriptedJetStreamAPI.errorReply(code: 404, errorCode: 10059, description: "stream not found")

    func makeServer() throws -> NATSCluster {
        guard NATSCluster.serverPath != nil else { throw XCTSkip(NATSCluster.skipMessage) }
        return try NATSCluster(size: 1, jetStream: false)
    }

    func options(_ server: NATSCluster, _ directory: String) -> ShipOptions {
        var options = ShipOptions(logDirectory: directory, servers: server.addresses, stream: "RACE",
                                  subject: try! SubjectTemplate(SubjectTemplate.defaultText), instance: "S")
        options.createStream = true
        options.apiRequestTimeoutMilliseconds = 300
        options.streamCheckTimeoutMilliseconds = 20_000
        return options
    }

    /// Runs a shipper until `records` are acknowledged (or 20 s pass); its result and events.
    func ship(_ options: ShipOptions, records: UInt64) -> (Result<ShipCounters, ShipError>, EventLog) {
        let events = EventLog()
        let shipper = Shipper(options: options) { _, event, fields in events.add(event, fields) }
        let deadline = Date().addingTimeInterval(20)
        let result = Result { () throws(ShipError) -> ShipCounters in
            try shipper.run { shipper.counters.acknowledged >= records || Date() > deadline }
        }
        return (result, events)
    }

    /// No reply, not found, "temporarily unavailable", not found, "name already in use", found:
    /// the shipper asks again after each of the three failures, takes the stream that exists,
    /// and ships every record into it.
    func testStartUpRidesOutUnansweredUnavailableAndRacedCreate() throws {
        let server = try makeServer()
        defer { server.stop() }
        let folder = try ProjectPaths.temporaryDirectory("ship-stream-check")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("log").path
        try ShipTestSupport.writeLog(directory, (0..<20).map { TestRecord(body: ConnectMessages.event($0)) })

        let existing = ScriptedJetStreamAPI.streamInfoReply(name: "RACE", subjects: ["connect.>"], replicas: 3)
        let script = Script([
            nil,                                   // STREAM.INFO: no reply
            Self.notFound,                         // STREAM.INFO
            ScriptedJetStreamAPI.errorReply(code: 503, errorCode: 10008, description: "JetStream system temporarily unavailable"),
            Self.notFound,                         // STREAM.INFO
            ScriptedJetStreamAPI.errorReply(code: 400, errorCode: 10058, description: "stream name already in use with a different configuration"),
        ], fallback: existing)
        let api = try ScriptedJetStreamAPI(port: server.nodes[0].clientPort, stream: "RACE", publishSubjects: "connect.>") { _ in
            script.next()
        }
        defer { api.stop() }

        let (result, events) = ship(options(server, directory), records: 20)
        let counters = try XCTUnwrap(try? result.get(), "\(result) \(events.all)")
        XCTAssertEqual(counters.acknowledged, 20, events.all)
        XCTAssertEqual(api.acknowledged, 20)
        XCTAssertEqual(api.requests.map(\.endpoint), ["STREAM.INFO.RACE", "STREAM.INFO.RACE", "STREAM.CREATE.RACE",
                                                      "STREAM.INFO.RACE", "STREAM.CREATE.RACE", "STREAM.INFO.RACE"], events.all)
        let retries = events.events("stream_check_retry")
        XCTAssertEqual(retries.count, 3, events.all)
        if retries.count == 3 {
            XCTAssertTrue(retries[0].contains("reading stream RACE: timed out"), retries[0])
            XCTAssertTrue(retries[1].contains("creating stream RACE: JetStream system temporarily unavailable"), retries[1])
            XCTAssertTrue(retries[2].contains("was created elsewhere meanwhile"), retries[2])
        }
        // The stream found is used as it is (the wanted replicas differ: a warning), not created.
        XCTAssertEqual(events.events("stream_created").count, 0, events.all)
        XCTAssertEqual(events.events("stream_differs").count, 1, events.all)
        XCTAssertEqual(events.events("ship_started").count, 1, events.all)
        let create = try XCTUnwrap(api.requests.first { $0.endpoint == "STREAM.CREATE.RACE" })
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(create.body.utf8)) as? [String: Any])
        XCTAssertEqual(body["name"] as? String, "RACE")
        XCTAssertEqual(body["subjects"] as? [String], ["connect.>"])
    }

    /// Answers that will not change end start-up at once; silence ends it after the stream-check
    /// timeout, with an error naming the last reason.
    func testPermanentRefusalFailsAtOnceAndSilenceFailsAfterTheStreamCheckTimeout() throws {
        let server = try makeServer()
        defer { server.stop() }
        let folder = try ProjectPaths.temporaryDirectory("ship-stream-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let directory = folder.appendingPathComponent("log").path
        try ShipTestSupport.writeLog(directory, [TestRecord(body: Array("x".utf8))])

        do {
            let invalid = ScriptedJetStreamAPI.errorReply(code: 500, errorCode: 10052, description: "stream configuration invalid")
            let script = Script([Self.notFound], fallback: invalid)
            let api = try ScriptedJetStreamAPI(port: server.nodes[0].clientPort, stream: "RACE", publishSubjects: "connect.>") { _ in
                script.next()
            }
            defer { api.stop() }
            let (result, events) = ship(options(server, directory), records: 1)
            guard case .failure(.jetStream(let text)) = result else { return XCTFail("\(result) \(events.all)") }
            XCTAssertTrue(text.contains("cannot create stream RACE: stream configuration invalid"), text)
            XCTAssertEqual(api.requests.map(\.endpoint), ["STREAM.INFO.RACE", "STREAM.CREATE.RACE"])
            XCTAssertEqual(events.events("stream_check_retry").count, 0, events.all)
        }
        do {
            let api = try ScriptedJetStreamAPI(port: server.nodes[0].clientPort, stream: "RACE", publishSubjects: "connect.>") { _ in nil }
            defer { api.stop() }
            var options = options(server, directory)
            options.streamCheckTimeoutMilliseconds = 1500
            let (result, events) = ship(options, records: 1)
            guard case .failure(.jetStream(let text)) = result else { return XCTFail("\(result) \(events.all)") }
            XCTAssertTrue(text.contains("no usable answer about stream RACE within 1 s"), text)
            XCTAssertTrue(text.contains("last: reading stream RACE: timed out"), text)
            XCTAssertGreaterThan(api.requests.count, 1, "asked again before giving up")
            XCTAssertEqual(api.acknowledged, 0)
        }
    }
}
