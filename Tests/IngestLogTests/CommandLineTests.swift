import Foundation
import IngestTestSupport
import XCTest
@testable import IngestLog

/// `connect-ingest read` and `verify`, run as the real binary (skipped if it was not built).
final class CommandLineTests: XCTestCase {
    private func binary() throws -> URL {
        let url = ProjectPaths.connectIngest
        guard FileManager.default.isExecutableFile(atPath: url.path) else { throw XCTSkip("\(url.path) not built") }
        return url
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: Data, errors: String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output, errors)
    }

    private let tricky: [UInt8] = Array("{\"event\":\"envelope-sent\",\"note\":\"quote \\\" backslash \\\\ tab\t nl\n é ✓ \u{1}\"}".utf8)
    private let binary8: [UInt8] = [0xFF, 0xFE, 0x00, 0x41, 0x0A, 0xC3]

    private func makeLog(_ dir: String) throws {
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 64 << 10, sync: .none))
        let appender = log.makeAppender()
        appender.stage(tricky, receivedAt: 1_670_610_733_299_123_456, flags: [.signatureVerified, .jsonWellFormed],
                       event: "envelope-sent", configurationId: "10363315", envelopeId: "aaaa-1111",
                       generatedDateTime: "2022-12-09T18:32:13.2990000Z")
        appender.stage(binary8, receivedAt: 0, flags: .unsigned)
        for i in 0..<20 {
            appender.stage(TestLog.body(i), event: i % 2 == 0 ? "envelope-completed" : "recipient-sent",
                           configurationId: "42", envelopeId: "env-\(i % 3)")
        }
        try appender.commit()
        try log.close()
    }

    func testReadJSONLines() throws {
        let dir = try TestLog.directory("cli-jsonl")
        defer { TestLog.remove(dir) }
        try makeLog(dir)
        let result = try run(["read", "--log-dir", dir])
        XCTAssertEqual(result.status, 0, result.errors)
        let lines = result.output.split(separator: UInt8(ascii: "\n"))
        XCTAssertEqual(lines.count, 22)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0])) as? [String: Any])
        XCTAssertEqual(first["seq"] as? Int, 0)
        XCTAssertEqual(first["receivedAt"] as? String, "2022-12-09T18:32:13.299123Z")
        XCTAssertEqual(first["event"] as? String, "envelope-sent")
        XCTAssertEqual(first["configurationId"] as? String, "10363315")
        XCTAssertEqual(first["envelopeId"] as? String, "aaaa-1111")
        XCTAssertEqual(first["generatedDateTime"] as? String, "2022-12-09T18:32:13.2990000Z")
        XCTAssertEqual(first["flags"] as? [String], ["signatureVerified", "jsonWellFormed", "hasEvent", "hasConfigurationId",
                                                     "hasEnvelopeId", "hasGeneratedDateTime"])
        XCTAssertEqual(Array((first["body"] as? String ?? "").utf8), tricky, "body is the exact bytes")
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1])) as? [String: Any])
        XCTAssertEqual(second["receivedAt"] as? String, "1970-01-01T00:00:00.000000Z")
        XCTAssertTrue(second["event"] is NSNull)
        XCTAssertTrue(second["generatedDateTime"] is NSNull)
        XCTAssertNil(second["body"])
        XCTAssertEqual(Data(base64Encoded: second["bodyBase64"] as? String ?? ""), Data(binary8))
        XCTAssertEqual(second["flags"] as? [String], ["unsigned"])
    }

    func testReadRawAndFilters() throws {
        let dir = try TestLog.directory("cli-raw")
        defer { TestLog.remove(dir) }
        try makeLog(dir)
        let raw = try run(["read", "--log-dir", dir, "--format", "raw", "--from", "2"])
        XCTAssertEqual(raw.status, 0, raw.errors)
        let expected: [UInt8] = (0..<20).flatMap { (i: Int) -> [UInt8] in TestLog.body(i) + [0x0A] }
        XCTAssertEqual([UInt8](raw.output), expected)
        let filtered = try run(["read", "--log-dir=\(dir)", "--event", "envelope-completed", "--envelope-id", "env-0"])
        let seqs = filtered.output.split(separator: UInt8(ascii: "\n")).map {
            (try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["seq"] as? Int
        }
        XCTAssertEqual(seqs, [2, 8, 14, 20], "events at even i, envelope env-0 at i % 3 == 0")
        let none = try run(["read", "--log-dir", dir, "--configuration-id", "nope"])
        XCTAssertEqual(none.output.count, 0)
        XCTAssertEqual(try run(["read", "--log-dir", dir, "--format", "xml"]).status, 2)
        XCTAssertEqual(try run(["read", "--bogus"]).status, 2)
    }

    func testVerifyExitStatus() throws {
        let dir = try TestLog.directory("cli-verify")
        defer { TestLog.remove(dir) }
        try makeLog(dir)
        let clean = try run(["verify", "--log-dir", dir])
        XCTAssertEqual(clean.status, 0, clean.errors)
        XCTAssertTrue(String(decoding: clean.output, as: UTF8.self).contains("records 22"))
        let path = dir + "/00000000000000000000.log"
        var image = try SegmentSurgery.read(path)
        let layout = SegmentSurgery.recordLayout(image)
        image[layout[4].offset + 60] ^= 0x01
        try SegmentSurgery.write(path, image)
        let damaged = try run(["verify", "--log-dir", dir])
        XCTAssertEqual(damaged.status, 1)
        let text = String(decoding: damaged.output, as: UTF8.self)
        XCTAssertTrue(text.contains("damage 1"), text)
        XCTAssertTrue(text.contains("@\(layout[4].offset): record checksum mismatch"), text)
        let read = try run(["read", "--log-dir", dir, "--format", "raw"])
        XCTAssertEqual(read.status, 0)
        XCTAssertTrue(read.errors.contains("record checksum mismatch"), read.errors)
        XCTAssertEqual(try run(["verify", "--log-dir", dir + "/missing"]).status, 2)
    }

    /// `read --follow` prints records appended while it runs, across segments, and exits 0 on
    /// SIGTERM; with its stdout closed it exits 0 at the next write (EPIPE).
    func testFollowStopsCleanlyOnSignalAndClosedPipe() throws {
        let dir = try TestLog.directory("cli-follow")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 16 << 10, sync: .none))
        let appender = log.makeAppender()
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["read", "--log-dir", dir, "--follow", "--format", "raw"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var received: [UInt8] = []
        let expected: [UInt8] = (0..<300).flatMap { (i: Int) -> [UInt8] in TestLog.body(i) + [0x0A] }
        for i in 0..<300 {
            appender.stage(TestLog.body(i))
            if i % 10 == 9 { try appender.commit() }
        }
        while received.count < expected.count {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            received += data
        }
        XCTAssertEqual(received, expected)
        XCTAssertGreaterThan(try TestLog.segments(dir).count, 3)
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0)

        let second = Process()
        second.executableURL = try binary()
        second.arguments = ["read", "--log-dir", dir, "--follow"]
        let pipe = Pipe()
        second.standardOutput = pipe
        try second.run()
        _ = pipe.fileHandleForReading.availableData
        try pipe.fileHandleForReading.close()
        for i in 0..<50 { appender.stage(TestLog.body(i)); try appender.commit() }
        second.waitUntilExit()
        XCTAssertEqual(second.terminationReason, .exit)
        XCTAssertEqual(second.terminationStatus, 0)
        try log.close()
    }

    /// The keys format version 2 added: accountId, format, messageId, duplicateOf; and the
    /// filters --account-id (either case) and --unique.
    func testReadPrintsAccountsMessageIdsAndDuplicates() throws {
        let dir = try TestLog.directory("cli-v2")
        defer { TestLog.remove(dir) }
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 64 << 10, sync: .none),
                                      duplicateDetector: MemoryDetector())
        let appender = log.makeAppender()
        let account = "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081"
        let id = MessageID(high: 0xABCD, low: 0x1234)
        appender.stage(TestLog.body(0), event: "envelope-sent", accountId: account, messageId: id)
        appender.stage(Array("<a/>".utf8), flags: [.signatureVerified, .scannedAsXML, .xmlWellFormed], accountId: account,
                       messageId: id)
        appender.stage(TestLog.body(2))
        try appender.commit()
        try log.close()

        let all = try run(["read", "--log-dir", dir])
        XCTAssertEqual(all.status, 0, all.errors)
        let lines = try all.output.split(separator: UInt8(ascii: "\n")).map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[0]["accountId"] as? String, account)
        XCTAssertEqual(lines[0]["format"] as? String, "json")
        XCTAssertEqual(lines[0]["messageId"] as? String, "000000000000abcd0000000000001234")
        XCTAssertTrue(lines[0]["duplicateOf"] is NSNull)
        XCTAssertEqual(lines[1]["format"] as? String, "xml")
        XCTAssertEqual(lines[1]["duplicateOf"] as? Int, 0)
        XCTAssertEqual((lines[1]["flags"] as? [String])?.contains("duplicate"), true)
        XCTAssertTrue(lines[2]["accountId"] is NSNull)
        XCTAssertTrue(lines[2]["messageId"] is NSNull)

        func seqs(_ arguments: [String]) throws -> [Int] {
            let result = try run(["read", "--log-dir", dir] + arguments)
            XCTAssertEqual(result.status, 0, result.errors)
            return result.output.split(separator: UInt8(ascii: "\n")).compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["seq"] as? Int
            }
        }
        XCTAssertEqual(try seqs(["--account-id", account.uppercased()]), [0, 1])
        XCTAssertEqual(try seqs(["--unique"]), [0, 2])
        XCTAssertEqual(try seqs(["--unique", "--account-id", account]), [0])
        XCTAssertEqual(try run(["read", "--log-dir", dir, "--account-id", "nope"]).status, 2)
    }

    /// The crash window of the README's "Duplicates": a first copy committed (the index knows
    /// it) but voided by recovery before publication, and its copy flagged duplicate of it. The
    /// copy is the message's only one in the log: `read --unique` keeps it (once), while a copy
    /// whose first copy is in the log is still left out, also when reading starts after it.
    func testUniqueKeepsADuplicateWhoseFirstCopyWasVoided() throws {
        let dir = try TestLog.directory("cli-orphan")
        defer { TestLog.remove(dir) }
        let detector = MemoryDetector()
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 64 << 10, sync: .none),
                                      duplicateDetector: detector)
        let appender = log.makeAppender()
        let lost = MessageID(high: 1, low: 1), kept = MessageID(high: 2, low: 2)
        let first = try appender.beginLargeRecord(bodyLength: 100, receivedAtNanoseconds: 1)   // 0: voided
        detector.remember(lost, as: first.sequence)
        appender.voidLargeRecord(first)
        appender.stage(TestLog.body(1), messageId: lost)      // 1: duplicate of 0, the only copy
        appender.stage(TestLog.body(2), messageId: kept)      // 2: first copy
        appender.stage(TestLog.body(3), messageId: kept)      // 3: duplicate of 2
        appender.stage(TestLog.body(4), messageId: lost)      // 4: duplicate of 0 again
        try appender.commit()
        try log.close()

        let records = try TestLog.readAll(dir).records
        XCTAssertEqual(records.map(\.sequence), [1, 2, 3, 4])
        XCTAssertEqual(records.map(\.duplicateOf), [0, nil, 2, 0])

        func seqs(_ arguments: [String]) throws -> [Int] {
            let result = try run(["read", "--log-dir", dir] + arguments)
            XCTAssertEqual(result.status, 0, result.errors)
            return result.output.split(separator: UInt8(ascii: "\n")).compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["seq"] as? Int
            }
        }
        XCTAssertEqual(try seqs([]), [1, 2, 3, 4])
        // 4 names the voided 0 too (the running index still held 0): 1 already stood in for it.
        XCTAssertEqual(try seqs(["--unique"]), [1, 2])
        // From 3: 3's first copy (2) is in the log; 1 was not read, so 4 stands in for 0.
        XCTAssertEqual(try seqs(["--unique", "--from", "3"]), [4])
    }

    /// A log written by format version 1 prints every key it printed then, with the same values;
    /// the keys added since are null (or "json").
    func testReadOfAVersionOneLogKeepsItsOutput() throws {
        let fixture = ProjectPaths.root.appendingPathComponent("Tests/Fixtures/log-v1")
        let dir = try TestLog.directory("cli-v1")
        defer { TestLog.remove(dir) }
        let name = "00000000000000000000.log"
        try FileManager.default.copyItem(atPath: fixture.appendingPathComponent(name).path, toPath: dir + "/" + name)
        let result = try run(["read", "--log-dir", dir])
        XCTAssertEqual(result.status, 0, result.errors)
        let now = try result.output.split(separator: UInt8(ascii: "\n")).map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? NSDictionary)
        }
        let then = try Data(contentsOf: fixture.appendingPathComponent("read.jsonl")).split(separator: UInt8(ascii: "\n")).map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? NSDictionary)
        }
        XCTAssertEqual(now.count, then.count)
        for (line, old) in zip(now, then) {
            for case let key as String in old.allKeys {
                XCTAssertEqual(line[key] as? NSObject, old[key] as? NSObject, "key \(key) of seq \(old["seq"] ?? "?")")
            }
            XCTAssertTrue(line["accountId"] is NSNull)
            XCTAssertEqual(line["format"] as? String, "json")
            XCTAssertTrue(line["messageId"] is NSNull)
            XCTAssertTrue(line["duplicateOf"] is NSNull)
        }
    }
}
