import Foundation
import IngestDedup
import IngestHMAC
import IngestLog
import IngestTestSupport
import XCTest

/// Duplicate detection end to end: the real `connect-ingest serve` over loopback sockets, its log
/// read back, restarts, `kill -9`, and the index file deleted or damaged between runs.
final class DedupServerTests: XCTestCase {
    // MARK: Redeliveries

    /// DocuSign redelivers with retryCount + 1: back to back, in one pipelined write (one commit
    /// batch), after a pause, and after a restart. Every copy is stored, answered 200, and flagged
    /// `duplicate` of the first; `read --unique` shows the first only.
    func testRedeliveriesAreFlaggedWhateverTheirSpacing() throws {
        let run = try DedupRun(name: "redeliver", extraArguments: ["--dedup-capacity", "1000000"])   // the default size
        defer { run.finish() }
        try run.start()
        let first = DedupRun.redelivery(ConnectMessages.event(1), retryCount: 0)
        let noFields = DedupRun.clickEvent(7, retryCount: 0)   // no envelopeId: body form
        XCTAssertEqual(try run.send([first, noFields]), [200, 200])
        XCTAssertEqual(try run.send([DedupRun.redelivery(ConnectMessages.event(1), retryCount: 1),
                                     DedupRun.clickEvent(7, retryCount: 1)]), [200, 200])
        XCTAssertEqual(try run.sendPipelined([DedupRun.redelivery(ConnectMessages.event(1), retryCount: 2),
                                              DedupRun.redelivery(ConnectMessages.event(1), retryCount: 3),
                                              DedupRun.clickEvent(7, retryCount: 2)]), [200, 200, 200])
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(try run.send([DedupRun.redelivery(ConnectMessages.event(1), retryCount: 4)]), [200])
        XCTAssertEqual(try run.metric("connect_duplicates_total"), 6)
        try run.restart()
        XCTAssertEqual(try run.send([DedupRun.redelivery(ConnectMessages.event(1), retryCount: 5),
                                     DedupRun.clickEvent(7, retryCount: 3)]), [200, 200])
        try run.stop()

        let records = try run.records()
        XCTAssertEqual(records.count, 10, "every copy is stored")
        let groups = Dictionary(grouping: records) { $0.messageId! }
        XCTAssertEqual(groups.count, 2, "two messages")
        for (id, copies) in groups {
            let sorted = copies.sorted { $0.sequence < $1.sequence }
            XCTAssertFalse(sorted[0].isDuplicate, "\(id): the first copy is not flagged")
            for copy in sorted.dropFirst() {
                XCTAssertTrue(copy.isDuplicate, "\(id) seq \(copy.sequence)")
                XCTAssertEqual(copy.duplicateOf, sorted[0].sequence)
            }
        }
        let (status, output, _) = try ServerProcess.runTool(["read", "--log-dir", run.logDirectory.path, "--unique"])
        XCTAssertEqual(status, 0)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "read --unique: one line per message")
        XCTAssertTrue(lines.allSatisfy { $0.contains("\"duplicateOf\":null") })
    }

    /// Legacy XML messages have event, envelopeId and generatedDateTime too: their id is the fields
    /// form over what the XML scanner extracted (no configurationId), and a redelivery is flagged.
    func testXMLRedeliveriesAreFlaggedAndTheirIdIsTheFieldsForm() throws {
        let run = try DedupRun(name: "xml")
        defer { run.finish() }
        try run.start()
        let body = try Corpus.bytes("legacy-xml-envelope-sent.connect-node-listener-aws.xml")
        XCTAssertEqual(try run.send([body, body], contentType: "text/xml"), [200, 200])
        try run.stop()
        let records = try run.records()
        XCTAssertEqual(records.map(\.isXML), [true, true])
        XCTAssertEqual(records.map(\.isDuplicate), [false, true])
        XCTAssertEqual(records[1].duplicateOf, records[0].sequence)
        func with<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
            guard let bytes else { return body(nil) }
            return bytes.withUnsafeBytes { body($0) }
        }
        let r = records[0]
        XCTAssertNil(r.configurationId)
        let expected = with(r.accountId) { a in with(r.event) { e in with(r.envelopeId) { v in with(r.generatedDateTime) { g in
            MessageIdentity.fromFields(accountId: a, configurationId: nil, event: e, envelopeId: v, generatedDateTime: g)
        } } } }
        XCTAssertEqual(r.messageId, expected)
    }

    /// One envelope event delivered by two Connect configurations (account- and envelope-level),
    /// or under two accounts, is two messages: neither is a duplicate.
    func testTheSameEventFromTwoConfigurationsOrAccountsIsNotADuplicate() throws {
        let run = try DedupRun(name: "configurations")
        defer { run.finish() }
        try run.start()
        let body = ConnectMessages.event(3)
        let otherConfiguration = Array(String(decoding: body, as: UTF8.self)
            .replacingOccurrences(of: "\"configurationId\":10363315", with: "\"configurationId\":10363316").utf8)
        XCTAssertNotEqual(body, otherConfiguration)
        XCTAssertEqual(try run.send([body, otherConfiguration]), [200, 200])
        XCTAssertEqual(try run.send([body], account: "11111111-2222-4333-8444-555555555555"), [200])
        XCTAssertEqual(try run.send([body], account: nil), [200])
        XCTAssertEqual(try run.send([body]), [200], "the first one again: a duplicate")
        try run.stop()
        let records = try run.records()
        XCTAssertEqual(records.map(\.isDuplicate), [false, false, false, false, true])
        XCTAssertEqual(Set(records.compactMap(\.messageId)).count, 4)
        XCTAssertEqual(records[4].duplicateOf, records[0].sequence)
    }

    /// Identical bodies sent at the same moment on many connections over four workers: for each
    /// message exactly one copy is the first, and every other copy names it.
    func testCopiesArrivingTogetherOverManyConnectionsHaveExactlyOneFirstCopy() throws {
        let run = try DedupRun(name: "concurrent", workers: 4)
        defer { run.finish() }
        try run.start()
        let connections = 24, messages = 12
        let clients = ClientPool(try (0..<connections).map { _ in try LoopbackClient(port: run.port) })
        let statuses = Statuses()
        for round in 0..<messages {
            let request = run.request(ConnectMessages.event(100 + round))
            DispatchQueue.concurrentPerform(iterations: connections) { index in
                do {
                    try clients.clients[index].send(request)
                    statuses.add(try clients.clients[index].readResponse().status)
                } catch {
                    statuses.add(-1)
                }
            }
        }
        XCTAssertEqual(statuses.all, Array(repeating: 200, count: connections * messages))
        try run.stop()
        let records = try run.records()
        XCTAssertEqual(records.count, connections * messages)
        for (id, copies) in Dictionary(grouping: records, by: { $0.messageId! }) {
            let firsts = copies.filter { !$0.isDuplicate }
            XCTAssertEqual(firsts.count, 1, "\(id): \(firsts.count) first copies")
            guard let first = firsts.first else { continue }
            XCTAssertTrue(copies.filter(\.isDuplicate).allSatisfy { $0.duplicateOf == first.sequence }, "\(id)")
        }
    }

    /// The window with the server's clock moved forward between runs (a test hook): 14 days after
    /// the first copy a redelivery is still recognised, 17 days after it is a new message.
    func testTheWindowExpiresWithTheClock() throws {
        let run = try DedupRun(name: "window")
        defer { run.finish() }
        let day = 86_400
        try run.start(clockOffsetSeconds: 0)
        XCTAssertEqual(try run.send([ConnectMessages.event(5)]), [200])
        try run.restart(clockOffsetSeconds: 14 * day)
        XCTAssertEqual(try run.send([DedupRun.redelivery(ConnectMessages.event(5), retryCount: 9)]), [200])
        try run.restart(clockOffsetSeconds: 17 * day)
        XCTAssertEqual(try run.send([DedupRun.redelivery(ConnectMessages.event(5), retryCount: 10)]), [200])
        XCTAssertEqual(try run.send([DedupRun.redelivery(ConnectMessages.event(5), retryCount: 11)]), [200])
        try run.stop()
        let records = try run.records()
        XCTAssertEqual(records.map(\.isDuplicate), [false, true, false, true])
        XCTAssertEqual(records[1].duplicateOf, records[0].sequence)
        XCTAssertEqual(records[3].duplicateOf, records[2].sequence, "remembered anew from its new first copy")
    }

    // MARK: Crashes and damage

    /// kill -9 in a flood of redeliveries (50 messages, every send a redelivery with its own
    /// retryCount), twice, then a restart: every acknowledged copy is in the log exactly once; no
    /// message has two first copies; a message has none only if the crash lost its first copy
    /// after a copy naming it was published ("orphan", reported by the restart); and after the
    /// restart every message is recognised again.
    func testKillNineInAFloodOfDuplicatesThenRestart() throws {
        let run = try DedupRun(name: "crash", extraArguments: ["--segment-size", "1MiB"])
        defer { run.finish() }
        let tally = Tally()
        let pool = 50
        for (round, sync) in ["none", "batch"].enumerated() {
            try run.start(extraArguments: ["--sync", sync])
            let stop = Atomicish()
            let group = DispatchGroup()
            for connection in 0..<8 {
                group.enter()
                DispatchQueue.global().async {
                    defer { group.leave() }
                    guard let client = try? LoopbackClient(port: run.port, receiveTimeout: 5) else { return }
                    var n = 0
                    while !stop.isSet && n < 50_000 {
                        let retry = (round * 8 + connection) * 100_000 + n
                        let body = DedupRun.redelivery(ConnectMessages.event(200 + (n * 7 + connection) % pool), retryCount: retry)
                        tally.sent(body)
                        do {
                            try client.send(run.request(body))
                            if try client.readResponse().status == 200 { tally.acknowledged(body) }
                        } catch {
                            return
                        }
                        n += 1
                    }
                }
            }
            Thread.sleep(forTimeInterval: 0.8)
            run.crash()
            stop.set()
            XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        }
        try run.start()
        let restartLine = run.stderr
        try run.stop()
        let (verifyStatus, _, verifyOutput) = try ServerProcess.runTool(["verify", "--log-dir", run.logDirectory.path])
        XCTAssertEqual(verifyStatus, 0, verifyOutput)

        let records = try run.records()
        let (sent, acknowledged) = tally.snapshot()
        XCTAssertGreaterThan(acknowledged.count, 200, "the flood was real")
        var copies: [[UInt8]: Int] = [:]
        for record in records { copies[record.body, default: 0] += 1 }
        XCTAssertEqual(acknowledged.filter { copies[$0] != 1 }.count, 0, "every acknowledged copy exactly once")
        XCTAssertEqual(copies.keys.filter { !sent.contains($0) }.count, 0, "nothing unsent is trusted")

        let bySequence = Dictionary(uniqueKeysWithValues: records.map { ($0.sequence, $0) })
        var orphans = 0
        var standIns: [MessageID: UInt64] = [:]
        for (id, group) in Dictionary(grouping: records, by: { $0.messageId! }) {
            let firsts = group.filter { !$0.isDuplicate }
            let lost = group.filter { $0.isDuplicate && bySequence[$0.duplicateOf!] == nil }
            orphans += lost.count
            XCTAssertLessThanOrEqual(firsts.count, 1, "\(id): two first copies")
            XCTAssertTrue(firsts.count == 1 || !lost.isEmpty, "\(id): no first copy and no orphan")
            for copy in group where copy.isDuplicate {
                if let named = bySequence[copy.duplicateOf!] {
                    XCTAssertEqual(named.messageId, id, "seq \(copy.sequence) names a copy of another message")
                    XCTAssertFalse(named.isDuplicate && bySequence[named.duplicateOf!] != nil,
                                   "seq \(copy.sequence) names a copy that is itself a duplicate")
                }
            }
            standIns[id] = firsts.first?.sequence ?? lost.map(\.sequence).min()
        }
        if orphans > 0 {
            XCTAssertTrue(restartLine.contains("first copy was lost"), "orphans must be reported: \(restartLine)")
            print("kill -9 left \(orphans) duplicates whose first copy was lost (now first copies)")
        }
        // After the restart the index knows every message again.
        try run.start()
        let samples = Dictionary(records.map { ($0.messageId!, $0.body) }, uniquingKeysWith: { first, _ in first })
        let redeliveries = standIns.keys.map { DedupRun.redelivery(samples[$0]!, retryCount: 999_999_999) }
        XCTAssertEqual(try run.send(redeliveries), Array(repeating: 200, count: redeliveries.count))
        try run.stop()
        let after = try run.records().suffix(standIns.count)
        for record in after {
            XCTAssertTrue(record.isDuplicate, "seq \(record.sequence) not recognised after the restart")
            XCTAssertEqual(record.duplicateOf, standIns[record.messageId!])
        }
    }

    /// The index file deleted, or damaged, between runs: the next start rebuilds it from the log
    /// (and says so, with the time it took), and every redelivery gets the same answer as before.
    func testADeletedOrDamagedIndexIsRebuiltWithTheSameAnswers() throws {
        let run = try DedupRun(name: "rebuild", extraArguments: ["--dedup-capacity", "4096"])
        defer { run.finish() }
        try run.start()
        let bodies = (0..<40).map { ConnectMessages.event(300 + $0) }
        XCTAssertEqual(try run.send(bodies), Array(repeating: 200, count: 40))
        XCTAssertEqual(try run.send(bodies.prefix(10).map { DedupRun.redelivery($0, retryCount: 1) }), Array(repeating: 200, count: 10))
        try run.stop()
        let firsts = try Dictionary(uniqueKeysWithValues: run.records().filter { !$0.isDuplicate }.map { ($0.messageId!, $0.sequence) })
        let indexFile = run.logDirectory.appendingPathComponent("dedup.index")

        var bytes = try Data(contentsOf: indexFile)
        for damage in ["deleted", "header", "slots"] {
            switch damage {
            case "deleted": try FileManager.default.removeItem(at: indexFile)
            case "header": bytes[30] ^= 0x10; try bytes.write(to: indexFile)
            default:
                bytes = try Data(contentsOf: indexFile)
                for offset in stride(from: 4096 + 13, to: bytes.count, by: 4093) { bytes[offset] ^= 0xA5 }
                try bytes.write(to: indexFile)
            }
            try run.start()
            XCTAssertTrue(run.stderr.contains("rebuilt from the log"), "\(damage): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("milliseconds="), "\(damage): the line says how long it took")
            let redeliveries = bodies.map { DedupRun.redelivery($0, retryCount: 7) }
            XCTAssertEqual(try run.send(redeliveries), Array(repeating: 200, count: 40))
            try run.stop()
            let latest = try run.records().suffix(40)
            for record in latest {
                XCTAssertEqual(record.duplicateOf, firsts[record.messageId!], "\(damage): seq \(record.sequence)")
            }
            bytes = try Data(contentsOf: indexFile)
        }
    }

    func testDedupOffStoresMessageIdsAndFlagsNothing() throws {
        let run = try DedupRun(name: "off", extraArguments: ["--dedup", "off"])
        defer { run.finish() }
        try run.start()
        XCTAssertEqual(try run.send([ConnectMessages.event(9), DedupRun.redelivery(ConnectMessages.event(9), retryCount: 1)]), [200, 200])
        XCTAssertEqual(try run.metric("connect_duplicates_total"), 0)
        try run.stop()
        let records = try run.records()
        XCTAssertEqual(records.map(\.isDuplicate), [false, false])
        XCTAssertNotNil(records[0].messageId)
        XCTAssertEqual(records[0].messageId, records[1].messageId)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.logDirectory.appendingPathComponent("dedup.index").path))
    }
}

