import Foundation
import IngestTestSupport
import XCTest

/// Flags, their environment variables, and `--check-config`, through the real binary.
final class ConfigurationTests: XCTestCase {
    /// (flag, a bad value) for every flag that takes a value; a missing file is bad for file flags.
    let badValues: [String: String] = [
        "host": "not-an-address", "port": "70000", "workers": "0", "path": "no-slash",
        "segment-size": "12", "sync": "sometimes", "retain-bytes": "lots", "retain-age": "-5s",
        "hmac-key-file": "/nonexistent/keys.txt", "basic-auth-file": "/nonexistent/basic.txt",
        "max-body": "huge", "max-header-bytes": "10", "stream-threshold": "1", "request-timeout": "soon",
        "idle-timeout": "0", "max-connections": "-1", "min-free-bytes": "x", "log-format": "xml", "log-level": "loud",
        "log-dir": "", "commit-stall-timeout": "never", "max-unsynced-bytes": "1",
        // Without --oauth-jwks, any OAuth claim flag is a mistake; the JWKS file does not exist.
        "oauth-jwks": "/nonexistent/jwks.json", "oauth-issuer": "https://login.example/", "oauth-audience": "api://x",
        "oauth-leeway": "soon", "pid-file": "/nonexistent/dir/serve.pid",
        // Native TLS (without --tls-cert/--tls-key each of these is refused, naming itself).
        "tls-cert": "/nonexistent/cert.pem", "tls-key": "/nonexistent/key.pem", "tls-client-ca": "/nonexistent/ca.pem",
        "tls-client-verify": "sometimes", "tls-client-subject": "CN=x", "tls-client-spki-sha256": "abc",
        "tls-handshake-timeout": "soon", "tls-ktls": "maybe", "tls-ticket-key-rotation": "1ms",
        "plain-port": "70000", "plain-host": "nowhere",
    ]

    func helpText() throws -> String {
        let (status, out, _) = try ServerProcess.runTool(["serve", "--help"])
        XCTAssertEqual(status, 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// (flag, env var, takes a value) parsed from `serve --help`.
    func flagsFromHelp() throws -> [(String, String, Bool)] {
        try helpText().split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = parts.first, first.hasPrefix("--"), let env = parts.last, env.hasPrefix("[CONNECT_") else { return nil }
            let takesValue = parts.count > 1 && parts[1].uppercased() == parts[1] && !parts[1].hasPrefix("(")
            return (String(first.dropFirst(2)), String(env.dropFirst().dropLast()), takesValue)
        }
    }

    func testHelpListsEveryFlagWithDefaultAndEnvironmentVariable() throws {
        let flags = try flagsFromHelp()
        let names = Set(flags.map(\.0))
        for expected in ["host", "port", "workers", "path", "log-dir", "sync", "hmac-key-file", "max-body",
                         "request-timeout", "idle-timeout", "max-connections", "check-config", "log-format", "min-free-bytes"] {
            XCTAssertTrue(names.contains(expected), "--\(expected) missing from help")
        }
        for (flag, env, _) in flags {
            XCTAssertEqual(env, "CONNECT_" + flag.uppercased().replacingOccurrences(of: "-", with: "_"))
        }
        XCTAssertTrue(try helpText().contains("(default: 8080)"))
    }

    func testEachBadValueIsCaughtByCheckConfigAsFlagAndAsEnvironmentVariable() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("k.txt")
        try (ConnectMessages.keyA + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        let base = ["serve", "--check-config", "--log-dir", directory.path, "--hmac-key-file", keyFile.path]

        let (okStatus, okOut, okErr) = try ServerProcess.runTool(base)
        XCTAssertEqual(okStatus, 0, okErr)
        XCTAssertEqual(String(decoding: okOut, as: UTF8.self), "configuration ok\n")

        for (flag, env, takesValue) in try flagsFromHelp() where takesValue {
            guard let bad = badValues[flag] else { XCTFail("no bad value listed for --\(flag)"); continue }
            // As a flag: exit 2 with one line naming the flag.
            let args = without(flag, base) + ["--\(flag)", bad]
            let (status, _, stderr) = try ServerProcess.runTool(args)
            XCTAssertEqual(status, 2, "--\(flag) \(bad)")
            XCTAssertTrue(stderr.contains("--\(flag)"), "error for --\(flag) names it: \(stderr)")
            // As an environment variable (no flag given): the error names the variable.
            if flag == "hmac-key-file" || flag == "log-dir" { continue }   // given as flags in `base`
            let (envStatus, _, envErr) = try runWithEnvironment(base, [env: bad])
            XCTAssertEqual(envStatus, 2, "\(env)=\(bad)")
            XCTAssertTrue(envErr.contains(env), "error for \(env) names it: \(envErr)")
            // A flag wins over the environment.
            if let good = goodValue(flag) {
                let (winStatus, _, winErr) = try runWithEnvironment(base + ["--\(flag)", good], [env: bad])
                XCTAssertEqual(winStatus, 0, "--\(flag) \(good) should win over \(env)=\(bad): \(winErr)")
            }
        }
    }

    func testEnvironmentConfiguresARealServer() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-envserve")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try ServerProcess(arguments: [], logDirectory: directory.appendingPathComponent("flag-log"),
                                       environment: ["CONNECT_HMAC_KEYS": ConnectMessages.keyA, "CONNECT_WORKERS": "1",
                                                     "CONNECT_PATH": "/hooks/ds", "CONNECT_LOG_FORMAT": "json"])
        let client = try LoopbackClient(port: server.port)
        try client.send("POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 404, "CONNECT_PATH moved the webhook")
        try client.send("POST /hooks/ds?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 401, "the moved webhook path is routed (unsigned → 401)")
        try client.send("POST /hooks/dsx HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 404, "a longer path is not the webhook")
        XCTAssertEqual(server.stop(), 0)
        XCTAssertTrue(server.stderr.contains("\"event\":\"listening\""), "CONNECT_LOG_FORMAT=json: \(server.stderr)")
        XCTAssertTrue(server.stderr.contains("\"workers\":\"1\""))
    }

    /// `arguments` without `--flag VALUE`.
    private func without(_ flag: String, _ arguments: [String]) -> [String] {
        var out: [String] = []
        var skip = false
        for argument in arguments {
            if skip { skip = false; continue }
            if argument == "--\(flag)" { skip = true; continue }
            out.append(argument)
        }
        return out
    }

    private func goodValue(_ flag: String) -> String? {
        ["host": "127.0.0.1", "port": "0", "workers": "1", "path": "/x", "segment-size": "1MiB", "sync": "batch",
         "retain-bytes": "1GiB", "retain-age": "7d", "max-body": "1MiB", "max-header-bytes": "8KiB",
         "stream-threshold": "64KiB", "request-timeout": "5s", "idle-timeout": "5s", "max-connections": "10",
         "min-free-bytes": "0", "log-format": "json", "log-level": "warn",
         "commit-stall-timeout": "1s", "max-unsynced-bytes": "8MiB"][flag]
    }

    private func runWithEnvironment(_ arguments: [String], _ environment: [String: String]) throws -> (Int32, Data, String) {
        let process = Process()
        process.executableURL = ProjectPaths.connectIngest
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONNECT_") }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self))
    }
}
