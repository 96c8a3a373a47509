import IngestTestSupport
import XCTest
@testable import IngestLog

final class RoundTripTests: XCTestCase {
    func testAppendCommitReadExactBytes() throws {
        let dir = try TestLog.directory("roundtrip")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(sync: .none))
        XCTAssertTrue(log.recoveryReport.isClean, "\(log.recoveryReport)")
        let appender = log.makeAppender()
        XCTAssertNil(try appender.commit(), "nothing staged")
        let bodies = (0..<100).map { TestLog.body($0) } + [[], [0xFF, 0x00, 0x0A, 0xC3]]
        for (i, body) in bodies.enumerated() {
            appender.stage(body, receivedAt: 1_700_000_000_000_000_000 + Int64(i), flags: [.signatureVerified, .jsonWellFormed],
                           event: "envelope-sent", configurationId: "10363315", envelopeId: "env-\(i)",
                           generatedDateTime: i % 2 == 0 ? "2022-12-09T18:32:13.2990000Z" : nil)
            if i % 10 == 9 { XCTAssertEqual(appender.stagedCount, 10); try appender.commit() }
        }
        XCTAssertEqual(try appender.commit(), 100...101)
        XCTAssertEqual(appender.stagedCount, 0)
        try log.close()

        let (records, reader) = try TestLog.readAll(dir)
        XCTAssertEqual(records.count, bodies.count)
        XCTAssertTrue(reader.damage.isEmpty, "\(reader.damage)")
        for (i, record) in records.enumerated() {
            XCTAssertEqual(record.sequence, UInt64(i))
            XCTAssertEqual(record.body, bodies[i], "body of seq \(i)")
            XCTAssertEqual(record.receivedAtNanoseconds, 1_700_000_000_000_000_000 + Int64(i))
            XCTAssertEqual(record.event, Array("envelope-sent".utf8))
            XCTAssertEqual(record.configurationId, Array("10363315".utf8))
            XCTAssertEqual(record.envelopeId, Array("env-\(i)".utf8))
            XCTAssertEqual(record.generatedDateTime, i % 2 == 0 ? Array("2022-12-09T18:32:13.2990000Z".utf8) : nil)
            var expected: RecordFlags = [.signatureVerified, .jsonWellFormed, .hasEvent, .hasConfigurationId, .hasEnvelopeId]
            if i % 2 == 0 { expected.insert(.hasGeneratedDateTime) }
            XCTAssertEqual(record.flags, expected)
        }
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }

    func testCorpusBodiesRoundTrip() throws {
        let dir = try TestLog.directory("corpus")
        defer { TestLog.remove(dir) }
        let names = try Corpus.files(withExtension: "json")
        let bodies = try names.map { try Corpus.bytes($0) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(sync: .batch))
        let appender = log.makeAppender()
        for body in bodies { appender.stage(body, flags: .unsigned) }
        try appender.commit()
        try log.close()
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
    }

    func testLongFieldsAreCutAndFlagged() throws {
        let dir = try TestLog.directory("fields")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(sync: .none))
        let appender = log.makeAppender()
        let long = String(repeating: "e", count: 3000)
        appender.stage(Array("{}".utf8), event: long, envelopeId: "")
        try appender.commit()
        try log.close()
        let record = try XCTUnwrap(TestLog.readAll(dir).records.first)
        XCTAssertEqual(record.event, Array(long.utf8.prefix(1024)))
        XCTAssertTrue(record.flags.contains(.fieldTruncated))
        XCTAssertEqual(record.envelopeId, [], "present but empty is not absent")
        XCTAssertNil(record.configurationId)
        XCTAssertEqual(record.flags.nameList, ["signatureVerified", "hasEvent", "hasEnvelopeId", "fieldTruncated"])
    }

    func testReopenAfterCleanCloseContinuesSequence() throws {
        let dir = try TestLog.directory("reopen")
        defer { TestLog.remove(dir) }
        for round in 0..<3 {
            let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 128 << 10, sync: .none))
            XCTAssertTrue(log.recoveryReport.isClean, "round \(round): \(log.recoveryReport)")
            XCTAssertEqual(log.recoveryReport.nextSequence, UInt64(round * 50))
            let appender = log.makeAppender()
            for i in 0..<50 { appender.stage(TestLog.body(round * 50 + i)) }
            XCTAssertEqual(try appender.commit(), UInt64(round * 50)...UInt64(round * 50 + 49))
            try log.close()
        }
        let records = try TestLog.readAll(dir).records
        XCTAssertEqual(records.map(\.sequence), Array(0..<150))
        XCTAssertEqual(records.map(\.body), (0..<150).map { TestLog.body($0) })
        XCTAssertEqual(try TestLog.segments(dir).count, 1, "a clean reopen continues in the same segment")
        let verify = try verifyLog(directory: dir)
        XCTAssertTrue(verify.isClean, "\(verify)")
        XCTAssertEqual(verify.records, 150)
    }

    func testSecondWriterIsRefused() throws {
        let dir = try TestLog.directory("lock")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(sync: .none))
        XCTAssertThrowsError(try MessageLog.open(directory: dir, options: LogOptions(sync: .none))) { error in
            XCTAssertEqual(error as? LogError, .logInUse(directory: dir))
        }
        try log.close()
        let again = try MessageLog.open(directory: dir, options: LogOptions(sync: .none))
        try again.close()
    }

    func testCommitAfterCloseThrowsClosed() throws {
        let dir = try TestLog.directory("closed")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(sync: .none))
        let appender = log.makeAppender()
        try log.close()
        appender.stage(TestLog.body(1))
        XCTAssertThrowsError(try appender.commit()) { XCTAssertEqual($0 as? LogError, .closed) }
        XCTAssertEqual(appender.stagedCount, 0, "a failed commit drops its staged records")
    }

    func testReadFromSequence() throws {
        let dir = try TestLog.directory("from")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none))
        let appender = log.makeAppender()
        for i in 0..<200 { appender.stage(TestLog.body(i)); if i % 7 == 0 { try appender.commit() } }
        try appender.commit()
        try log.close()
        XCTAssertGreaterThan(try TestLog.segments(dir).count, 3)
        for from in [0, 1, 57, 150, 199, 200, 500] as [UInt64] {
            let records = try TestLog.readAll(dir, from: from).records
            XCTAssertEqual(records.map(\.sequence), Array(min(from, 200)..<200), "from \(from)")
        }
    }

    func testSyncPolicyFlags() {
        XCTAssertEqual(SyncPolicy(flag: "none"), SyncPolicy.none)
        XCTAssertEqual(SyncPolicy(flag: "batch"), .batch)
        XCTAssertEqual(SyncPolicy(flag: "interval=250"), .interval(milliseconds: 250))
        XCTAssertNil(SyncPolicy(flag: "interval=0"))
        XCTAssertNil(SyncPolicy(flag: "interval="))
        XCTAssertNil(SyncPolicy(flag: "always"))
        XCTAssertEqual(SyncPolicy.interval(milliseconds: 5).description, "interval=5")
        XCTAssertEqual(LogOptions().sync, .batch)
    }

    func testEveryPolicyStoresRecords() throws {
        for policy in [SyncPolicy.none, .batch, .interval(milliseconds: 5)] {
            let dir = try TestLog.directory("policy")
            defer { TestLog.remove(dir) }
            let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 32 << 10, sync: policy))
            let appender = log.makeAppender()
            for i in 0..<300 { appender.stage(TestLog.body(i)); if i % 16 == 15 { try appender.commit() } }
            try appender.commit()
            if case .interval = policy { usleep(20_000) }
            try log.close()
            XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), (0..<300).map { TestLog.body($0) }, "\(policy)")
        }
    }
}
