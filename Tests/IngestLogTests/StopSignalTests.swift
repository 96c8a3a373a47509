import Foundation
import IngestTestSupport
import XCTest

/// `read --follow` (and `ship`, which shares the code) stop cleanly on a SIGTERM sent at any
/// moment after they took charge of it, including the first instant.
final class StopSignalTests: XCTestCase {
    /// Whether the process `pid` blocks, ignores or catches `signal` (its main thread's view in
    /// /proc/PID/status): the moment it has taken charge of the signal. Nil once it is gone.
    static func handles(_ signal: Int32, pid: Int32) -> Bool? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let bit = UInt64(1) << UInt64(signal - 1)
        var mask: UInt64 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("SigBlk:") || line.hasPrefix("SigIgn:") || line.hasPrefix("SigCgt:") {
            mask |= UInt64(line.split(separator: "\t").last.map(String.init) ?? "", radix: 16) ?? 0
        }
        return mask & bit != 0
    }

    /// Forty times: start `read --follow` on an empty log, send SIGTERM as soon as /proc shows
    /// the process blocking, ignoring or catching it, and expect exit status 0 every time. When
    /// SIGTERM was first ignored and a Dispatch signal source was set up asynchronously, a
    /// SIGTERM in between was discarded and the command never stopped (here: several of forty).
    func testSigtermRightAfterStartUpStopsEveryTime() throws {
        let binary = ProjectPaths.connectIngest
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("\(binary.path) not built") }
        let folder = try ProjectPaths.temporaryDirectory("stop-signal")
        defer { try? FileManager.default.removeItem(at: folder) }
        var outcomes: [String] = []
        for _ in 0..<40 {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["read", "--follow", "--log-dir", folder.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let pid = process.processIdentifier
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, Self.handles(SIGTERM, pid: pid) == false {}
            kill(pid, SIGTERM)
            let exitDeadline = Date().addingTimeInterval(20)
            while process.isRunning && Date() < exitDeadline { usleep(2_000) }
            if process.isRunning {
                kill(pid, SIGKILL)
                process.waitUntilExit()
                outcomes.append("still running 20 s after SIGTERM")
            } else {
                process.waitUntilExit()
                outcomes.append(process.terminationReason == .exit ? "exit \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)")
            }
        }
        XCTAssertEqual(outcomes.filter { $0 != "exit 0" }, [], "\(outcomes)")
    }
}
