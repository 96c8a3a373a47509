import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// The next segments' files are made ahead of need (SpareSegmentFile.swift): unnamed, two of
/// them from the first commit into a segment, used by the roll-over (which names one), made
/// again at once, never visible to readers, and gone after a close or a crash.
final class SpareSegmentTests: XCTestCase {
    func testSparesAreMadeAtTheFirstCommitUsedByTheRollAndNeverNamed() throws {
        let dir = try TestLog.directory("spare")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 256 << 10, sync: .batch))
        let appender = log.makeAppender()
        var bodies: [[UInt8]] = []
        func append(until condition: () throws -> Bool) throws {
            var guardCount = 0
            while try !condition() {
                let body = TestLog.body(bodies.count, length: 3000)
                bodies.append(body)
                appender.stage(body)
                try appender.commit()
                log.waitForSpare()
                guardCount += 1
                XCTAssertLessThan(guardCount, 1000, "never reached the condition")
                if guardCount >= 1000 { return }
            }
        }
        XCTAssertEqual(log.spareInodes(), [], "no spare before the first commit")
        try append { !log.spareInodes().isEmpty }
        XCTAssertEqual(bodies.count, 1, "the first commit asks for the spares")
        let ready = log.spareInodes()
        XCTAssertEqual(ready.count, MessageLog.sparesAhead)
        XCTAssertFalse(ready.contains(0))
        XCTAssertEqual(try TestLog.segments(dir).count, 1)
        XCTAssertEqual(try Self.otherEntries(dir), [], "spares have no name in the folder")

        try append { try TestLog.segments(dir).count == 2 }
        XCTAssertEqual(try Self.inode(dir + "/" + TestLog.segments(dir)[1]), ready[0], "the new segment is the oldest spare's file")
        // The commit that rolled over asked for another spare at once (waitForSpare waited for it).
        let after = log.spareInodes()
        XCTAssertEqual(after.count, MessageLog.sparesAhead, "two spares again right after the roll-over")
        XCTAssertEqual(after.first, ready[1])
        XCTAssertFalse(after.contains(ready[0]))
        XCTAssertEqual(try Self.otherEntries(dir), [])

        try log.close()
        XCTAssertEqual(try Self.otherEntries(dir), [], "nothing but segments and LOCK after a close")
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }

    /// A log folder as a crash leaves it, with a named spare from an earlier version (or a
    /// segment whose creation was cut short): recovery deletes the `.log.tmp` file, and the log
    /// is intact.
    func testTemporaryFileLeftByACrashIsRemovedByRecovery() throws {
        let dir = try TestLog.directory("spare-crash")
        let copy = try TestLog.directory("spare-crash-copy")
        defer { TestLog.remove(dir); TestLog.remove(copy) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 256 << 10, sync: .batch))
        let appender = log.makeAppender()
        var bodies: [[UInt8]] = []
        while try TestLog.segments(dir).count < 2 && bodies.count < 500 {
            bodies.append(TestLog.body(bodies.count, length: 3000))
            appender.stage(bodies.last!)
            try appender.commit()
            log.waitForSpare()
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name != "LOCK" {
            try FileManager.default.copyItem(atPath: dir + "/" + name, toPath: copy + "/" + name)
        }
        try log.close()
        let leftover = copy + "/spare.log.tmp"
        XCTAssertTrue(FileManager.default.createFile(atPath: leftover, contents: Data(count: 256 << 10)))
        let reopened = try MessageLog.open(directory: copy, options: LogOptions(segmentSize: 256 << 10, sync: .batch))
        XCTAssertTrue(reopened.recoveryReport.notes.contains { $0.contains("spare.log.tmp") }, "\(reopened.recoveryReport)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover))
        try reopened.close()
        XCTAssertEqual(try TestLog.readAll(copy).records.map(\.body), bodies)
    }

    /// Folder entries other than segments and the lock file.
    private static func otherEntries(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "LOCK" && !$0.hasSuffix(".log") }.sorted()
    }

    private static func inode(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }

    private static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
    }
}
