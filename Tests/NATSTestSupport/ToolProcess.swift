import Foundation
import IngestTestSupport

/// A `connect-ingest` subcommand (e.g. `ship`) running as a child process, its standard error
/// collected line by line. Stopped with a signal exactly as an operator would; killed at deinit.
public final class ToolProcess: @unchecked Sendable {
    public let process = Process()
    private let errorOutput = OutputCollector()

    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = ProjectPaths.connectIngest
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONNECT_") }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorOutput.pipe
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    public var standardError: String { errorOutput.text }

    /// The lines of standard error holding `event=NAME`.
    public func lines(event: String) -> [String] {
        standardError.split(separator: "\n").map(String.init).filter { $0.contains("event=\(event) ") || $0.hasSuffix("event=\(event)") }
    }

    /// Waits until a standard-error line contains `text` (true) or `timeout` passes or the
    /// process exits without it (false).
    public func waitForOutput(_ text: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if standardError.contains(text) { return true }
            if !process.isRunning { awaitEndOfOutput(); return standardError.contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// Sends `signal`, waits up to `timeout` s for the exit; returns the status, or nil after a
    /// SIGKILL on timeout.
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
        awaitEndOfOutput()
        return process.terminationStatus
    }

    /// Waits for the process to exit by itself; its status, or nil on timeout.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        awaitEndOfOutput()
        return process.terminationStatus
    }

    /// After the exit: every line the process wrote last is in `standardError`.
    private func awaitEndOfOutput() { errorOutput.awaitEverything() }
}
