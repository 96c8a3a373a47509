import Foundation
import IngestTestSupport
import XCTest

/// `serve --check-config` with native TLS flags: the files are loaded, and each inconsistent
/// combination is one line naming the flag, exit 2.
final class NativeTLSConfigurationTests: XCTestCase {
    func testCheckConfigLoadsTheFilesAndRefusesInconsistentFlags() throws {
        let certificates = try ServerTestCertificates.get()
        let directory = try ProjectPaths.temporaryDirectory("connect-tls-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("k.txt")
        try (ConnectMessages.keyA + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        let base = ["serve", "--check-config", "--log-dir", directory.path, "--hmac-key-file", keyFile.path]
        let tls = ["--tls-cert", certificates.serverCertificate.path, "--tls-key", certificates.serverKey.path]

        let (ok, out, okErr) = try ServerProcess.runTool(base + tls + ["--tls-client-ca", certificates.caCertificate.path,
                                                                        "--tls-client-verify", "optional", "--plain-port", "0"])
        XCTAssertEqual(ok, 0, okErr)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "configuration ok\n")

        let refused: [([String], String)] = [
            (["--tls-cert", certificates.serverCertificate.path, "--tls-key", certificates.clientKey.path], "does not belong to the certificate"),
            (["--tls-cert", certificates.serverCertificate.path], "--tls-cert needs --tls-key"),
            (tls + ["--tls-client-verify", "require"], "--tls-client-verify needs --tls-client-ca"),
            (tls + ["--tls-client-subject", "CN=x"], "pins need --tls-client-ca"),
            (tls + ["--tls-client-ca", certificates.caCertificate.path, "--tls-client-spki-sha256", "00ff"], "--tls-client-spki-sha256 00ff"),
            (tls + ["--tls-client-ca", keyFile.path], "--tls-client-ca"),
            (["--plain-port", "9000"], "--plain-port applies to native TLS only"),
        ]
        for (arguments, expected) in refused {
            let (status, _, stderr) = try ServerProcess.runTool(base + arguments)
            XCTAssertEqual(status, 2, "\(arguments): \(stderr)")
            XCTAssertTrue(stderr.contains(expected), "\(arguments): \(stderr)")
        }
    }

    func testAStartWithAnExpiringCertificateWarnsAndSIGHUPWithoutTLSReloadsOnlyTheCredentials() throws {
        let certificates = try ServerTestCertificates.get()
        let soon = try certificates.issueServer("soon", days: 3)
        let server = try NativeTLSServer(certificates, certificate: soon.certificate, key: soon.key)
        XCTAssertTrue(server.waitForStderr { $0.contains("event=tls_certificate_expiring") && $0.contains("expires_in_days=3.00") },
                      server.fixture.server.stderr)
        XCTAssertEqual(server.fixture.stop(), 0)

        let plain = try ServerFixture()
        kill(plain.server.process.processIdentifier, SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while !plain.server.stderr.contains("event=reloaded") && Date() < deadline { usleep(10_000) }
        // Without --tls-cert the one component is the credentials (branch auth): no TLS reload.
        XCTAssertTrue(plain.server.stderr.contains("event=reload_requested signal=SIGHUP components=credentials\n"), plain.server.stderr)
        XCTAssertTrue(plain.server.stderr.contains("event=reloaded component=credentials"), plain.server.stderr)
        XCTAssertFalse(plain.server.stderr.contains("component=tls"), plain.server.stderr)
        let client = try plain.client()
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200, "SIGHUP does not stop a plain server")
        XCTAssertEqual(plain.stop(), 0)
    }
}
