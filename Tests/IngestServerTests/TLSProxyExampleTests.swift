import Foundation
import IngestLog
import IngestSystem
import IngestTestSupport
import XCTest

/// The README's nginx TLS example, run for real.
///
/// The first fenced block after the line `<!-- tested: TLSProxyExampleTests -->` in README.md is
/// wrapped in a minimal nginx main configuration (everything under a temporary folder, one
/// process, `daemon off`), its placeholders are filled in (a throwaway self-signed certificate
/// for 127.0.0.1, a free loopback port, the port of a real `connect-ingest serve`), and signed
/// and forged messages go through it over TLS with curl. What is checked is what a user relies
/// on: signed bodies reach the log byte-exact (Content-Length and chunked), a forged one is
/// refused with the server's own `401`, and the private endpoints are not exposed.
///
/// The README check runs everywhere, so a README that lost its tested block fails. The rest is
/// skipped, with the reason, where nginx, openssl or curl is not installed (Debian:
/// `apt-get install nginx-light openssl curl`). Network use: 127.0.0.1 only; every child
/// process has a deadline and is stopped by the test.
final class TLSProxyExampleTests: XCTestCase {
    static let marker = "<!-- tested: TLSProxyExampleTests -->"
    static let placeholders = ["__CERT__", "__KEY__", "__LISTEN_PORT__", "__UPSTREAM_PORT__"]

    func testReadmeNginxExampleCarriesSignedWebhooksOverTLS() throws {
        let readme = ProjectPaths.root.appendingPathComponent("README.md")
        guard let block = try Self.testedBlock(in: String(contentsOf: readme, encoding: .utf8)) else {
            XCTFail("\(readme.path) has no fenced block after the line \(Self.marker)")
            return
        }
        for placeholder in Self.placeholders {
            XCTAssertTrue(block.contains(placeholder), "the README nginx block does not use \(placeholder)")
        }
        let nginx = try Self.requireTool("nginx", package: "nginx-light")
        let openssl = try Self.requireTool("openssl", package: "openssl")
        let curl = try Self.requireTool("curl", package: "curl")

        let work = try ProjectPaths.temporaryDirectory("connect-tls-proxy")
        defer { try? FileManager.default.removeItem(at: work) }
        let certificate = work.appendingPathComponent("cert.pem")
        let privateKey = work.appendingPathComponent("key.pem")
        let keygen = try ChildRun(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                            "-keyout", privateKey.path, "-out", certificate.path], in: work)
        XCTAssertEqual(keygen.status, 0, "openssl req failed: \(keygen.stderr)")
        guard keygen.status == 0 else { return }

        let fixture = try ServerFixture()
        let proxy = try NginxProcess.start(nginx, serverBlock: block, directory: work) { listenPort in
            [("__CERT__", certificate.path), ("__KEY__", privateKey.path),
             ("__LISTEN_PORT__", "127.0.0.1:\(listenPort)"), ("__UPSTREAM_PORT__", "\(fixture.port)")]
        }
        defer { proxy.stop() }
        let client = CurlClient(curl: curl, caCertificate: certificate, directory: work,
                                base: "https://127.0.0.1:\(proxy.port)")

        let plain = ConnectMessages.event(1)
        let signedPlain = try client.post(plain, signature: fixture.signature(plain))
        XCTAssertEqual(signedPlain.status, 200, "signed message through nginx: \(signedPlain.body); nginx: \(proxy.errorLog)")

        let chunked = ConnectMessages.event(2, event: "recipient-completed")
        let signedChunked = try client.post(chunked, signature: fixture.signature(chunked), chunked: true)
        XCTAssertEqual(signedChunked.status, 200, "signed chunked message through nginx: \(signedChunked.body)")