/// One log folder served by successive `serve` processes (restarts, crashes).
final class DedupRun: @unchecked Sendable {
    let directory: URL
    let logDirectory: URL
    let keyFile: URL
    let key = Array(ConnectMessages.keyA.utf8)
    let workers: Int
    let extraArguments: [String]
    private var server: ServerProcess?

    init(name: String, workers: Int = 2, extraArguments: [String] = []) throws {
        directory = try ProjectPaths.temporaryDirectory("connect-dedup-\(name)")
        logDirectory = directory.appendingPathComponent("log")
        keyFile = directory.appendingPathComponent("keys.txt")
        try (ConnectMessages.keyA + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        self.workers = workers
        self.extraArguments = extraArguments
    }

    var port: UInt16 { server!.port }
    var stderr: String { server?.stderr ?? "" }

    func start(clockOffsetSeconds: Int? = nil, extraArguments more: [String] = []) throws {
        let environment = clockOffsetSeconds.map { ["CONNECT_TEST_HOOK_CLOCK_OFFSET_SECONDS": String($0)] } ?? [:]
        server = try ServerProcess(arguments: ["--workers", String(workers), "--hmac-key-file", keyFile.path]
                                   + extraArguments + more, logDirectory: logDirectory, environment: environment)
    }

    func stop() throws {
        let status = server?.stop()
        XCTAssertEqual(status, 0, "serve exit status; stderr: \(stderr)")
    }

    func restart(clockOffsetSeconds: Int? = nil) throws {
        try stop()
        try start(clockOffsetSeconds: clockOffsetSeconds)
    }

    func crash() { server?.crash() }

    func finish() {
        _ = server?.stop(signal: SIGKILL, timeout: 5)
        try? FileManager.default.removeItem(at: directory)
    }

    func request(_ body: [UInt8], account: String? = ConnectMessages.accountId,
                 contentType: String = "application/json") -> [UInt8] {
        let signature = body.withUnsafeBytes { HMACSHA256.signatureHeaderValue(key: key, message: $0) }
        return ConnectMessages.request(body: body, signatures: [String(decoding: signature, as: UTF8.self)],
                                       accountHeader: account, contentType: contentType)
    }

    /// Sends each body on one connection, one at a time; returns the statuses.
    func send(_ bodies: [[UInt8]], account: String? = ConnectMessages.accountId,
              contentType: String = "application/json") throws -> [Int] {
        let client = try LoopbackClient(port: port)
        return try bodies.map { body in
            try client.send(request(body, account: account, contentType: contentType))
            return try client.readResponse().status
        }
    }

    /// Sends all bodies in one write (pipelined), then reads the answers.
    func sendPipelined(_ bodies: [[UInt8]]) throws -> [Int] {
        let client = try LoopbackClient(port: port)
        try client.send(bodies.flatMap { request($0) })
        return try bodies.map { _ in try client.readResponse().status }
    }

    func metric(_ name: String) throws -> Int? {
        let client = try LoopbackClient(port: port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let text = try client.readResponse().text
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ").last!) }
    }

    func records() throws -> [LogRecord] {
        let reader = try LogReader(directory: logDirectory.path)
        var out: [LogRecord] = []
        while let record = try reader.next() { out.append(record) }
        return out
    }

    /// `body` (a ConnectMessages event, `"retryCount":0`) as DocuSign redelivers it.
    static func redelivery(_ body: [UInt8], retryCount: Int) -> [UInt8] {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: #""retryCount":\d+"#, options: .regularExpression) else { return body }
        return Array(text.replacingCharacters(in: range, with: "\"retryCount\":\(retryCount)").utf8)
    }

    /// A message without envelopeId or generatedDateTime: its id is the body form's.
    static func clickEvent(_ n: Int, retryCount: Int) -> [UInt8] {
        Array(#"{"event":"click-agreed","apiVersion":"v2.1","retryCount":\#(retryCount),"data":{"clickwrapId":"cw-\#(n)","accountId":"7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d"}}"#.utf8)
    }
}

/// Response statuses collected from many threads.
final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ status: Int) { lock.lock(); values.append(status); lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return values }
}

/// Connections used by one thread each (a test-only sendable wrapper).
final class ClientPool: @unchecked Sendable {
    let clients: [LoopbackClient]
    init(_ clients: [LoopbackClient]) { self.clients = clients }
}
