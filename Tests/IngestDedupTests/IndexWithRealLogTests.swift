import Foundation
import IngestDedup
import IngestLog
import IngestTestSupport
import XCTest

/// The index installed in a real `MessageLog` and loaded from it with `OpenedLog` (`LogReader`
/// underneath): the log flags copies in commit order; rebuilding from the log and catching up
/// with records committed while the index was detached give the answers the live index gave.
final class IndexWithRealLogTests: XCTestCase {
    private var directories: [String] = []
    override func tearDown() { directories.forEach(DedupTest.remove) }

    private func directory(_ name: String) throws -> String {
        let path = try DedupTest.directory(name)
        directories.append(path)
        return path
    }

    /// Opens the log with `index` installed (or none) and loads the index from it.
    private func open(_ dir: String, _ index: DuplicateIndex?) throws -> (MessageLog, DedupLoadReport?) {
        let unsettled = try LogDirectoryInfo.unsettledFrom(directory: dir)
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none),
                                      duplicateDetector: index)
        let report = try index?.load(from: OpenedLog(log: log, unsettledFrom: unsettled))
        return (log, report)
    }

    /// Commits one record per id (bodies made unique by `tag`), in batches of 7.
    private func commit(_ ids: [MessageID], to log: MessageLog, at time: Int64, tag: Int) throws {
        let appender = log.makeAppender()
        for (n, id) in ids.enumerated() {
            let body = Array("{\"n\":\(n),\"tag\":\(tag)}".utf8)
            body.withUnsafeBytes { appender.stage(receivedAtNanoseconds: time, flags: [.unsigned], fields: .none, messageId: id, body: $0) }
            if n % 7 == 6 { try appender.commit() }
        }
        try appender.commit()
    }

    private func records(_ dir: String) throws -> [LogRecord] {
        let reader = try LogReader(directory: dir)
        var out: [LogRecord] = []
        while let record = try reader.next() { out.append(record) }
        return out
    }

    func testTheLogFlagsCopiesAndARebuildGivesTheSameAnswers() throws {
        let dir = try directory("reallog")
        let clock = TestClock(DedupTest.start)
        let ids = DedupTest.ids(300, seed: 81)
        var random = SeededRandom(seed: 82)
        let picks = (0..<1500).map { _ in ids[Int(random.next() % 300)] }
        do {
            let index = DedupTest.index(dir, clock: clock)
            let (log, report) = try open(dir, index)
            XCTAssertEqual(report?.isNew, true)
            try commit(picks, to: log, at: clock.time, tag: 1)
            try log.close()
            try index.close()
        }
        let stored = try records(dir)
        XCTAssertEqual(stored.count, 1500)
        var first: [MessageID: UInt64] = [:]
        for record in stored {
            if let known = first[record.messageId!] {
                XCTAssertEqual(record.duplicateOf, known, "seq \(record.sequence)")
            } else {
                XCTAssertFalse(record.isDuplicate, "seq \(record.sequence)")
                first[record.messageId!] = record.sequence
            }
        }

        try FileManager.default.removeItem(atPath: dir + "/dedup.index")
        let rebuilt = DedupTest.index(dir, clock: clock)
        let (log, report) = try open(dir, rebuilt)
        XCTAssertEqual(report?.rebuiltBecause, "no index file")
        XCTAssertEqual(report?.recordsApplied, 1500)
        try commit(Array(first.keys), to: log, at: clock.time + 1, tag: 2)
        try log.close()
        try rebuilt.close()
        for record in try records(dir).suffix(first.count) {
            XCTAssertEqual(record.duplicateOf, first[record.messageId!], "after the rebuild, seq \(record.sequence)")
        }
    }

    /// `--dedup off` for a while (the log opened without the index), then on again: the records
    /// of the gap are applied at load, from where the index stopped.
    func testRecordsCommittedWithoutTheIndexAreCaughtUp() throws {
        let dir = try directory("reallag")
        let clock = TestClock(DedupTest.start)
        let before = DedupTest.ids(50, seed: 91), during = DedupTest.ids(50, seed: 92)
        do {
            let index = DedupTest.index(dir, clock: clock)
            let (log, _) = try open(dir, index)
            try commit(before, to: log, at: clock.time, tag: 1)
            try log.close()
            try index.close()
        }
        do {
            let (log, _) = try open(dir, nil)
            try commit(during, to: log, at: clock.time + 1, tag: 2)
            try log.close()
        }
        let index = DedupTest.index(dir, clock: clock)
        let (log, report) = try open(dir, index)
        XCTAssertEqual(report?.appliedFrom, 50)
        XCTAssertEqual(report?.recordsApplied, 50)
        try commit(during + before, to: log, at: clock.time + 2, tag: 3)
        try log.close()
        try index.close()
        let last = try records(dir).suffix(100)
        XCTAssertEqual(last.map { $0.duplicateOf }, (50..<100).map { UInt64($0) } + (0..<50).map { UInt64($0) })
    }

    func testUnsettledFromNamesTheSegmentsRecoveryWalks() throws {
        let dir = try directory("unsettled")
        XCTAssertEqual(try LogDirectoryInfo.unsettledFrom(directory: dir + "/none"), 0)
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        let appender = log.makeAppender()
        let body = [UInt8](repeating: 65, count: 3000)
        for _ in 0..<1000 { body.withUnsafeBytes { appender.stage(receivedAtNanoseconds: 1, flags: [], fields: .none, body: $0) } }
        try appender.commit()
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".log") }.sorted()
        XCTAssertGreaterThan(segments.count, 2)
        let lastBase = UInt64(segments.last!.prefix(20))!
        XCTAssertEqual(try LogDirectoryInfo.unsettledFrom(directory: dir), lastBase, "the earlier ones are settled")
        XCTAssertEqual(try LogDirectoryInfo.firstSequence(receivedAtOrAfter: 2, directory: dir), lastBase,
                       "settled segments with only older records are skipped")
        XCTAssertEqual(try LogDirectoryInfo.firstSequence(receivedAtOrAfter: 1, directory: dir), 0)
        try log.close()
    }
}
