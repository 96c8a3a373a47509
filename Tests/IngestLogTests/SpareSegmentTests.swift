import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// The next segment's file is made ahead of need (SpareSegmentFile.swift): at the first commit
/// into a segment, used by the roll-over, made again at once, never visible to readers, and gone
/// after a clean close or, after a crash, removed by recovery.
final class SpareSegmentTests: XCTestCase {
    func testSpareIsMadeAtTheFirstCommitUsedByTheRollAndRemovedAtClose() throws {
        let dir = try TestLog.directory("spare")
        defer { TestLog.remove(dir) }
        let spare = dir + "/" + SpareSegmentFile.name
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
        XCTAssertFalse(FileManager.default.fileExists(atPath: spare), "no spare before the first commit")
        try append { FileManager.default.fileExists(atPath: spare) }
        XCTAssertEqual(bodies.count, 1, "the first commit asks for the spare")
        XCTAssertEqual(try TestLog.segments(dir).count, 1)
        let spareInode = try Self.inode(spare)
        XCTAssertEqual(try Self.size(spare), 256 << 10)

        try append { try TestLog.segments(dir).count == 2 }
        XCTAssertEqual(try Self.inode(dir + "/" + TestLog.segments(dir)[1]), spareInode, "the new segment is the spare's file")
        // The commit that rolled over asked for the next spare at once (waitForSpare waited for it).
        XCTAssertTrue(FileManager.default.fileExists(atPath: spare), "a new spare right after the roll-over")
        XCTAssertNotEqual(try Self.inode(spare), spareInode)

        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + SpareSegmentFile.names[1]), "two spares ahead")
        try log.close()
        for name in SpareSegmentFile.names {
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + name), "a clean close deletes every unused spare")
        }
        XCTAssertEqual(try TestLog.readAll(dir).records.map(\.body), bodies)
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }

    /// A spare left by a crash (the log folder copied while the writer runs, as a power cut would
    /// leave it) is deleted when the log is opened, and the log is intact.
    func testSpareLeftByACrashIsRemovedByRecovery() throws {
        let dir = try TestLog.directory("spare-crash")
        let copy = try TestLog.directory("spare-crash-copy")
        defer { TestLog.remove(dir); TestLog.remove(copy) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 256 << 10, sync: .batch))
        let appender = log.makeAppender()
        var bodies: [[UInt8]] = []
        while !FileManager.default.fileExists(atPath: dir + "/" + SpareSegmentFile.name) && bodies.count < 500 {
            bodies.append(TestLog.body(bodies.count, length: 3000))
            appender.stage(bodies.last!)
            try appender.commit()
            log.waitForSpare()
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name != "LOCK" {
            try FileManager.default.copyItem(atPath: dir + "/" + name, toPath: copy + "/" + name)
        }
        try log.close()
        XCTAssertTrue(FileManager.default.fileExists(atPath: copy + "/" + SpareSegmentFile.name))
        let reopened = try MessageLog.open(directory: copy, options: LogOptions(segmentSize: 256 << 10, sync: .batch))
        XCTAssertTrue(reopened.recoveryReport.notes.contains { $0.contains(SpareSegmentFile.name) }, "\(reopened.recoveryReport)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy + "/" + SpareSegmentFile.name))
        try reopened.close()
        XCTAssertEqual(try TestLog.readAll(copy).records.map(\.body), bodies)
    }

    private static func inode(_ path: String) throws -> UInt64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }

    private static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
    }
}
