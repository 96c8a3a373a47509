import Foundation

/// The real `connect-ingest serve` binary running as a child process on 127.0.0.1.
///
/// Tests talk to it over loopback sockets and stop it with a signal, exactly as users do.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let logDirectory: URL
    public private(set) var port: UInt16 = 0
    private let stderrOutput = OutputCollector()
    private let stdoutPipe = Pipe()
    public private(set) var stdoutLines: [String] = []

    /// Starts `serve --host 127.0.0.1 --port 0 --log-dir DIR` plus `arguments`, and waits for
    /// its `listening on HOST:PORT` line (failing after `timeout` seconds).
    ///
    /// Unless `arguments` sets `--dedup-capacity`, the server gets a small duplicate index
    /// (`--dedup-capacity 16384`, 768 KiB): the default million-message index is prefaulted writable,
    /// so every start and stop writes its 46 MiB, about 0.2 s per server on the test machine.
    public init(arguments: [String], logDirectory: URL, environment: [String: String] = [:], timeout: Double = 30) throws {
        self.logDirectory = logDirectory
        process.executableURL = ProjectPaths.connectIngest
        let smallIndex = arguments.contains("--dedup-capacity") ? [] : ["--dedup-capacity", "16384"]
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--log-dir", logDirectory.path] + smallIndex + arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONNECT_") }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = stdoutPipe
        process.standardError = stderrOutput.pipe
        try process.run()
        let line = try ServerProcess.readLine(stdoutPipe.fileHandleForReading, timeout: timeout)
        guard let line, line.hasPrefix("listening on "), let colon = line.lastIndex(of: ":"),
              let port = UInt16(line[line.index(after: colon)...]) else {
            process.terminate()
            process.waitUntilExit()
            throw ServerProcessError(message: "no 'listening on' line; got \(line ?? "nothing"); stderr: \(stderr)")
        }
        stdoutLines.append(line)
        self.port = port
    }

    /// The next line the server writes to standard output after `listening on` (for example
    /// `plain operations listener on HOST:PORT`), or nil after `timeout` seconds.
    public func readStdoutLine(timeout: Double = 10) throws -> String? {
        let line = try ServerProcess.readLine(stdoutPipe.fileHandleForReading, timeout: timeout)
        if let line { stdoutLines.append(line) }
        return line
    }

    /// What the server wrote to standard error so far.
    public var stderr: String { stderrOutput.text }

    /// Sends `signal` and waits (up to `timeout` seconds) for the exit status; nil on timeout
    /// (the process is then killed).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 30) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        awaitEndOfStderr()
        return process.terminationStatus
    }

    /// `kill -9`: no chance to flush or clean up.
    public func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        awaitEndOfStderr()
    }

    /// After the exit: every line the server wrote last (`event=stopped`, a final summary) is
    /// in `stderr`, however late the reading thread gets to it on a loaded machine.
    private func awaitEndOfStderr() { stderrOutput.awaitEverything() }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    /// Reads one line from `handle` with a deadline (the child may die without printing).
    static func readLine(_ handle: FileHandle, timeout: Double) throws -> String? {
        let fd = handle.fileDescriptor
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready <= 0 { continue }
            var byte: UInt8 = 0
            let n = read(fd, &byte, 1)
            if n <= 0 { break }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// Runs `connect-ingest` with `arguments` to completion; returns (status, stdout, stderr).
    public static func runTool(_ arguments: [String], stdin: Data? = nil, timeout: Double = 60) throws -> (Int32, Data, String) {
        let process = Process()
        process.executableURL = ProjectPaths.connectIngest
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONNECT_") }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        final class Collected: @unchecked Sendable { var out = Data(); var err = Data() }
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { collected.out = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { collected.err = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = group.wait(timeout: .now() + 5)
        }
        process.waitUntilExit()
        return (process.terminationStatus, collected.out, String(decoding: collected.err, as: UTF8.self))
    }
}

public struct ServerProcessError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
