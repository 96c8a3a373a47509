import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// Under durable sync policies the log writes zeros ahead of its head (MessageLog, "Zeros
/// ahead") and publishes records with `pwrite` only (LogAppender.copyAndPublish). The zeros must
/// never land on a record, whatever the interleaving: a reservation that would reach a range
/// being zeroed rolls over instead.
final class ZeroAheadTests: XCTestCase {
    /// Four appenders commit records of mixed sizes (some larger than the zeroed distance, so
    /// reservations run into ranges being zeroed) into small segments while a zeroing pass runs
    /// every few KiB and a follower reads along: every record comes out once, in sequence order,
    /// byte-exact; `verify` finds the log clean; a reopen reads the same from the files.
    func testRecordsSurviveZerosWrittenAheadOfThem() throws {
        try appendConcurrentlyWhileAhead(sync: .interval(milliseconds: 60_000))
    }

    /// The same under policy `batch` without a group sync (each commit syncs its own ranges).
    func testRecordsSurviveZerosAheadWhenEachCommitSyncs() throws {
        try appendConcurrentlyWhileAhead(sync: .batch)
    }

    private func appendConcurrentlyWhileAhead(sync: SyncPolicy) throws {
        let dir = try TestLog.directory("zero-ahead")
        defer { TestLog.remove(dir) }
        var options = LogOptions(segmentSize: 1 << 20, sync: sync)
        options.zeroAhead = 32 << 10
        options.zeroStep = 8 << 10
        options.zeroAheadMaxRoundBytes = .max   // zeros never pause: this is about where they land
        options.cacheWindow = 256 << 10
        let log = try MessageLog.open(directory: dir, options: options)
        let threads = 4
        let perThread = 400
        var random = SeededRandom(seed: 0x2E60_A4EA)
        let lengths = (0..<(threads * perThread)).map { _ -> Int in
            switch Int.random(in: 0..<10, using: &random) {
            case 0: return 20_000 + Int.random(in: 0..<40_000, using: &random)   // beyond the zeroed distance
            case 1...3: return 3_000 + Int.random(in: 0..<5_000, using: &random)
            default: return 100 + Int.random(in: 0..<600, using: &random)
            }
        }
        let expected = lengths.enumerated().map { TestLog.body($0.offset, length: $0.element) }

        let seen = TestLog.appendConcurrentlyWhileFollowing(log: log, directory: dir, bodies: expected, threads: threads,
                                                            commitEvery: 5, followerTimeout: 60)
        try TestLog.assertFollowedAndStored(seen, expected: expected, log: log, directory: dir, minimumSegments: 5)
    }

    /// The zeros reach the disk ahead of the head: past the last record of a durable log (and the
    /// one step kept clear after it), the next blocks of the segment are written extents, not the
    /// unwritten ones `posix_fallocate` left (asked with the FIEMAP ioctl, which syncs the file
    /// first). Without zeros ahead every block beyond the head is unwritten.
    func testBlocksBeyondTheHeadAreWrittenExtents() throws {
        let dir = try TestLog.directory("zero-ahead-file")
        defer { TestLog.remove(dir) }
        let log = try Self.openWithSmallSteps(dir, segmentSize: 4 << 20)
        let appender = log.makeAppender()
        let bodies = (0..<40).map { TestLog.body($0, length: 700) }
        for body in bodies { appender.stage(body) }
        try appender.commit()
        log.waitForBackgroundWork()
        try Self.assertBlocksBeyondTheHead(dir, are: .written, "after one commit")
        try log.close()
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
    }

    /// Zeros ahead pause while sync rounds are large and resume when they shrink (here each
    /// commit syncs its own records, so a commit is a round). After rounds of about 160 KB, over
    /// the 64 KiB limit, the blocks beyond the head are still the unwritten ones `posix_fallocate`
    /// left; after a run of 1 KB rounds they are written extents again. Every record reads back.
    func testZerosPauseWhileRoundsAreLargeAndResumeWhenRoundsShrink() throws {
        let dir = try TestLog.directory("zero-ahead-rounds")
        defer { TestLog.remove(dir) }
        let log = try Self.openWithSmallSteps(dir, segmentSize: 16 << 20, maxRoundBytes: 64 << 10)
        let appender = log.makeAppender()
        var bodies: [[UInt8]] = []
        func commitRounds(_ rounds: Int, records: Int, length: Int) throws {
            for _ in 0..<rounds {
                for _ in 0..<records {
                    bodies.append(TestLog.body(bodies.count, length: length))
                    appender.stage(bodies[bodies.count - 1])
                }
                try appender.commit()
                log.waitForBackgroundWork()
            }
        }

        try commitRounds(24, records: 20, length: 8_000)
        try Self.assertBlocksBeyondTheHead(dir, are: .unwritten, "after 160 KB rounds")
        try commitRounds(24, records: 2, length: 500)
        try Self.assertBlocksBeyondTheHead(dir, are: .written, "after 1 KB rounds")

        try log.close()
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
        XCTAssertEqual(try TestLog.segments(dir).count, 1)
    }

