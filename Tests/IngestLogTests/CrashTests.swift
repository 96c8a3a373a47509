import Foundation
import IngestTestSupport
import Synchronization
import XCTest
@testable import IngestLog

/// Real torn writes: a child process (this test binary, running only `testChildWriterProcess`)
/// floods the log from two threads and is killed with SIGKILL mid-flood.
final class CrashTests: XCTestCase {
    static let directoryKey = "INGEST_LOG_CHILD_DIR"
    static let syncKey = "INGEST_LOG_CHILD_SYNC"
    /// "1": bodies of 5-7 KB, which the appender writes with pwrite (smaller ones are copied
    /// into the mapping; see LogAppender.copyAndPublish), so both write paths are killed mid-way.
    static let largeKey = "INGEST_LOG_CHILD_LARGE"

    static func body(_ index: Int, large: Bool) -> [UInt8] {
        large ? TestLog.body(index, length: 5_000 + (index % 7) * 300) : TestLog.body(index)
    }

    /// The child's body; an empty pass unless started by `testKillDashNineMidFlood`. It opens the
    /// log, leaves one streaming record unfinished (a stuck upload), then two threads commit
    /// batches forever, printing "ack THREAD FIRSTSEQ COUNT FIRSTINDEX" after each commit returns.
    func testChildWriterProcess() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let dir = environment[Self.directoryKey] else { return }
        let sync = SyncPolicy(flag: environment[Self.syncKey] ?? "none") ?? .none
        let large = environment[Self.largeKey] == "1"
        let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 64 << 10, sync: sync))
        let stuck = log.makeAppender()
        let upload = try stuck.beginLargeRecord(bodyLength: 20_000, receivedAtNanoseconds: 0)
        TestLog.body(99_999_999, length: 9_000).withUnsafeBytes { stuck.appendLargeBody(upload, $0) }
        for thread in 0..<2 {
            Thread.detachNewThread {
                let appender = log.makeAppender()
                var index = 0
                while true {
                    let count = 1 + index % 16
                    for k in 0..<count { appender.stage(Self.body(thread * 10_000_000 + index + k, large: large)) }
                    let range = try! appender.commit()!
                    let line = Array("ack \(thread) \(range.lowerBound) \(count) \(index)\n".utf8)
                    line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
                    index += count
                }
            }
        }
        while true { sleep(60) }
    }

    func testKillDashNineMidFlood() throws {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        for (round, sync) in ["none", "batch", "none", "batch"].enumerated() {
            let large = round >= 2
            let dir = try TestLog.directory("crash")
            defer { TestLog.remove(dir) }
            let acks = try runChildAndKill(executable: executable, dir: dir, sync: sync, large: large,
                                           acksWanted: large ? 30 + 20 * round : 150 + 100 * round)
            XCTAssertGreaterThan(acks.count, 0)

            let log = try MessageLog.open(directory: dir, options: LogOptions(segmentSize: 64 << 10, sync: .none))
            let report = log.recoveryReport
            XCTAssertGreaterThanOrEqual(report.voidedPending, 1, "the stuck upload is voided: \(report)")
            try log.close()
            let (records, reader) = try TestLog.readAll(dir)
            XCTAssertTrue(reader.damage.isEmpty, "\(reader.damage)")
            var bySequence: [UInt64: [UInt8]] = [:]
            for record in records { bySequence[record.sequence] = record.body }
            XCTAssertEqual(bySequence.count, records.count, "each sequence number once")
            XCTAssertEqual(Set(records.map(\.body)).count, records.count, "no record twice")
            var acknowledged = 0
            for ack in acks {
                for k in 0..<ack.count {
                    let expected = Self.body(ack.thread * 10_000_000 + ack.index + k, large: large)
                    XCTAssertEqual(bySequence[ack.first + UInt64(k)], expected,
                                   "acknowledged seq \(ack.first + UInt64(k)) (sync \(sync)) missing or different")
                    acknowledged += 1
                }
            }
            XCTAssertGreaterThanOrEqual(records.count, acknowledged)
            let verify = try verifyLog(directory: dir)
            XCTAssertTrue(verify.isClean, "\(verify)")
            print("crash round \(round) sync \(sync) large \(large): \(acknowledged) acknowledged, \(records.count) in the log, "
                  + "\(try TestLog.segments(dir).count) segments; \(report)")
        }
    }

    private struct Ack { let thread: Int; let first: UInt64; let count: Int; let index: Int }

    private func runChildAndKill(executable: String, dir: String, sync: String, large: Bool, acksWanted: Int) throws -> [Ack] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["IngestLogTests.CrashTests/testChildWriterProcess"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.directoryKey] = dir
        environment[Self.syncKey] = sync
        environment[Self.largeKey] = large ? "1" : "0"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var acks: [Ack] = []
        var pending = ""
        let handle = pipe.fileHandleForReading
        while acks.count < acksWanted {
            let data = handle.availableData
            if data.isEmpty { break }   // the child exited early
            pending += String(decoding: data, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                let line = pending[..<newline]
                pending = String(pending[pending.index(after: newline)...])
                let parts = line.split(separator: " ")
                guard parts.count == 5, parts[0] == "ack" else { continue }
                acks.append(Ack(thread: Int(parts[1])!, first: UInt64(parts[2])!, count: Int(parts[3])!, index: Int(parts[4])!))
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // Acks already written to the pipe before the kill count too: their commits returned.
        let rest = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        for line in (pending + rest).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 5, parts[0] == "ack" else { continue }
            acks.append(Ack(thread: Int(parts[1])!, first: UInt64(parts[2])!, count: Int(parts[3])!, index: Int(parts[4])!))
        }
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the child was killed, it did not fail")
        return acks
    }
}
