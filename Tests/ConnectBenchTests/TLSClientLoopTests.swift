import BenchSupport
import Foundation
import IngestTLS
import IngestTestSupport
import XCTest

/// `connect-bench --tls`: the epoll client's TLS path against the real `connect-ingest serve`
/// terminating TLS (certificates made at test time), keep-alive and one connection per message,
/// with and without session resumption. No timing assertions.
final class TLSClientLoopTests: XCTestCase {
    let key = ConnectMessages.keyA

    func testTLSClientKeepAliveAndConnectionClose() throws {
        let certificates: TestCertificates
        do { certificates = try TestCertificates() } catch let error as TestCertificates.Unavailable { throw XCTSkip(error.description) }
        let keyFile = certificates.directory.appendingPathComponent("keys.txt")
        try (key + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess(arguments: ["--workers", "2", "--sync", "none", "--hmac-key-file", keyFile.path,
                                                   "--tls-cert", certificates.serverCertificate.path,
                                                   "--tls-key", certificates.serverKey.path],
                                       logDirectory: certificates.directory.appendingPathComponent("log"))
        defer { server.stop() }

        for (connectionClose, resume) in [(false, true), (true, true), (true, false)] {
            let pool = RequestPool(settings: PayloadSettings(kind: .mix, seed: 5),
                                   target: RequestTarget(path: "/webhooks/docusign", hostHeader: "127.0.0.1:\(server.port)",
                                                         connectionClose: connectionClose),
                                   signer: RequestSigner(key: key), forgery: ForgeryPlan(rate: 0.1, seed: 5),
                                   firstIndex: 0, count: 120)
            let context = try TLSClientContext(caFile: certificates.caCertificate.path, resume: resume)
            let plan = LoadPlan(address: .ipv4(port: server.port), connections: 4, pipeline: connectionClose ? 1 : 3,
                                duration: nil, messages: 120, rate: nil, startTime: MonotonicClock.now() + 20_000_000,
                                stallTimeout: 20_000_000_000, tls: context)
            let c = ClientLoop.run(plan: plan, pool: pool)
            let name = "connection close \(connectionClose), resume \(resume)"
            XCTAssertEqual(c.completed, 120, "\(name): \(c.errors)")
            XCTAssertEqual(c.statusCounts[200] + c.statusCounts[401], 120, name)
            XCTAssertEqual(c.forgedAccepted, 0, name)
            XCTAssertEqual(c.genuineUnauthorized, 0, name)
            XCTAssertTrue(c.errors.isEmpty, "\(name): \(c.errors)")
            if connectionClose {
                // One handshake per message, plus replacements opened as the run ended.
                XCTAssertTrue((120...124).contains(c.tlsHandshakes), "\(name): \(c.tlsHandshakes) handshakes")
                if resume {
                    XCTAssertGreaterThanOrEqual(c.tlsResumed, c.tlsHandshakes - 8, "\(name): after the first handshakes, sessions resume")
                } else {
                    XCTAssertEqual(c.tlsResumed, 0, name)
                }
            } else {
                XCTAssertEqual(c.tlsHandshakes, 4, "\(name): keep-alive connections handshake once")
            }
        }
        XCTAssertEqual(server.stop(), 0)
    }

    func testTLSOptions() throws {
        let o = try BenchOptions.parse(["--tls", "--tls-ca", "ca.pem", "--tls-resume", "off", "--connection-close"])
        XCTAssertTrue(o.tls)
        XCTAssertEqual(o.tlsCA, "ca.pem")
        XCTAssertFalse(o.tlsResume)
        XCTAssertTrue(o.connectionClose)
        XCTAssertTrue(try BenchOptions.parse([]).tlsResume)
        for (arguments, flag) in [(["--tls"], "--tls"), (["--tls-ca", "x"], "--tls-ca"),
                                  (["--tls", "--tls-ca", "x", "--tls-resume", "maybe"], "--tls-resume")] {
            XCTAssertThrowsError(try BenchOptions.parse(arguments)) { error in
                XCTAssertTrue("\(error)".hasPrefix(flag), "\(arguments): \(error)")
            }
        }
        for flag in ["--tls", "--tls-ca", "--tls-resume", "--connection-close"] {
            XCTAssertTrue(BenchOptions.helpText.contains(flag), flag)
        }
    }
}
