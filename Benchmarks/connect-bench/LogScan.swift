import BenchSupport
import Foundation

/// Reads a spawned server's log back through `connect-ingest read --log-dir DIR --format jsonl`
/// (the reader users run, so the check also covers it) and feeds each body's digest to the
/// exactly-once check. Streams: never holds more than one record's line in memory.
enum LogScan {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func check(binary: String, logDirectory: URL, scratch: URL, signer: RequestSigner,
                      into check: inout ExactlyOnceCheck, duplicates: inout DuplicateFlagCheck) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["read", "--log-dir", logDirectory.path, "--format", "jsonl"]
        let stdout = Pipe()
        let stderrFile = scratch.appendingPathComponent("read.stderr")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = stdout.fileHandleForReading
        var buffer: [UInt8] = []
        var scanFrom = 0
        var record = 0
        func consumeLine(_ line: ArraySlice<UInt8>) {
            guard !line.isEmpty else { return }
            record += 1
            do {
                let body = try LogLineDecoder.body(fromLine: line)
                let digest = signer.digest(of: body)
                check.observe(digest, record: record)
                duplicates.observe(digest, copy: LoggedCopy.parse(line: line))
            } catch {
                check.observeUnreadable(record: record, reason: "\(error)")
            }
        }
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer.append(contentsOf: data)
            var lineStart = 0
            while let newline = buffer[scanFrom...].firstIndex(of: 10) {
                consumeLine(buffer[lineStart..<newline])
                lineStart = newline + 1
                scanFrom = lineStart
            }
            if lineStart > 0 {
                buffer.removeSubrange(..<lineStart)
                scanFrom -= lineStart
            }
            scanFrom = buffer.count
        }
        consumeLine(buffer[...])
        process.waitUntilExit()
        if process.terminationReason != .exit || process.terminationStatus != 0 {
            let text = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw Failure(description: "connect-ingest read exited with status \(process.terminationStatus): "
                          + text.split(separator: "\n").suffix(5).joined(separator: " / "))
        }
    }
}
