import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// The writer hands page-cache pages behind its window back to the kernel (MessageLog, "Page
/// cache"). Nothing a reader can see may change because of it.
final class CacheReleaseTests: XCTestCase {
    private static let bodyLength = 6_400

    /// Two appenders fill several small segments while the window releases pages behind them and
    /// a follower reads along: every record comes out once, in sequence order, byte-exact, and
    /// `verify` finds the log clean, before and after a reopen reads everything from the disk.
    func testRecordsReadBackWhileTheCacheIsReleased() throws {
        let dir = try TestLog.directory("cache-release")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: Self.options())
        let perThread = 300
        let expected = Self.bodies(count: 2 * perThread)

        let seen = TestLog.appendConcurrentlyWhileFollowing(log: log, directory: dir, bodies: expected, threads: 2,
                                                            commitEvery: 7, followerTimeout: 30)
        try TestLog.assertFollowedAndStored(seen, expected: expected, log: log, directory: dir, minimumSegments: 4)
    }

    /// Once the log is a window into the next segment, the pages of the one it left are written
    /// back and leave the page cache (appends then reuse that memory rather than growing the
    /// cache); the records in them read back from the disk. Each segment's header page stays:
    /// the roll-over that seals a segment writes it under the reservation lock, and a dropped
    /// page would be read back from the disk there, behind all the queued writeback.
    func testPagesOfALeftSegmentLeaveThePageCache() throws {
        let dir = try TestLog.directory("cache-leave")
        defer { TestLog.remove(dir) }
        guard !PageCache.isTmpfs(dir) else {
            throw XCTSkip("the test directory is on tmpfs, where page-cache pages are the file itself")
        }
        let log = try MessageLog.open(directory: dir, options: Self.options())
        let appender = log.makeAppender()
        let bodies = Self.bodies(count: 400)
        for (i, body) in bodies.enumerated() {
            appender.stage(body)
            if i % 10 == 9 { try appender.commit() }
        }
        try appender.commit()
        log.waitForBackgroundWork()
        let segments = try TestLog.segments(dir)
        XCTAssertGreaterThanOrEqual(segments.count, 3)
        let first = try PageCache.residentPages(dir + "/" + segments[0])
        XCTAssertLessThanOrEqual(first.resident, 2, "pages of the first segment still cached: \(first)")
        for name in segments {
            XCTAssertTrue(try PageCache.residentPages(dir + "/" + name).headerResident, "header page of \(name) left the cache")
        }
        let last = try PageCache.residentPages(dir + "/" + segments[segments.count - 1])
        XCTAssertGreaterThan(last.resident, 8, "the active segment's recent pages stay cached: \(last)")
        try log.close()
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
    }

    // MARK: Helpers

    /// 1 MiB segments, a 128 KiB window: releases every 16 KiB of appends.
    private static func options() -> LogOptions {
        var options = LogOptions(segmentSize: 1 << 20, sync: .none)
        options.cacheWindow = 128 << 10
        return options
    }

    private static func bodies(count: Int) -> [[UInt8]] {
        (0..<count).map { TestLog.body($0, length: bodyLength - ($0 % 5) * 333) }
    }
}
