import Foundation
import IngestTestSupport
import Synchronization
import XCTest
@testable import IngestLog

final class ConcurrencyTests: XCTestCase {
    /// Two appenders on two threads commit batches at once: every record lands exactly once,
    /// sequence numbers are contiguous from 0, each commit's range is the batch's, and every
    /// body matches the record its writer staged for that sequence number.
    func testTwoAppendersCommitConcurrently() throws {
        let dir = try TestLog.directory("concurrent")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 256 << 10, sync: .none))
        let perThread = 3000
        let results = Mutex<[UInt64: [UInt8]]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            let appender = log.makeAppender()
            var index = 0
            var mine: [UInt64: [UInt8]] = [:]
            while index < perThread {
                let batch = min(1 + (index % 29), perThread - index)
                var staged: [[UInt8]] = []
                for k in 0..<batch {
                    let body = TestLog.body(thread * 1_000_000 + index + k)
                    staged.append(body)
                    appender.stage(body)
                }
                let range = try! XCTUnwrap(appender.commit())
                XCTAssertEqual(range.count, batch)
                for (k, seq) in range.enumerated() { mine[seq] = staged[k] }
                index += batch
            }
            results.withLock { all in all.merge(mine) { _, _ in fatalError("sequence assigned twice") } }
        }
        try log.close()
        let expected = results.withLock { $0 }
        XCTAssertEqual(expected.count, 2 * perThread)
        XCTAssertEqual(Set(expected.keys), Set((0..<UInt64(2 * perThread))), "sequence numbers contiguous from 0")
        let (records, reader) = try TestLog.readAll(dir)
        XCTAssertTrue(reader.damage.isEmpty, "\(reader.damage)")
        XCTAssertEqual(records.map(\.sequence), Array(0..<UInt64(2 * perThread)), "each exactly once, in order")
        for record in records { XCTAssertEqual(record.body, expected[record.sequence], "seq \(record.sequence)") }
        XCTAssertGreaterThan(try TestLog.segments(dir).count, 5, "the test crossed segment boundaries")
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }

    /// A follower reading while two threads append (small segments, so it crosses many
    /// roll-overs) sees every record exactly once, in sequence order, byte-exact.
    func testFollowReaderSeesEveryRecordOnceAcrossRollOver() throws {
        let dir = try TestLog.directory("follow")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 32 << 10, sync: .none))
        let perThread = 2000
        let writers = DispatchGroup()
        for thread in 0..<2 {
            DispatchQueue.global().async(group: writers) {
                let appender = log.makeAppender()
                for i in 0..<perThread {
                    appender.stage(TestLog.body(thread * 100_000 + i), receivedAt: Int64(thread * 100_000 + i))
                    if i % 7 == 6 { try! appender.commit() }
                    if i % 300 == 0 { usleep(1000) }   // let the follower catch up and wait at the head
                }
                try! appender.commit()
            }
        }
        let reader = try LogReader(directory: dir)
        var seen: [LogRecord] = []
        let deadline = Date().addingTimeInterval(30)   // a bound against hanging, not a timing assertion
        while seen.count < 2 * perThread && Date() < deadline {
            if let record = try reader.next() { seen.append(record) } else { usleep(200) }
        }
        writers.wait()
        try log.close()
        XCTAssertEqual(seen.map(\.sequence), Array(0..<UInt64(2 * perThread)))
        for record in seen {
            XCTAssertEqual(record.body, TestLog.body(Int(record.receivedAtNanoseconds)), "seq \(record.sequence)")
        }
        XCTAssertTrue(reader.damage.isEmpty, "\(reader.damage)")
        XCTAssertNil(try reader.next(), "nothing after the last record")
        XCTAssertGreaterThan(try TestLog.segments(dir).count, 20)
    }
}
