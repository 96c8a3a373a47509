import Foundation
import IngestTLS
import IngestTestSupport
import Synchronization
import XCTest

/// SIGHUP re-reads the certificate and key while clients keep sending: new connections get the
/// new certificate, open ones keep going, a broken file keeps the old one, and no request fails.
final class NativeTLSReloadTests: XCTestCase {
    func testSIGHUPSwapsTheCertificateUnderAFloodWithNoFailedRequest() throws {
        let certificates = try ServerTestCertificates.get()
        let live = try ProjectPaths.temporaryDirectory("connect-tls-live")
        defer { try? FileManager.default.removeItem(at: live) }
        let liveCertificate = live.appendingPathComponent("live.pem"), liveKey = live.appendingPathComponent("live.key")
        try FileManager.default.copyItem(at: certificates.serverCertificate, to: liveCertificate)
        try FileManager.default.copyItem(at: certificates.serverKey, to: liveKey)
        let renewed = try certificates.issueServer("renewed", days: 5, commonName: "renewed.connect.test")

        let server = try NativeTLSServer(certificates, certificate: liveCertificate, key: liveKey)
        let fixture = server.fixture
        let longLived = try server.connect(try TLSClientContext(caFile: certificates.caCertificate.path, resume: false))
        XCTAssertEqual(longLived.session.peerSubject, "CN=127.0.0.1")

        final class Flood: @unchecked Sendable {
            let stop = Atomic<Bool>(false)
            let next = Atomic<Int>(1_000)
            let lock = NSLock()
            var stored: [[UInt8]] = []
            var failures: [String] = []
            var subjects: Set<String> = []
            func note(_ body: [UInt8]) { lock.lock(); stored.append(body); lock.unlock() }
            func fail(_ text: String) { lock.lock(); failures.append(text); lock.unlock() }
            func saw(_ subject: String) { lock.lock(); subjects.insert(subject); lock.unlock() }
        }
        let flood = Flood()
        let threads = 4
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                while !flood.stop.load(ordering: .relaxed) {
                    do {
                        // A new connection (full or resumed handshake) for every three messages.
                        let client = try server.connect()
                        flood.saw(client.session.peerSubject ?? "?")
                        for _ in 0..<3 {
                            let body = ConnectMessages.event(flood.next.wrappingAdd(1, ordering: .relaxed).oldValue)
                            let status = try client.exchange(fixture.signedRequest(body)).status
                            if status == 200 { flood.note(body) } else { flood.fail("status \(status)") }
                        }
                    } catch {
                        flood.fail("\(error)")
                    }
                }
            }
        }
        func waitUntil(_ condition: () -> Bool) -> Bool {
            for _ in 0..<1000 { if condition() { return true }; usleep(10_000) }
            return false
        }
        XCTAssertTrue(waitUntil { flood.lock.withLock { flood.stored.count } > 50 }, "the flood is running")

        // Swap the files (each rename atomic), then SIGHUP.
        try FileManager.default.removeItem(at: live.appendingPathComponent("next.pem"), ifExists: true)
        try FileManager.default.copyItem(at: renewed.certificate, to: live.appendingPathComponent("next.pem"))
        try FileManager.default.copyItem(at: renewed.key, to: live.appendingPathComponent("next.key"))
        XCTAssertEqual(rename(live.appendingPathComponent("next.pem").path, liveCertificate.path), 0)
        XCTAssertEqual(rename(live.appendingPathComponent("next.key").path, liveKey.path), 0)
        kill(fixture.server.process.processIdentifier, SIGHUP)
        XCTAssertTrue(server.waitForStderr { $0.contains("event=reloaded component=tls subject=\"CN=renewed.connect.test\"") }, fixture.server.stderr)
        XCTAssertTrue(server.waitForStderr { $0.contains("event=tls_certificate_expiring") && $0.contains("expires within 14 days") })
        XCTAssertTrue(waitUntil { flood.lock.withLock { flood.subjects.contains("CN=renewed.connect.test") } },
                      "new connections get the new certificate")
        XCTAssertEqual(try longLived.exchange(fixture.signedRequest(ConnectMessages.event(1))).status, 200,
                       "a connection opened before the reload keeps working")

        // A broken certificate file: the reload fails, the renewed certificate stays in use.
        try Data("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".utf8).write(to: liveCertificate)
        kill(fixture.server.process.processIdentifier, SIGHUP)
        XCTAssertTrue(server.waitForStderr { $0.contains("event=reload_failed component=tls") && $0.contains("--tls-cert") })
        let afterBadReload = try server.connect()
        XCTAssertEqual(afterBadReload.session.peerSubject, "CN=renewed.connect.test")
        let countBefore = flood.lock.withLock { flood.stored.count }
        XCTAssertTrue(waitUntil { flood.lock.withLock { flood.stored.count } > countBefore + 50 }, "the flood goes on")
        flood.stop.store(true, ordering: .relaxed)
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)

        let metrics = try server.metrics()
        XCTAssertEqual(metrics["connect_tls_reloads_total{result=\"ok\"}"], 1)
        XCTAssertEqual(metrics["connect_tls_reloads_total{result=\"failed\"}"], 1)
        XCTAssertLessThan(metrics["connect_tls_certificate_expiry_seconds"] ?? .infinity, 14 * 86_400)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(flood.failures, [], "no request failed across the reloads")
        let stored = Set(try fixture.records().map(\.body))
        let answered = flood.lock.withLock { flood.stored } + [ConnectMessages.event(1)]
        XCTAssertEqual(stored.count, answered.count)
        XCTAssertTrue(Set(answered) == stored, "every 200 is in the log")
    }
}

extension FileManager {
    func removeItem(at url: URL, ifExists: Bool) throws {
        if fileExists(atPath: url.path) { try removeItem(at: url) }
    }
}