    /// Zeros 256 KiB ahead in 64 KiB steps, policy `batch`, each commit syncing itself.
    private static let zeroStep = 64 << 10
    private static func openWithSmallSteps(_ dir: String, segmentSize: Int, maxRoundBytes: Int = .max) throws -> MessageLog {
        var options = LogOptions(segmentSize: segmentSize, sync: .batch)
        options.zeroAhead = 256 << 10
        options.zeroStep = zeroStep
        options.zeroAheadMaxRoundBytes = maxRoundBytes
        return try MessageLog.open(directory: dir, options: options)
    }

    private enum ExtentKind { case written, unwritten }

    /// Checks the 128 KiB of the only segment that a zeroing pass claims first beyond the current
    /// head (the head's page, then one step kept clear): they read as zeros, and the file system
    /// holds all of them as extents of `kind`.
    private static func assertBlocksBeyondTheHead(_ dir: String, are kind: ExtentKind, _ context: String,
                                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let beyond = try blocksBeyondTheHead(dir, zeroStep: zeroStep)
        let (wanted, other) = kind == .written ? (beyond.written, beyond.unwritten) : (beyond.unwritten, beyond.written)
        XCTAssertEqual(other, 0, "\(context): \(other) bytes of the other kind within \(beyond.checked), extents \(beyond.extents)",
                       file: file, line: line)
        XCTAssertEqual(wanted, beyond.checked.count, "\(context): extents \(beyond.extents) do not cover \(beyond.checked)",
                       file: file, line: line)
    }

    /// How many bytes of that range the file system holds as written and as unwritten extents.
    private static func blocksBeyondTheHead(_ dir: String, zeroStep: Int) throws
        -> (checked: Range<Int>, written: Int, unwritten: Int, extents: [(range: Range<Int>, unwritten: Bool)]) {
        let file = dir + "/" + (try TestLog.segments(dir))[0]
        guard let extents = extents(file) else {
            throw XCTSkip("the file system does not answer FIEMAP (tmpfs?)")
        }
        let image = try SegmentSurgery.read(file)
        let end = SegmentSurgery.recordLayout(image).last.map { $0.offset + $0.span } ?? 0
        let firstClaimed = (end + 4095) / 4096 * 4096 + zeroStep
        let checked = firstClaimed..<(firstClaimed + (128 << 10))
        XCTAssertTrue(image[checked].allSatisfy { $0 == 0 }, "beyond the head: zeros")
        var written = 0, unwritten = 0
        for extent in extents where extent.range.overlaps(checked) {
            let bytes = extent.range.clamped(to: checked).count
            if extent.unwritten { unwritten += bytes } else { written += bytes }
        }
        return (checked, written, unwritten, extents)
    }

    /// The file's extents by FIEMAP (FIEMAP_FLAG_SYNC), or nil where the ioctl is not supported.
    private static func extents(_ path: String) -> [(range: Range<Int>, unwritten: Bool)]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let capacity = 256
        let header = 32, extentSize = 56
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: header + capacity * extentSize, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: header + capacity * extentSize)
        buffer.storeBytes(of: UInt64(0), toByteOffset: 0, as: UInt64.self)              // fm_start
        buffer.storeBytes(of: UInt64.max, toByteOffset: 8, as: UInt64.self)             // fm_length
        buffer.storeBytes(of: UInt32(1), toByteOffset: 16, as: UInt32.self)             // FIEMAP_FLAG_SYNC
        buffer.storeBytes(of: UInt32(capacity), toByteOffset: 24, as: UInt32.self)      // fm_extent_count
        let fsIocFiemap: UInt = 0xC020_660B
        guard ioctl(fd, fsIocFiemap, buffer) == 0 else { return nil }
        let mapped = Int(buffer.load(fromByteOffset: 20, as: UInt32.self))
        return (0..<mapped).map { index in
            let base = header + index * extentSize
            let logical = Int(buffer.load(fromByteOffset: base, as: UInt64.self))
            let length = Int(buffer.load(fromByteOffset: base + 16, as: UInt64.self))
            let flags = buffer.load(fromByteOffset: base + 40, as: UInt32.self)
            return (logical..<(logical + length), flags & 0x800 != 0)   // FIEMAP_EXTENT_UNWRITTEN
        }
    }
}
