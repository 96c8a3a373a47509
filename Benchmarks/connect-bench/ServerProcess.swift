import BenchSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A `connect-ingest serve` child started by `--spawn`: its temporary folder (log and key file),
/// the port it reported, and how it ended.
///
/// The server runs on 127.0.0.1 with `--port 0`; its standard output is read for the exact line
/// `listening on HOST:PORT` and then drained (so it can never block on a full pipe); its standard
/// error goes to a file in the temporary folder, shown when something goes wrong.
/// Used from the main thread only (the drain thread touches only `ServerOutput`).
final class ServerProcess {
    let binary: String
    let arguments: [String]
    let folder: URL
    let logDirectory: URL
    let process = Process()
    private let output = ServerOutput()
    private let stderrFile: URL
    private(set) var address: LoopbackAddress = .ipv4(port: 0)

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The `connect-ingest` next to this executable (same build folder).
    static func defaultBinary() -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent("connect-ingest").path
    }

    /// `keyFileText` replaces the key file's contents (default: the key alone); `oauth` gives the
    /// server a JWKS and the issuer and audience to check.
    init(binary: String, key: String, workers: Int?, sync: String?, extra: [String], keyFileText: String? = nil,
         oauth: (jwks: String, issuer: String, audience: String)? = nil) throws {
        self.binary = binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failure(description: "--spawn: no executable connect-ingest at \(binary) (build it, or give --server-binary)")
        }
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("connect-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        logDirectory = folder.appendingPathComponent("log")
        stderrFile = folder.appendingPathComponent("server.stderr")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        let keyFile = folder.appendingPathComponent("hmac.key")
        _ = FileManager.default.createFile(atPath: keyFile.path, contents: Data((keyFileText ?? key + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        var args = ["serve", "--host", "127.0.0.1", "--port", "0", "--log-dir", logDirectory.path,
                    "--hmac-key-file", keyFile.path]
        if let workers { args += ["--workers", String(workers)] }
        if let sync { args += ["--sync", sync] }
        if let oauth {
            let jwksFile = folder.appendingPathComponent("jwks.json")
            _ = FileManager.default.createFile(atPath: jwksFile.path, contents: Data(oauth.jwks.utf8))
            args += ["--oauth-jwks", jwksFile.path, "--oauth-issuer", oauth.issuer, "--oauth-audience", oauth.audience]
        }
        args += extra
        arguments = args
    }

    /// Starts the server and waits (up to `timeout` seconds) for its `listening on` line.
    func start(timeout: Double = 20) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = stdout.fileHandleForReading
        let output = self.output
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { output.finish(); return }
                output.append(data)
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = output.listeningLine() {
                guard let address = Self.parseListening(line) else {
                    throw Failure(description: "--spawn: could not read the port from '\(line)'")
                }
                self.address = address
                return
            }
            if output.isFinished || !process.isRunning {
                _ = stop(timeout: 2)
                throw Failure(description: "--spawn: connect-ingest ended before listening\n" + diagnostics())
            }
            usleep(5_000)
        }
        _ = stop(timeout: 2)
        throw Failure(description: "--spawn: no 'listening on HOST:PORT' line within \(Int(timeout)) s\n" + diagnostics())
    }

    /// `listening on 127.0.0.1:PORT` or `listening on [::1]:PORT` -> where to connect.
    static func parseListening(_ line: String) -> LoopbackAddress? {
        guard line.hasPrefix("listening on "), let colon = line.lastIndex(of: ":"),
              let port = UInt16(line[line.index(after: colon)...]), port > 0 else { return nil }
        let host = line[line.index(line.startIndex, offsetBy: "listening on ".count)..<colon]
        return host.contains(":") ? .ipv6(port: port) : .ipv4(port: port)
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGTERM, then waits up to `timeout` seconds; SIGKILL after that. Returns the exit status
    /// (nil if it had to be killed or ended by a signal).
    func stop(timeout: Double) -> Int32? {
        guard process.isRunning else { return exitStatus() }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return exitStatus()
    }

    private func exitStatus() -> Int32? {
        process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// The end of the server's standard error and output, for error messages.
    func diagnostics() -> String {
        let stderrText = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        let tail = stderrText.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
        return "server stderr (last lines):\n\(tail)\nserver stdout (last lines):\n\(output.tail().joined(separator: "\n"))"
    }

    func removeFolder() {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The server's standard output lines, shared by the drain thread and the main thread.
final class ServerOutput: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var lines: [String] = []
        var listening: String?
        var finished = false
    }
    private let state = Mutex(State())

    func append(_ data: Data) {
        state.withLock { s in
            s.pending.append(contentsOf: data)
            while let newline = s.pending.firstIndex(of: 10) {
                var line = String(decoding: s.pending[..<newline], as: UTF8.self)
                if line.hasSuffix("\r") { line.removeLast() }
                s.pending.removeSubrange(...newline)
                if s.listening == nil && line.hasPrefix("listening on ") { s.listening = line }
                s.lines.append(line)
                if s.lines.count > 200 { s.lines.removeFirst(s.lines.count - 100) }
            }
        }
    }

    func finish() { state.withLock { $0.finished = true } }
    var isFinished: Bool { state.withLock { $0.finished } }
    func listeningLine() -> String? { state.withLock { $0.listening } }
    func tail() -> [String] { state.withLock { Array($0.lines.suffix(20)) } }
}
