import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// The waiting rule of `LogReader` (see its documentation), case by case.
final class FollowTests: XCTestCase {
    /// A worker that reserved space but has not yet copied (state 0, even its header not
    /// written) holds followers back while the writer lives; the later record, already complete,
    /// comes out only after it, in sequence order.
    func testFollowerWaitsForAnEarlierReservationStillBeingCopied() throws {
        let dir = try TestLog.directory("follow-wait")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        let fast = log.makeAppender()
        fast.stage(TestLog.body(0))
        try fast.commit()

        // A slow worker: reserve like commit() does, then stop before copying.
        let slow = log.makeAppender()
        slow.stage(TestLog.body(1))
        var chunks: [MessageLog.ReservedChunk] = []
        var cacheRelease = MessageLog.CacheRelease()
        let first = try slow.spans.withUnsafeBufferPointer {
            try log.reserve(spans: $0, newestReceivedAt: 0, chunks: &chunks, cacheRelease: &cacheRelease)
        }
        XCTAssertEqual(first, 1)

        fast.stage(TestLog.body(2))
        XCTAssertEqual(try fast.commit(), 2...2)
        let reader = try LogReader(directory: dir)
        XCTAssertEqual(try reader.next()?.sequence, 0)
        XCTAssertNil(try reader.next(), "seq 1 is reserved, not written: wait")
        XCTAssertNil(try reader.next(), "still waiting, not skipping")
        XCTAssertEqual(try verifyLog(directory: dir).holes, 1, "verify sees the gap as a hole, not damage")

        // The slow worker finishes its copy and publishes.
        let chunk = chunks[0]
        slow.buffer.bytes.patchSequence(at: 0, sequence: first)
        chunk.segment.bytes.copy(from: slow.buffer.bytes.buffer(0, chunk.byteCount), to: chunk.segmentOffset)
        chunk.segment.bytes.publishState(LogFormat.State.done, at: chunk.segmentOffset)
        chunk.segment.finishReservations(1)
        XCTAssertEqual(try reader.next()?.body, TestLog.body(1))
        XCTAssertEqual(try reader.next()?.body, TestLog.body(2))
        XCTAssertNil(try reader.next())
        try log.close()
    }

    /// A reader on a crashed log (no writer) reads what is complete and stops at the torn tail
    /// without reporting damage; when a writer starts, recovers (cutting the tail) and appends,
    /// the same reader continues with the new records.
    func testReaderContinuesAcrossWriterRestart() throws {
        let dir = try TestLog.directory("follow-restart")
        defer { TestLog.remove(dir) }
        let path = dir + "/00000000000000000000.log"
        do {
            let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
            let appender = log.makeAppender()
            for i in 0..<10 { appender.stage(TestLog.body(i)) }
            try appender.commit()
            try log.close()
        }
        var image = try SegmentSurgery.read(path)
        let layout = SegmentSurgery.recordLayout(image)
        SegmentSurgery.unsettle(&image)
        // The last record torn mid-copy: state 0, header half written, body partly there.
        let last = layout[9]
        for i in last.offset..<(last.offset + 4) { image[i] = 0 }
        for i in (last.offset + 20)..<(last.offset + 40) { image[i] = 0 }
        try SegmentSurgery.write(path, image)

        let reader = try LogReader(directory: dir)
        var seen: [UInt64] = []
        while let record = try reader.next() { seen.append(record.sequence) }
        XCTAssertEqual(seen, Array(0..<9))
        XCTAssertNil(try reader.next())
        XCTAssertTrue(reader.damage.isEmpty, "an unpublished torn write is not damage: \(reader.damage)")

        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        XCTAssertEqual(log.recoveryReport.bytesCut, last.used, "\(log.recoveryReport)")
        let appender = log.makeAppender()
        appender.stage(TestLog.body(100))
        appender.stage(TestLog.body(101))
        let assigned = try XCTUnwrap(try appender.commit())
        while let record = try reader.next() { seen.append(record.sequence) }
        XCTAssertEqual(seen, Array(0..<9) + Array(assigned))
        try log.close()
    }

    /// A follower keeps up with writers that pause now and then, crossing segments, and sees
    /// streaming records (some voided) in their place.
    func testFollowerWithPausesAndStreamingRecords() throws {
        let dir = try TestLog.directory("follow-mixed")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 32 << 10, sync: .none))
        let writer = Thread {
            let appender = log.makeAppender()
            for i in 0..<400 {
                if i % 50 == 25 {
                    let large = try! appender.beginLargeRecord(bodyLength: 20_000, receivedAtNanoseconds: Int64(i))
                    let body = TestLog.body(i, length: 20_000)
                    body.withUnsafeBytes { appender.appendLargeBody(large, UnsafeRawBufferPointer(rebasing: $0[..<9000])) }
                    usleep(2000)
                    body.withUnsafeBytes { appender.appendLargeBody(large, UnsafeRawBufferPointer(rebasing: $0[9000...])) }
                    if i % 100 == 25 { appender.voidLargeRecord(large) } else { appender.finishLargeRecord(large, flags: [], fields: .none) }
                } else {
                    appender.stage(TestLog.body(i), receivedAt: Int64(i))
                }
                if i % 9 == 0 { try! appender.commit() }
                if i % 40 == 0 { usleep(3000) }
            }
            try! appender.commit()
        }
        writer.start()
        let expected = (0..<400).filter { !($0 % 50 == 25 && $0 % 100 == 25) }
        let reader = try LogReader(directory: dir)
        var seen: [LogRecord] = []
        let deadline = Date().addingTimeInterval(30)
        while seen.count < expected.count && Date() < deadline {
            if let record = try reader.next() { seen.append(record) } else { usleep(500) }
        }
        // A streaming record takes its sequence number when it begins, ahead of records staged
        // earlier but committed later: compare as sets, and check sequence order.
        XCTAssertEqual(seen.map { Int($0.receivedAtNanoseconds) }.sorted(), expected)
        XCTAssertEqual(seen.map(\.sequence), seen.map(\.sequence).sorted())
        XCTAssertEqual(Set(seen.map(\.sequence)).count, seen.count)
        for record in seen {
            let i = Int(record.receivedAtNanoseconds)
            XCTAssertEqual(record.body, i % 50 == 25 ? TestLog.body(i, length: 20_000) : TestLog.body(i))
        }
        while !writer.isFinished { usleep(1000) }
        try log.close()
        XCTAssertNil(try reader.next())
        XCTAssertEqual(reader.voidRecordsSkipped, 4)
    }
}
