import Foundation
import IngestHMAC
import IngestTestSupport
import XCTest

/// "A 200 means the message is in the log", checked the hard way: flood a real server over
/// many connections, `kill -9` it mid-flood, restart it on the same log, and require every
/// acknowledged message to be there exactly once and byte-exact, and nothing unsent trusted.
final class CrashRecoveryTests: XCTestCase {
    func testKillNineMidFloodSyncNone() throws {
        try floodCrashAndCheck(sync: "none", rounds: 1)
    }

    func testKillNineMidFloodSyncBatchRepeated() throws {
        try floodCrashAndCheck(sync: "batch", rounds: 3)
    }

    private func floodCrashAndCheck(sync: String, rounds: Int) throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-crash")
        defer { try? FileManager.default.removeItem(at: directory) }
        let logDirectory = directory.appendingPathComponent("log")
        let keyFile = directory.appendingPathComponent("keys.txt")
        try (ConnectMessages.keyA + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        let key = Array(ConnectMessages.keyA.utf8)
        let arguments = ["--workers", "2", "--sync", sync, "--hmac-key-file", keyFile.path, "--segment-size", "1MiB"]

        let tally = Tally()
        for round in 0..<rounds {
            let server = try ServerProcess(arguments: arguments, logDirectory: logDirectory)
            let stopFlag = Atomicish()
            let group = DispatchGroup()
            for c in 0..<8 {
                group.enter()
                DispatchQueue.global().async {
                    defer { group.leave() }
                    guard let client = try? LoopbackClient(port: server.port, receiveTimeout: 5) else { return }
                    var n = 0
                    while !stopFlag.isSet && n < 20_000 {
                        // Mixed sizes so records straddle segment boundaries.
                        var body = ConnectMessages.event(round * 10_000_000 + c * 100_000 + n)
                        if n % 7 == 0 { body += Array(repeating: UInt8(ascii: " "), count: 3000) }
                        let signature = body.withUnsafeBytes { HMACSHA256.signatureHeaderValue(key: key, message: $0) }
                        let request = ConnectMessages.request(body: body, signatures: [String(decoding: signature, as: UTF8.self)])
                        tally.sent(body)
                        do {
                            try client.send(request)
                            let response = try client.readResponse()
                            if response.status == 200 { tally.acknowledged(body) }
                        } catch {
                            return
                        }
                        n += 1
                    }
                }
            }
            Thread.sleep(forTimeInterval: 1.0)
            server.crash()
            stopFlag.set()
            XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        }

        // Restart (recovery runs at open), then stop cleanly and read what is trusted.
        let restarted = try ServerProcess(arguments: arguments, logDirectory: logDirectory)
        XCTAssertEqual(restarted.stop(), 0)
        let (status, _, verifyOutput) = try ServerProcess.runTool(["verify", "--log-dir", logDirectory.path])
        XCTAssertEqual(status, 0, "verify after recovery: \(verifyOutput)")

        let reader = try IngestLogReaderShim(directory: logDirectory.path)
        var counts: [[UInt8]: Int] = [:]
        for body in try reader.allBodies() { counts[body, default: 0] += 1 }
        let (sent, acknowledged) = tally.snapshot()
        XCTAssertGreaterThan(acknowledged.count, 100, "the flood was real")
        var missing = 0, duplicated = 0
        for body in acknowledged {
            switch counts[body] ?? 0 {
            case 0: missing += 1
            case 1: break
            default: duplicated += 1
            }
        }
        XCTAssertEqual(missing, 0, "acknowledged messages missing after kill -9 (sync \(sync))")
        XCTAssertEqual(duplicated, 0)
        let strangers = counts.keys.filter { !sent.contains($0) }
        XCTAssertEqual(strangers.count, 0, "records that were never sent are trusted")
    }
}

/// What the flood threads sent and which got a 200.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var sentBodies = Set<[UInt8]>()
    private var acknowledgedBodies: [[UInt8]] = []
    func sent(_ body: [UInt8]) { lock.lock(); sentBodies.insert(body); lock.unlock() }
    func acknowledged(_ body: [UInt8]) { lock.lock(); acknowledgedBodies.append(body); lock.unlock() }
    func snapshot() -> (Set<[UInt8]>, [[UInt8]]) { lock.lock(); defer { lock.unlock() }; return (sentBodies, acknowledgedBodies) }
}

/// A set-once flag shared by the flood threads.
final class Atomicish: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