        let forged = ConnectMessages.event(3)
        let wrongKey = Array(ConnectMessages.keyB.utf8)
        let refused = try client.post(forged, signature: fixture.signature(forged, key: wrongKey))
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.body, "signature mismatch\n", "the server's own refusal passes through nginx")

        XCTAssertEqual(try client.get("/metrics").status, 404, "the example exposes only the webhook path")
        XCTAssertEqual(try client.get("/readyz").status, 404, "the example exposes only the webhook path")

        proxy.stop()
        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        let bodies = records.map(\.body)
        XCTAssertTrue(bodies == [plain, chunked], "want exactly the two signed bodies, byte for byte; the log holds "
                      + "\(bodies.count): \(bodies.map { String(decoding: $0, as: UTF8.self) })")
        XCTAssertTrue(records.allSatisfy { $0.flags.contains(.signatureVerified) })
    }

    /// The lines of the first fenced block after the marker line, without its fences.
    static func testedBlock(in readme: String) -> String? {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let markerIndex = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == marker }),
              let open = lines[(markerIndex + 1)...].firstIndex(where: { $0.hasPrefix("```") }),
              let close = lines[(open + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "```" })
        else { return nil }
        return lines[(open + 1)..<close].joined(separator: "\n")
    }

    /// The tool's path (PATH, then /usr/sbin and /sbin, where Debian puts nginx), or a skip.
    static func requireTool(_ name: String, package: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"] {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw XCTSkip("\(name) not installed: the README's nginx TLS example is not exercised here (Debian: apt-get install \(package))")
    }
}

/// A child process run to completion with a deadline; output goes to files (no pipe can fill).
private struct ChildRun {
    let status: Int32
    let stdout: String
    let stderr: String

    init(_ executable: URL, _ arguments: [String], in directory: URL, timeout: Double = 30) throws {
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("run-\(id).out")
        let errURL = directory.appendingPathComponent("run-\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.lowercased().hasSuffix("_proxy") }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        status = process.terminationReason == .exit ? process.terminationStatus : -1
        stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        stderr = ((try? String(contentsOf: errURL, encoding: .utf8)) ?? "") + (status == -1 ? " (killed after \(timeout) s)" : "")
    }
}

/// nginx in the foreground as one process (`master_process off`), every path in `directory`.
private final class NginxProcess {
    let process = Process()
    let port: UInt16
    let directory: URL

    private init(port: UInt16, directory: URL) {
        self.port = port
        self.directory = directory
    }

