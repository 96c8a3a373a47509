import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// A reader that goes through the log once hands each segment it has passed back to the kernel
/// (`ReaderSegment.releaseCache`), and so does `verifyLog`; what they read does not change.
final class ReaderCacheReleaseTests: XCTestCase {
    /// With every page of a four-segment log in the page cache: a plain reader leaves them all
    /// there (the control: there was something to drop); a releasing reader leaves only the
    /// header page of each segment it passed and the whole segment it ended in; `verifyLog` does
    /// the same. All three read every record, in order, byte-exact.
    func testPassedSegmentsLeaveThePageCache() throws {
        let dir = try TestLog.directory("reader-cache")
        defer { TestLog.remove(dir) }
        guard !PageCache.isTmpfs(dir) else {
            throw XCTSkip("the test directory is on tmpfs, where page-cache pages are the file itself")
        }
        let bodies = (0..<150).map { TestLog.body($0, length: 6_000 + ($0 % 7) * 200) }
        try Self.write(bodies, into: dir)
        let paths = try TestLog.segments(dir).map { dir + "/" + $0 }
        XCTAssertGreaterThanOrEqual(paths.count, 4)
        // Under `--sync none` a sealed segment may still be dirty after close; the kernel drops
        // clean pages only, so write everything back first.
        for path in paths {
            let fd = open(path, O_RDONLY)
            XCTAssertGreaterThanOrEqual(fd, 0)
            XCTAssertEqual(fsync(fd), 0)
            close(fd)
        }

        func readEverything() throws {
            for path in paths { _ = try Data(contentsOf: URL(fileURLWithPath: path)) }
            for path in paths {
                let pages = try PageCache.residentPages(path)
                XCTAssertEqual(pages.resident, pages.pages, "\(path) not cached after reading it")
            }
        }
        func assertReleasedAllButTheLast(_ who: String) throws {
            for path in paths.dropLast() {
                let pages = try PageCache.residentPages(path)
                XCTAssertEqual(pages.resident, 1, "\(who): \(path) keeps \(pages.resident) of \(pages.pages) pages")
                XCTAssertTrue(pages.headerResident, "\(who): header page of \(path) left the cache")
            }
            let last = try PageCache.residentPages(paths[paths.count - 1])
            XCTAssertEqual(last.resident, last.pages, "\(who): the segment it ended in left the cache")
        }
        func drain(_ reader: LogReader) throws -> [[UInt8]] {
            var read: [[UInt8]] = []
            while let record = try reader.next() { read.append(record.body) }
            return read
        }

        try readEverything()
        XCTAssertEqual(try drain(LogReader(directory: dir)), bodies)
        for path in paths {
            let pages = try PageCache.residentPages(path)
            XCTAssertEqual(pages.resident, pages.pages, "a plain reader released \(path)")
        }

        XCTAssertEqual(try drain(LogReader(directory: dir, releasingPassedSegments: true)), bodies)
        try assertReleasedAllButTheLast("releasing reader")

        try readEverything()
        let report = try verifyLog(directory: dir)
        XCTAssertTrue(report.damage.isEmpty, "\(report.damage)")
        XCTAssertEqual(report.segments, paths.count)
        try assertReleasedAllButTheLast("verify")

        // What was dropped reads back from the disk.
        XCTAssertEqual(try drain(LogReader(directory: dir, releasingPassedSegments: true)), bodies)
    }

    /// Writes the log and lets the writer go (its mappings with it: mapped pages are never dropped).
    private static func write(_ bodies: [[UInt8]], into dir: String) throws {
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 256 << 10, sync: .none))
        let appender = log.makeAppender()
        for (index, body) in bodies.enumerated() {
            appender.stage(body)
            if index % 10 == 9 { try appender.commit() }
        }
        try appender.commit()
        try log.close()
    }
}
