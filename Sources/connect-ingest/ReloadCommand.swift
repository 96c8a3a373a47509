import Foundation

/// `connect-ingest reload --pid-file PATH`: asks the `serve` whose pid is in PATH to re-read its
/// credentials (SIGHUP). The outcome is in the server's log (`event=reloaded` or
/// `event=reload_failed`) and in /metrics (`connect_credentials_generation`).
func runReload(arguments: [String]) -> Int32 {
    let usage = "usage: connect-ingest reload --pid-file PATH\n\nSends SIGHUP to the connect-ingest serve whose process id is in PATH (written by serve --pid-file);\nthe server re-reads its HMAC key files, Basic credentials and JWKS, or keeps the old ones and logs why.\n"
    var pidFile: String?
    var index = 0
    while index < arguments.count {
        switch arguments[index] {
        case "--pid-file":
            index += 1
            guard index < arguments.count else { break }
            pidFile = arguments[index]
        case let flag where flag.hasPrefix("--pid-file="):
            pidFile = String(flag.dropFirst("--pid-file=".count))
        case "--help", "-h":
            print(usage, terminator: "")
            return 0
        default:
            FileHandle.standardError.write(Data("connect-ingest reload: unexpected argument \(arguments[index])\n\(usage)".utf8))
            return 2
        }
        index += 1
    }
    guard let pidFile else {
        FileHandle.standardError.write(Data("connect-ingest reload: --pid-file PATH is required\n\(usage)".utf8))
        return 2
    }
    guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
          let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else {
        FileHandle.standardError.write(Data("connect-ingest reload: \(pidFile) does not hold a process id (is serve running with --pid-file?)\n".utf8))
        return 1
    }
    // Make sure the pid is a connect-ingest serve, not a process that reused the number.
    let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
    let words = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    guard words.count >= 2, words[0].hasSuffix("connect-ingest"), words[1] == "serve" else {
        FileHandle.standardError.write(Data("connect-ingest reload: process \(pid) from \(pidFile) is not a running connect-ingest serve\n".utf8))
        return 1
    }
    guard kill(pid, SIGHUP) == 0 else {
        FileHandle.standardError.write(Data("connect-ingest reload: cannot signal process \(pid): \(String(cString: strerror(errno)))\n".utf8))
        return 1
    }
    print("sent SIGHUP to connect-ingest serve (pid \(pid)); see its log for event=reloaded or event=reload_failed")
    return 0
}