    /// What nginx logged so far (for failure messages).
    var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("nginx-error.log"), encoding: .utf8)) ?? ""
    }

    /// Fills `serverBlock`'s placeholders with `substitutions(listenPort)` for a free loopback
    /// port, checks the configuration with `nginx -t`, starts nginx and waits until it accepts.
    /// Tries another port if the chosen one was taken in between.
    static func start(_ nginx: URL, serverBlock: String, directory: URL,
                      substitutions: (UInt16) -> [(String, String)]) throws -> NginxProcess {
        let version = try ChildRun(nginx, ["-V"], in: directory)
        for attempt in 1...3 {
            let port = try freeLoopbackPort()
            var block = serverBlock
            for (placeholder, value) in substitutions(port) {
                block = block.replacingOccurrences(of: placeholder, with: value)
            }
            if let left = block.range(of: "__[A-Z_]+__", options: .regularExpression) {
                throw ServerProcessError(message: "README nginx block has an unknown placeholder \(block[left])")
            }
            let conf = directory.appendingPathComponent("nginx.conf")
            try mainConfiguration(block, directory: directory, modules: version.stderr).write(to: conf, atomically: true, encoding: .utf8)
            let check = try ChildRun(nginx, ["-t", "-p", directory.path + "/", "-c", conf.path], in: directory)
            guard check.status == 0 else {
                throw ServerProcessError(message: "nginx -t rejects the README block:\n\(check.stderr)\n--- nginx.conf ---\n\(try String(contentsOf: conf, encoding: .utf8))")
            }
            let proxy = NginxProcess(port: port, directory: directory)
            if try proxy.run(nginx, conf: conf) { return proxy }
            let log = proxy.errorLog
            proxy.stop()
            if !log.contains("Address already in use") || attempt == 3 {
                throw ServerProcessError(message: "nginx did not start accepting on 127.0.0.1:\(port):\n\(log)")
            }
        }
        throw ServerProcessError(message: "unreachable")
    }

    /// Starts nginx; true once 127.0.0.1:port accepts, false if nginx exits or 15 s pass.
    private func run(_ nginx: URL, conf: URL) throws -> Bool {
        let output = directory.appendingPathComponent("nginx-stderr.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.executableURL = nginx
        process.arguments = ["-p", directory.path + "/", "-c", conf.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline {
            if (try? LoopbackClient(port: port, receiveTimeout: 2)) != nil { return true }
            usleep(20_000)
        }
        return false
    }

    /// SIGTERM (fast shutdown), then SIGKILL after 10 s. Idempotent.
    func stop() {
        guard process.processIdentifier != 0 else { return }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The README block inside a main configuration that keeps every file in `directory`.
    /// Temporary-file paths are set for each module this nginx has (Debian builds differ).
    static func mainConfiguration(_ block: String, directory: URL, modules: String) -> String {
        let d = directory.path
        var temporaryPaths = ["client_body_temp_path \(d)/client_body;", "proxy_temp_path \(d)/proxy;"]
        for module in ["fastcgi", "uwsgi", "scgi"] where !modules.contains("--without-http_\(module)_module") {
            temporaryPaths.append("\(module)_temp_path \(d)/\(module);")
        }
        return """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(d)/nginx.pid;
            error_log \(d)/nginx-error.log notice;
            events { worker_connections 64; }
            http {
                access_log \(d)/nginx-access.log;
                \(temporaryPaths.joined(separator: "\n    "))

            \(block)
            }

            """
    }

    /// A port nothing listens on right now (bound to 127.0.0.1:0, read back, closed).
    static func freeLoopbackPort() throws -> UInt16 {
        guard let any = SocketAddress(host: "127.0.0.1", port: 0) else { throw ServerProcessError(message: "bad address") }
        let socket = try Socket.listen(on: any, reusePort: false)
        defer { socket.close() }
        return try Socket.localAddress(socket).port
    }
}

/// curl over TLS to the proxy, verifying the test certificate (no `-k`), ignoring proxy settings.
private struct CurlClient {
    let curl: URL
    let caCertificate: URL
    let directory: URL
    let base: String

    /// POSTs `body` byte for byte (`--data-binary @file`) to the webhook path.
    func post(_ body: [UInt8], signature: String, chunked: Bool = false) throws -> (status: Int, body: String) {
        let file = directory.appendingPathComponent("body-\(UUID().uuidString).json")
        try Data(body).write(to: file)
        var headers = ["-H", "Content-Type: application/json", "-H", "X-DocuSign-Signature-1: \(signature)",
                       "-H", "X-Authorization-Digest: HMACSHA256"]
        if chunked { headers += ["-H", "Transfer-Encoding: chunked"] }
        return try request(headers + ["--data-binary", "@\(file.path)", base + "/webhooks/docusign"])
    }

    func get(_ path: String) throws -> (status: Int, body: String) {
        try request([base + path])
    }

    private func request(_ arguments: [String]) throws -> (status: Int, body: String) {
        let response = directory.appendingPathComponent("response-\(UUID().uuidString)")
        let run = try ChildRun(curl, ["--silent", "--show-error", "--noproxy", "*", "--connect-timeout", "5",
                                      "--max-time", "20", "--cacert", caCertificate.path,
                                      "-o", response.path, "-w", "%{http_code}"] + arguments, in: directory)
        guard run.status == 0, let status = Int(run.stdout) else {
            throw ServerProcessError(message: "curl failed (\(run.status)): \(run.stderr)")
        }
        return (status, (try? String(contentsOf: response, encoding: .utf8)) ?? "")
    }
}
