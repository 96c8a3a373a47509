import Foundation
import IngestTLS
import IngestTestSupport
import XCTest

/// A real `connect-ingest serve` with native TLS on 127.0.0.1, with certificates made at test
/// time, plus the clients the tests use on it (the project's own libssl client, curl).
final class NativeTLSServer: @unchecked Sendable {
    let certificates: TestCertificates
    let fixture: ServerFixture
    /// The project's own client: verifies the server against the test CA, resumes sessions.
    let client: TLSClientContext

    /// Starts the server with `--tls-cert`/`--tls-key` (the given files, or the CA-signed server
    /// certificate) and `arguments`.
    init(_ certificates: TestCertificates, certificate: URL? = nil, key: URL? = nil, arguments: [String] = []) throws {
        self.certificates = certificates
        fixture = try ServerFixture(arguments: ["--tls-cert", (certificate ?? certificates.serverCertificate).path,
                                                "--tls-key", (key ?? certificates.serverKey).path] + arguments)
        client = try TLSClientContext(caFile: certificates.caCertificate.path)
    }

    var port: UInt16 { fixture.port }

    func connect(_ context: TLSClientContext? = nil) throws -> TLSTestClient {
        try TLSTestClient(port: port, context: context ?? client)
    }

    /// `/metrics` over TLS, as name{labels} -> value.
    func metrics() throws -> [String: Double] {
        let connection = try connect()
        let response = try connection.exchange(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(response.status, 200)
        return Self.parseMetrics(response.text)
    }

    static func parseMetrics(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    /// Polls `condition` on the server's standard error for up to 10 s.
    func waitForStderr(_ condition: (String) -> Bool) -> Bool {
        for _ in 0..<1000 {
            if condition(fixture.server.stderr) { return true }
            usleep(10_000)
        }
        return false
    }
}

/// Shared test certificates (made once per test process with the openssl command).
enum ServerTestCertificates {
    nonisolated(unsafe) private static var made: TestCertificates?
    private static let lock = NSLock()

    static func get() throws -> TestCertificates {
        lock.lock(); defer { lock.unlock() }
        if let made { return made }
        do {
            let certificates = try TestCertificates()
            made = certificates
            return certificates
        } catch let error as TestCertificates.Unavailable {
            throw XCTSkip(error.description)
        }
    }
}

/// curl against the native TLS listener (no proxy settings, a deadline, output to files).
struct Curl {
    let curl: URL
    let directory: URL

    init(directory: URL) throws {
        guard let curl = TestCertificates.findTool("curl") else { throw XCTSkip("curl is not installed (Debian: apt-get install curl)") }
        self.curl = curl
        self.directory = directory
    }

    /// Runs curl with `arguments` plus silent/timeout flags; returns (exit status, HTTP status, body).
    func run(_ arguments: [String]) throws -> (exit: Int32, status: Int, body: String, stderr: String) {
        let id = UUID().uuidString
        let bodyFile = directory.appendingPathComponent("curl-\(id).body")
        let outFile = directory.appendingPathComponent("curl-\(id).out")
        let errFile = directory.appendingPathComponent("curl-\(id).err")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = curl
        process.arguments = ["--silent", "--show-error", "--noproxy", "*", "--connect-timeout", "5", "--max-time", "20",
                             "-o", bodyFile.path, "-w", "%{http_code}"] + arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let status = Int((try? String(contentsOf: outFile, encoding: .utf8)) ?? "") ?? 0
        return (process.terminationStatus, status, (try? String(contentsOf: bodyFile, encoding: .utf8)) ?? "",
                (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }
}
