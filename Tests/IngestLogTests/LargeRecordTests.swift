import IngestTestSupport
import XCTest
@testable import IngestLog

final class LargeRecordTests: XCTestCase {
    private func stream(_ appender: LogAppender, _ body: [UInt8], seed: UInt64, receivedAt: Int64 = 7) throws -> LargeRecord {
        let record = try appender.beginLargeRecord(bodyLength: body.count, receivedAtNanoseconds: receivedAt)
        var rng = SeededRandom(seed: seed)
        for piece in SplitFeeder.randomCutting(of: body, maxPiece: 9000, using: &rng) {
            piece.withUnsafeBytes { appender.appendLargeBody(record, $0) }
        }
        return record
    }

    private func finish(_ appender: LogAppender, _ record: LargeRecord, event: String) {
        let e = Array(event.utf8), v = Array("large-env".utf8)
        e.withUnsafeBytes { ep in v.withUnsafeBytes { vp in
            appender.finishLargeRecord(record, flags: [.signatureVerified, .jsonWellFormed],
                                       fields: RecordFields(event: ep, envelopeId: vp))
        } }
    }

    /// A body streamed in random pieces between ordinary batches comes back byte-exact, with its
    /// fields, in its sequence place; it is published by the next commit, not before.
    func testStreamedRecordRoundTrip() throws {
        let dir = try TestLog.directory("large")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .batch))
        let appender = log.makeAppender()
        appender.stage(TestLog.body(0))
        XCTAssertEqual(try appender.commit(), 0...0)
        let big = TestLog.body(1, length: 300_000)
        let large = try stream(appender, big, seed: 11)
        XCTAssertEqual(large.sequence, 1)
        appender.stage(TestLog.body(2))
        XCTAssertEqual(try appender.commit(), 2...2)
        let reader = try LogReader(directory: dir)
        XCTAssertEqual(try reader.next()?.sequence, 0)
        XCTAssertNil(try reader.next(), "a follower waits at the pending record; it does not skip it")
        finish(appender, large, event: "envelope-completed")
        XCTAssertNil(try reader.next(), "finished but not yet committed: still not visible")
        XCTAssertNil(try appender.commit(), "no staged records: nil, but the large record is published")
        let got = try XCTUnwrap(reader.next())
        XCTAssertEqual(got.sequence, 1)
        XCTAssertEqual(got.body, big)
        XCTAssertEqual(got.event, Array("envelope-completed".utf8))
        XCTAssertEqual(got.envelopeId, Array("large-env".utf8))
        XCTAssertNil(got.configurationId)
        XCTAssertEqual(got.receivedAtNanoseconds, 7)
        XCTAssertEqual(try reader.next()?.sequence, 2, "then the records behind it, in order")
        try log.close()
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }

    /// A voided record (failed signature, vanished client) is never output; readers move past it.
    func testVoidedRecordLeavesNoTrustedRecord() throws {
        let dir = try TestLog.directory("void")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        let appender = log.makeAppender()
        let half = try stream(appender, Array(TestLog.body(5, length: 100_000).prefix(40_000)), seed: 3)
        let reader = try LogReader(directory: dir)
        XCTAssertNil(try reader.next())
        appender.voidLargeRecord(half)
        let finishedThenVoided = try stream(appender, TestLog.body(6, length: 70_000), seed: 4)
        finish(appender, finishedThenVoided, event: "x")
        appender.voidLargeRecord(finishedThenVoided)
        appender.stage(TestLog.body(7))
        XCTAssertEqual(try appender.commit(), 2...2)
        let records = [try reader.next()].compactMap { $0 }
        XCTAssertEqual(records.map(\.sequence), [2])
        XCTAssertEqual(reader.voidRecordsSkipped, 2)
        try log.close()
        let verify = try verifyLog(directory: dir)
        XCTAssertTrue(verify.isClean)
        XCTAssertEqual(verify.voidRecords, 2)
        XCTAssertEqual(verify.records, 1)
    }

    /// An appender that goes away with a record still streaming voids it, so followers do not
    /// wait forever on it while the server lives.
    func testDroppedAppenderVoidsOpenRecords() throws {
        let dir = try TestLog.directory("drop")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        do {
            let appender = log.makeAppender()
            _ = try stream(appender, TestLog.body(1, length: 5000), seed: 1)
        }
        let other = log.makeAppender()
        other.stage(TestLog.body(2))
        try other.commit()
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.sequence), [1])
        try log.close()
    }

    /// A record larger than a segment gets a segment of its own, both streamed and staged; the
    /// records after it go to a new segment and everything reads back in order, also after reopen.
    func testOversizedRecordsGetTheirOwnSegment() throws {
        let dir = try TestLog.directory("oversized")
        defer { TestLog.remove(dir) }
        let options = LogOptions(segmentSize: 64 << 10, sync: .batch)
        let streamedBody = TestLog.body(1, length: 200_000)
        let stagedBody = TestLog.body(3, length: 150_000)
        do {
            let log = try MessageLog.open(directory: dir, options: options)
            let appender = log.makeAppender()
            appender.stage(TestLog.body(0))
            try appender.commit()
            let large = try stream(appender, streamedBody, seed: 9)
            finish(appender, large, event: "big")
            appender.stage(TestLog.body(2))
            appender.stage(stagedBody)
            XCTAssertEqual(try appender.commit(), 2...3)
            try log.close()
        }
        do {
            let log = try MessageLog.open(directory: dir, options: options)
            XCTAssertTrue(log.recoveryReport.isClean, "\(log.recoveryReport)")
            let appender = log.makeAppender()
            appender.stage(TestLog.body(4))
            XCTAssertEqual(try appender.commit(), 4...4)
            try log.close()
        }
        let records = try TestLog.readAll(dir).records
        XCTAssertEqual(records.map(\.sequence), [0, 1, 2, 3, 4])
        XCTAssertEqual(records.map(\.body), [TestLog.body(0), streamedBody, TestLog.body(2), stagedBody, TestLog.body(4)])
        let segments = try TestLog.segments(dir)
        XCTAssertEqual(segments, ["00000000000000000000.log", "00000000000000000001.log", "00000000000000000002.log",
                                  "00000000000000000003.log", "00000000000000000004.log"])
        let verify = try verifyLog(directory: dir)
        XCTAssertTrue(verify.isClean, "\(verify)")
        XCTAssertEqual(verify.records, 5)
    }

    func testTooLargeBodyIsRefused() throws {
        let dir = try TestLog.directory("toolarge")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 64 << 10, sync: .none))
        let appender = log.makeAppender()
        XCTAssertThrowsError(try appender.beginLargeRecord(bodyLength: Int(UInt32.max), receivedAtNanoseconds: 0)) {
            XCTAssertEqual($0 as? LogError, .recordTooLarge(bytes: Int(UInt32.max)))
        }
        try log.close()
    }
}
