import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// Damage and crash leftovers, made by editing segment files the way a crash or bit rot would.
final class RecoveryTests: XCTestCase {
    /// Writes `count` records (varied sizes, several batches) into one segment and closes cleanly.
    private func makeLog(_ dir: String, count: Int = 60) throws -> [[UInt8]] {
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        let appender = log.makeAppender()
        let bodies = (0..<count).map { TestLog.body($0, length: 20 + ($0 * 97) % 900) }
        for (i, body) in bodies.enumerated() {
            appender.stage(body, event: "e\(i)", envelopeId: "env")
            if i % 5 == 4 { try appender.commit() }
        }
        try appender.commit()
        try log.close()
        return bodies
    }

    private var segmentPath: (String) -> String { { $0 + "/00000000000000000000.log" } }

    /// Truncating the segment at random points: recovery keeps exactly the records that end
    /// before the cut, byte-exact, trusts nothing after it, and the log takes appends again.
    func testTruncationAtRandomPoints() throws {
        var rng = SeededRandom(seed: 0x7E57_0001)
        let pristine = try TestLog.directory("trunc-src")
        defer { TestLog.remove(pristine) }
        let bodies = try makeLog(pristine)
        let image = try SegmentSurgery.read(segmentPath(pristine))
        let layout = SegmentSurgery.recordLayout(image)
        XCTAssertEqual(layout.count, bodies.count)
        let end = layout.last!.offset + layout.last!.span
        var cuts = (0..<25).map { _ in Int.random(in: 0..<end, using: &rng) }
        cuts += [0, 64, 127, 128, layout[3].offset, layout[3].offset + 4, layout[3].offset + layout[3].used - 1,
                 layout[3].offset + layout[3].used]
        for cut in cuts {
            let dir = try TestLog.directory("trunc")
            defer { TestLog.remove(dir) }
            try SegmentSurgery.write(segmentPath(dir), Array(image.prefix(cut)))
            let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
            let kept = layout.filter { $0.offset + $0.used <= cut }.count
            let records = try TestLog.readAll(dir).records
            XCTAssertEqual(records.map(\.sequence), Array(0..<UInt64(kept)), "cut at \(cut), seed \(rng.seed)")
            XCTAssertEqual(records.map(\.body), Array(bodies.prefix(kept)), "cut at \(cut)")
            let appender = log.makeAppender()
            appender.stage(TestLog.body(999))
            let assigned = try XCTUnwrap(try appender.commit())
            XCTAssertGreaterThanOrEqual(assigned.lowerBound, UInt64(kept), "no sequence number reused")
            try log.close()
            let verify = try verifyLog(directory: dir)
            XCTAssertTrue(verify.isClean, "cut at \(cut): \(verify)")
            XCTAssertEqual(verify.records, kept + 1)
            XCTAssertEqual(try TestLog.readAll(dir).records.last?.body, TestLog.body(999))
        }
    }

