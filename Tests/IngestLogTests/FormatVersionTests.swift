import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// Format version 2 (accounts, message ids, duplicate marks, XML flags) and logs written by
/// version 1, which stay readable and are appended to in a new segment.
final class FormatVersionTests: XCTestCase {
    private var fixture: URL { ProjectPaths.root.appendingPathComponent("Tests/Fixtures/log-v1") }

    /// The fixture's segment copied into a fresh log folder.
    private func versionOneLog() throws -> String {
        let dir = try TestLog.directory("v1")
        let name = "00000000000000000000.log"
        try FileManager.default.copyItem(atPath: fixture.appendingPathComponent(name).path, toPath: dir + "/" + name)
        return dir
    }

    private func expectedLines() throws -> [[String: Any]] {
        let data = try Data(contentsOf: fixture.appendingPathComponent("read.jsonl"))
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    func testVersionOneLogReadsAsItDidAndVerifies() throws {
        let dir = try versionOneLog()
        defer { TestLog.remove(dir) }
        let expected = try expectedLines()
        XCTAssertEqual(expected.count, 12)
        let (records, reader) = try TestLog.readAll(dir)
        XCTAssertEqual(reader.damage, [])
        XCTAssertEqual(records.count, expected.count)
        for (record, line) in zip(records, expected) {
            XCTAssertEqual(record.formatVersion, 1)
            XCTAssertEqual(Int(record.sequence), line["seq"] as? Int)
            XCTAssertEqual(record.event.map { String(decoding: $0, as: UTF8.self) }, line["event"] as? String)
            XCTAssertEqual(record.envelopeId.map { String(decoding: $0, as: UTF8.self) }, line["envelopeId"] as? String)
            XCTAssertEqual(record.configurationId.map { String(decoding: $0, as: UTF8.self) }, line["configurationId"] as? String)
            XCTAssertEqual(record.generatedDateTime.map { String(decoding: $0, as: UTF8.self) },
                           line["generatedDateTime"] as? String)
            XCTAssertEqual(String(decoding: record.body, as: UTF8.self), line["body"] as? String)
            XCTAssertEqual(record.flags.nameList, line["flags"] as? [String])
            XCTAssertNil(record.accountId)
            XCTAssertNil(record.messageId)
            XCTAssertNil(record.duplicateOf)
        }
        let verify = try verifyLog(directory: dir)
        XCTAssertTrue(verify.isClean, "\(verify)")
        XCTAssertEqual(verify.records, 12)
    }

    func testWriterOpeningAVersionOneLogAppendsInANewVersionTwoSegment() throws {
        let dir = try versionOneLog()
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        XCTAssertEqual(log.recoveryReport.nextSequence, 12)
        let appender = log.makeAppender()
        appender.stage(TestLog.body(1), event: "envelope-sent", accountId: "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081",
                       messageId: MessageID(high: 1, low: 2))
        XCTAssertEqual(try appender.commit(), 12...12)
        try log.close()
        XCTAssertEqual(try TestLog.segments(dir), ["00000000000000000000.log", "00000000000000000012.log"])
        let (records, reader) = try TestLog.readAll(dir)
        XCTAssertEqual(reader.damage, [])
        XCTAssertEqual(records.map(\.formatVersion), Array(repeating: 1, count: 12) + [2])
        XCTAssertEqual(records.last?.accountId, Array("a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081".utf8))
        XCTAssertEqual(records.last?.messageId, MessageID(high: 1, low: 2))
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }

    func testNewFieldsRoundTripAndUnknownFlagsSurvive() throws {
        let dir = try TestLog.directory("v2-fields")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none))
        let appender = log.makeAppender()
        let id = MessageID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        appender.stage(Array("<x/>".utf8), flags: [.signatureVerified, .scannedAsXML, .xmlWellFormed, RecordFlags(rawValue: 1 << 30)],
                       event: "envelope-completed", envelopeId: "e", generatedDateTime: "t",
                       accountId: "A2B3C4D5-E6F7-4801-9A2B-3C4D5E6F7081", messageId: id)
        appender.stage(TestLog.body(2))
        // A caller cannot set `duplicate` itself: only the log's detector does.
        appender.stage(TestLog.body(3), flags: [.signatureVerified, .duplicate])
        try appender.commit()
        try log.close()
        let records = try TestLog.readAll(dir).records
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(records[0].accountId, Array("A2B3C4D5-E6F7-4801-9A2B-3C4D5E6F7081".utf8))
        XCTAssertEqual(records[0].messageId, id)
        XCTAssertEqual(records[0].messageId?.hex, "0123456789abcdeffedcba9876543210")
        XCTAssertEqual(MessageID(hex: "0123456789ABCDEFfedcba9876543210"), id)
        XCTAssertTrue(records[0].isXML)
        XCTAssertEqual(records[0].flags.nameList, ["signatureVerified", "hasEvent", "hasEnvelopeId", "hasGeneratedDateTime",
                                                   "scannedAsXML", "xmlWellFormed", "hasAccountId", "hasMessageId", "bit30"])
        XCTAssertNil(records[1].accountId)
        XCTAssertNil(records[1].messageId)
        XCTAssertFalse(records[1].isXML)
        XCTAssertFalse(records[2].isDuplicate)
        XCTAssertNil(records[2].duplicateOf)
    }

    func testDuplicatesMarkedInCommitOrderInBatchesAcrossCommitsAndForStreamedRecords() throws {
        let dir = try TestLog.directory("v2-dups")
        defer { TestLog.remove(dir) }
        let detector = MemoryDetector()
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 1 << 20, sync: .none),
                                      duplicateDetector: detector)
        let appender = log.makeAppender()
        let a = MessageID(high: 0, low: 0xA), b = MessageID(high: 0, low: 0xB)
        appender.stage(TestLog.body(0), messageId: a)        // 0: first a
        appender.stage(TestLog.body(1), messageId: b)        // 1: first b
        appender.stage(TestLog.body(2), messageId: a)        // 2: copy of 0, same batch
        appender.stage(TestLog.body(3))                      // 3: no id, never a duplicate
        try appender.commit()
        XCTAssertEqual(appender.lastCommitDuplicates, 1)
        // A streamed record takes its sequence number (4) when it begins; the staged one after it
        // gets 5 at commit. Both are checked when they are committed: 4 against b, 5 against a.
        let large = try appender.beginLargeRecord(bodyLength: 300, receivedAtNanoseconds: 7)
        XCTAssertEqual(large.sequence, 4)
        let body = TestLog.body(4, length: 300)
        body.withUnsafeBytes { appender.appendLargeBody(large, $0) }
        appender.finishLargeRecord(large, flags: .signatureVerified, fields: .none, messageId: b)   // 4: copy of 1
        appender.stage(TestLog.body(5), messageId: a)        // 5: copy of 0, later commit
        try appender.commit()
        XCTAssertEqual(appender.lastCommitDuplicates, 2)
        try log.close()

        let records = try TestLog.readAll(dir).records
        XCTAssertEqual(records.map(\.sequence), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(records.map(\.duplicateOf), [nil, nil, 0, nil, 1, 0])
        XCTAssertEqual(records.map(\.isDuplicate), [false, false, true, false, true, true])
        XCTAssertEqual(records[4].body, body)
        XCTAssertEqual(detector.calls, 5)
        let verify = try verifyLog(directory: dir)
        XCTAssertTrue(verify.isClean, "marking a duplicate keeps the record CRC right: \(verify)")
    }

    func testConcurrentAppendersLeaveExactlyOneFirstCopyPerMessage() throws {
        let dir = try TestLog.directory("v2-dups-threads")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 256 << 10, sync: .none),
                                      duplicateDetector: MemoryDetector())
        let ids = 300
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            let appender = log.makeAppender()
            for round in 0..<ids {
                let id = (round * 7 + thread * 13) % ids
                appender.stage(TestLog.body(thread * ids + round), messageId: MessageID(high: 9, low: UInt64(id)))
                if round % 5 == 4 { try! appender.commit() }
            }
            try! appender.commit()
        }
        try log.close()
        let records = try TestLog.readAll(dir).records
        XCTAssertEqual(records.count, 3 * ids)
        var first: [UInt64: UInt64] = [:]
        for record in records where !record.isDuplicate {
            let id = try XCTUnwrap(record.messageId).low
            XCTAssertNil(first[id], "two first copies of \(id)")
            first[id] = record.sequence
        }
        XCTAssertEqual(first.count, ids)
        for record in records where record.isDuplicate {
            let original = try XCTUnwrap(first[try XCTUnwrap(record.messageId).low])
            XCTAssertEqual(record.duplicateOf, original)
            XCTAssertLessThan(original, record.sequence, "within batches, the first copy has the lower sequence")
        }
        XCTAssertTrue(try verifyLog(directory: dir).isClean)
    }
}

/// A duplicate detector over a dictionary, for the log's own tests (the real one is IngestDedup).
final class MemoryDetector: DuplicateDetector, @unchecked Sendable {
    private var seen: [MessageID: UInt64] = [:]
    private(set) var calls = 0

    /// Makes the detector believe `id` was committed as `sequence` (a first copy that a crash
    /// then kept from being published: recovery voids it).
    func remember(_ id: MessageID, as sequence: UInt64) { seen[id] = sequence }

    /// Only ever called under the log's reservation lock, so no lock of its own is needed.
    func firstCopy(of id: MessageID, sequence: UInt64, receivedAtNanoseconds: Int64) -> UInt64? {
        calls += 1
        if let first = seen[id] { return first }
        seen[id] = sequence
        return nil
    }
}
