import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// A reader names the sequence ranges whose segments were deleted (retention) before it read
/// them, at its start and while it moves from segment to segment; and `nextPosition` walks the
/// same records as `next` without copying them.
final class MissingSegmentTests: XCTestCase {
    func makeLog(_ name: String) throws -> String {
        let dir = try TestLog.directory(name)
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 8 << 10, sync: .none))
        let appender = log.makeAppender()
        for i in 0..<300 { appender.stage(TestLog.body(i)); if i % 4 == 3 { try appender.commit() } }
        try appender.commit()
        try log.close()
        return dir
    }

    func bases(_ dir: String) throws -> [UInt64] {
        try TestLog.segments(dir).compactMap { UInt64($0.dropLast(4)) }.sorted()
    }

    func testGapAtTheStart() throws {
        let dir = try makeLog("missing-start")
        defer { TestLog.remove(dir) }
        let all = try bases(dir)
        XCTAssertGreaterThan(all.count, 6)
        for base in all.prefix(2) { try FileManager.default.removeItem(atPath: dir + "/" + LogFormat.segmentName(base: base)) }
        let (records, reader) = try TestLog.readAll(dir, from: 5)
        XCTAssertEqual(reader.missingRanges, [5..<all[2]])
        XCTAssertEqual(records.first?.sequence, all[2])
        // Nothing missing when the start segment is there.
        XCTAssertEqual(try TestLog.readAll(dir, from: all[3] + 1).reader.missingRanges, [])
    }

    func testGapWhileReading() throws {
        let dir = try makeLog("missing-middle")
        defer { TestLog.remove(dir) }
        let all = try bases(dir)
        let reader = try LogReader(directory: dir)
        // Read into the first segment; then retention deletes it (still mapped) and the next two.
        XCTAssertEqual(try reader.next()?.sequence, 0)
        for base in all.prefix(3) { try FileManager.default.removeItem(atPath: dir + "/" + LogFormat.segmentName(base: base)) }
        var sequences: [UInt64] = [0]
        while let record = try reader.next() { sequences.append(record.sequence) }
        XCTAssertEqual(reader.missingRanges, [all[1]..<all[3]])
        XCTAssertEqual(sequences, Array(0..<all[1]) + Array(all[3]..<300), "the first segment is read to its end, then the gap")
    }

    func testNextPositionWalksTheSameRecords() throws {
        let dir = try makeLog("positions")
        defer { TestLog.remove(dir) }
        let records = try TestLog.readAll(dir).records
        let reader = try LogReader(directory: dir, fromSequence: 10)
        var positions: [LogReader.RecordPosition] = []
        while let position = try reader.nextPosition() { positions.append(position) }
        XCTAssertEqual(positions.map(\.sequence), records.dropFirst(10).map(\.sequence))
        XCTAssertEqual(positions.map(\.bodyLength), records.dropFirst(10).map(\.body.count))
        XCTAssertEqual(positions.map(\.receivedAtNanoseconds), records.dropFirst(10).map(\.receivedAtNanoseconds))
    }
}