    /// Flipping random bytes: every record whose bytes were hit is reported and never returned;
    /// every other record is returned byte-exact, in order (before and after the damage).
    func testRandomByteFlips() throws {
        var rng = SeededRandom(seed: 0xF11B_0002)
        let pristine = try TestLog.directory("flip-src")
        defer { TestLog.remove(pristine) }
        let bodies = try makeLog(pristine)
        let image = try SegmentSurgery.read(segmentPath(pristine))
        let layout = SegmentSurgery.recordLayout(image)
        let end = layout.last!.offset + layout.last!.span
        for trial in 0..<40 {
            let dir = try TestLog.directory("flip")
            defer { TestLog.remove(dir) }
            var damaged = image
            var hit = Set<Int>()
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let position = Int.random(in: 0..<end, using: &rng)
                damaged[position] ^= UInt8.random(in: 1...255, using: &rng)
                if let index = layout.firstIndex(where: { position >= $0.offset && position < $0.offset + $0.used }) {
                    hit.insert(index)
                }
            }
            try SegmentSurgery.write(segmentPath(dir), damaged)
            // Read before recovery (what `read` shows on a damaged log), then after it.
            for phase in ["before recovery", "after recovery"] {
                if phase == "after recovery" {
                    let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
                    try log.close()
                }
                let (records, reader) = try TestLog.readAll(dir)
                let expected = (0..<bodies.count).filter { !hit.contains($0) }
                XCTAssertEqual(records.map(\.sequence), expected.map(UInt64.init), "trial \(trial) \(phase), seed \(rng.seed)")
                XCTAssertEqual(records.map(\.body), expected.map { bodies[$0] }, "trial \(trial) \(phase)")
                let verify = try verifyLog(directory: dir)
                if phase == "before recovery" {
                    XCTAssertEqual(verify.isClean, hit.isEmpty, "trial \(trial): \(verify)")
                    XCTAssertEqual(reader.damage.isEmpty, hit.isEmpty, "trial \(trial): \(reader.damage)")
                }
                XCTAssertEqual(verify.records, expected.count, "trial \(trial) \(phase)")
            }
        }
    }

    /// A crash image taken while a large record was streaming (the file holds exactly what the
    /// mapping held): reopening voids it, reports it, and the records after it stay readable.
    func testPendingRecordLeftByCrashIsVoided() throws {
        let dir = try TestLog.directory("pending")
        defer { TestLog.remove(dir) }
        var crashImage: [UInt8] = []
        do {
            let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
            let appender = log.makeAppender()
            appender.stage(TestLog.body(0))
            try appender.commit()
            let large = try appender.beginLargeRecord(bodyLength: 50_000, receivedAtNanoseconds: 1)
            TestLog.body(1, length: 20_000).withUnsafeBytes { appender.appendLargeBody(large, $0) }
            appender.stage(TestLog.body(2))
            try appender.commit()
            crashImage = try SegmentSurgery.read(segmentPath(dir))   // kill -9 here
            try log.close()
        }
        try SegmentSurgery.write(segmentPath(dir), crashImage)
        let before = try verifyLog(directory: dir)
        XCTAssertEqual(before.unfinishedRecords, 1)
        XCTAssertTrue(before.isClean, "an unfinished record is not damage")
        let reader = try LogReader(directory: dir)
        XCTAssertEqual(try reader.next()?.sequence, 0)
        XCTAssertEqual(try reader.next()?.sequence, 2, "no writer: the abandoned record is skipped, not output")
        XCTAssertEqual(reader.abandonedSkipped, 1)
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        XCTAssertEqual(log.recoveryReport.voidedPending, 1, "\(log.recoveryReport)")
        XCTAssertEqual(log.recoveryReport.records, 2)
        XCTAssertEqual(log.recoveryReport.nextSequence, 3)
        try log.close()
        let after = try verifyLog(directory: dir)
        XCTAssertEqual(after.voidRecords, 1)
        XCTAssertEqual(after.unfinishedRecords, 0)
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), [TestLog.body(0), TestLog.body(2)])
    }

    /// The states concurrent reservations leave after a crash: a reservation whose header never
    /// reached memory (a zero hole) and one copied but never published (state 0), each followed
    /// by complete records; and the same two at the tail. Middle ones are voided or filled, tail
    /// ones cut; all complete records survive.
    func testUnpublishedReservationsAndHoles() throws {
        let dir = try TestLog.directory("holes")
        defer { TestLog.remove(dir) }
        let bodies = try makeLog(dir, count: 20)
        var image = try SegmentSurgery.read(segmentPath(dir))
        let layout = SegmentSurgery.recordLayout(image)
        SegmentSurgery.unsettle(&image)
        func zero(_ range: Range<Int>) { for i in range { image[i] = 0 } }
        zero(layout[5].offset..<(layout[5].offset + layout[5].span))          // hole in the middle
        zero(layout[9].offset..<(layout[9].offset + 4))                       // unpublished in the middle
        zero(layout[18].offset..<(layout[18].offset + 4))                     // unpublished at the tail
        zero(layout[19].offset..<(layout[19].offset + 40))                    // torn header at the tail
        try SegmentSurgery.write(segmentPath(dir), image)
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        let report = log.recoveryReport
        XCTAssertEqual(report.holesFilled, 1, "\(report)")
        XCTAssertEqual(report.voidedPending, 1, "\(report)")
        XCTAssertEqual(report.recordsCut, 1, "the unpublished tail record with a readable header")
        XCTAssertEqual(report.bytesCut, layout[19].offset + layout[19].used - layout[18].offset, "\(report)")
        XCTAssertEqual(report.records, 16)
        try log.close()
        let expected = (0..<18).filter { $0 != 5 && $0 != 9 }
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), expected.map { bodies[$0] })
        let verify = try verifyLog(directory: dir)
        XCTAssertTrue(verify.isClean, "\(verify)")
        XCTAssertEqual(verify.voidRecords, 2)
    }

    /// A damaged segment header is rebuilt from the file name and size; the records survive.
    func testDamagedSegmentHeaderIsRebuilt() throws {
        let dir = try TestLog.directory("header")
        defer { TestLog.remove(dir) }
        let bodies = try makeLog(dir, count: 10)
        var image = try SegmentSurgery.read(segmentPath(dir))
        image[20] ^= 0x40
        try SegmentSurgery.write(segmentPath(dir), image)
        let damaged = try verifyLog(directory: dir)
        XCTAssertFalse(damaged.isClean)
        XCTAssertEqual(damaged.records, 10)
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        XCTAssertFalse(log.recoveryReport.notes.isEmpty)
        try log.close()
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
    }

    /// Segments of a crashed run that are not the last and were never settled are walked, fixed,
    /// sealed and settled; a leftover temporary segment file is removed.
    func testUnsettledOlderSegmentsAreRecovered() throws {
        let dir = try TestLog.directory("older")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none))
        let appender = log.makeAppender()
        for i in 0..<200 { appender.stage(TestLog.body(i)); if i % 3 == 2 { try appender.commit() } }
        try appender.commit()
        try log.close()
        let segments = try TestLog.segments(dir)
        XCTAssertGreaterThan(segments.count, 3)
        let second = dir + "/" + segments[1]
        var image = try SegmentSurgery.read(second)
        SegmentSurgery.unsettle(&image)
        let layout = SegmentSurgery.recordLayout(image)
        for i in layout[1].offset..<(layout[1].offset + 4) { image[i] = 0 }   // unpublished, then valid ones
        try SegmentSurgery.write(second, image)
        try SegmentSurgery.write(dir + "/00000000000000999999.log.tmp", [1, 2, 3])
        let reopened = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none))
        XCTAssertEqual(reopened.recoveryReport.segmentsScanned, 2, "\(reopened.recoveryReport)")
        XCTAssertEqual(reopened.recoveryReport.voidedPending, 1)
        XCTAssertEqual(reopened.recoveryReport.nextSequence, 200)
        try reopened.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/00000000000000999999.log.tmp"))
        let info = try SegmentFileInfo.read(path: second, base: LogFormat.base(ofSegmentName: segments[1])!)
        XCTAssertTrue(info.isSettledAndWhole)
        XCTAssertEqual(try TestLog.readAll(dir).records.count, 199)
    }
}
