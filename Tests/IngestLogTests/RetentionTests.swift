import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

final class RetentionTests: XCTestCase {
    private func fileBytes(_ dir: String) throws -> Int {
        try TestLog.segments(dir).reduce(0) { total, name in
            total + ((try FileManager.default.attributesOfItem(atPath: dir + "/" + name)[.size] as? Int) ?? 0)
        }
    }

    /// Over the byte budget, the oldest whole segments go; what remains is the newest
    /// contiguous run of records, and the active segment is never deleted.
    func testRetentionByBytes() throws {
        let dir = try TestLog.directory("retain-bytes")
        defer { TestLog.remove(dir) }
        let budget: Int64 = 64 << 10
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none, retainBytes: budget))
        let appender = log.makeAppender()
        for i in 0..<600 { appender.stage(TestLog.body(i)); if i % 4 == 3 { try appender.commit() } }
        try appender.commit()
        try log.close()
        XCTAssertLessThanOrEqual(try fileBytes(dir), Int(budget))
        let records = try TestLog.readAll(dir).records
        let first = try XCTUnwrap(records.first).sequence
        XCTAssertGreaterThan(first, 0, "old segments were deleted")
        XCTAssertEqual(records.map(\.sequence), Array(first..<600), "the newest records, contiguous")
        XCTAssertEqual(records.map(\.body), (Int(first)..<600).map { TestLog.body($0) })
        XCTAssertTrue(try verifyLog(directory: dir).isClean)

        // A smaller budget at the next open applies at once (the active segment stays).
        let reopened = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none, retainBytes: 1))
        try reopened.close()
        XCTAssertEqual(try TestLog.segments(dir).count, 1)
        XCTAssertEqual(try TestLog.readAll(dir).records.last?.sequence, 599)
    }

    /// Segments whose newest record is older than the age limit go; newer ones stay.
    func testRetentionByAge() throws {
        let dir = try TestLog.directory("retain-age")
        defer { TestLog.remove(dir) }
        let now = wallClockNanoseconds()
        let old = now - 7200 * 1_000_000_000
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none, retainAgeSeconds: 3600))
        let appender = log.makeAppender()
        for i in 0..<200 { appender.stage(TestLog.body(i), receivedAt: old + Int64(i)); try appender.commit() }
        for i in 200..<400 { appender.stage(TestLog.body(i), receivedAt: now + Int64(i)); try appender.commit() }
        try log.close()
        let records = try TestLog.readAll(dir).records
        let first = try XCTUnwrap(records.first).sequence
        XCTAssertGreaterThan(first, 100, "segments holding only old records were deleted")
        XCTAssertLessThanOrEqual(first, 200, "no segment with a recent record was deleted")
        XCTAssertEqual(records.map(\.sequence), Array(first..<400))
    }

    /// Retention never deletes a segment that still has a streaming record in flight (nor,
    /// to keep what remains contiguous, anything after it); once it is published, it can go.
    func testRetentionKeepsSegmentsWithRecordsInFlight() throws {
        let dir = try TestLog.directory("retain-inflight")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none, retainBytes: 1))
        let appender = log.makeAppender()
        let large = try appender.beginLargeRecord(bodyLength: 1000, receivedAtNanoseconds: 0)
        for i in 0..<300 { appender.stage(TestLog.body(i)); if i % 4 == 3 { try appender.commit() } }
        try appender.commit()
        log.waitForBackgroundWork()
        let held = try TestLog.segments(dir)
        XCTAssertGreaterThan(held.count, 3, "the test rolled segments")
        XCTAssertEqual(held.first, "00000000000000000000.log", "the segment with the upload stays, and all after it")
        TestLog.body(5, length: 1000).withUnsafeBytes { appender.appendLargeBody(large, $0) }
        appender.finishLargeRecord(large, flags: [], fields: .none)
        try appender.commit()
        for i in 0..<100 { appender.stage(TestLog.body(i)); try appender.commit() }   // roll again
        log.waitForBackgroundWork()
        XCTAssertEqual(try TestLog.segments(dir).count, 1, "now everything but the active segment goes")
        try log.close()
    }
}
