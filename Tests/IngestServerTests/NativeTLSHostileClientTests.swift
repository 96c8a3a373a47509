import COpenSSL
import Foundation
import IngestTLS
import IngestTestSupport
import XCTest

/// Clients that do not complete or abuse a TLS handshake: each is closed (within its timeout),
/// counted by reason, never crashes the server and never holds up its one worker, which keeps
/// answering a well-behaved client in between.
final class NativeTLSHostileClientTests: XCTestCase {
    let health = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)

    func testHostileClientsAreClosedCountedAndNeverBlockTheWorker() throws {
        let server = try NativeTLSServer(try ServerTestCertificates.get(), arguments: ["--workers", "1", "--tls-handshake-timeout", "1s"])
        let good = try server.connect()
        func stillServing(_ note: String) {
            XCTAssertEqual((try? good.exchange(health))?.status, 200, "the worker answers the good client (\(note))")
        }

        let silent = try LoopbackClient(port: server.port)        // connects, never says hello
        let stalled = try LoopbackClient(port: server.port)       // a ClientHello record that never completes
        try stalled.send([0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03])
        stillServing("two handshakes stalled")

        let garbage = try LoopbackClient(port: server.port)
        try garbage.send(Array("\u{00}\u{01}\u{02}\u{03} this is not a ClientHello \u{7F}".utf8) + [UInt8](repeating: 0xEE, count: 200))
        XCTAssertTrue(garbage.isClosedByPeer(), "garbage instead of a ClientHello")
        let http = try LoopbackClient(port: server.port)
        try http.send(health)
        XCTAssertTrue(http.isClosedByPeer(), "plain HTTP on the TLS port")
        let huge = try LoopbackClient(port: server.port)
        try huge.send([0x16, 0x03, 0x01, 0xFF, 0xFF] + [UInt8](repeating: 0x01, count: 512))
        XCTAssertTrue(huge.isClosedByPeer(), "a 64 KiB handshake record")
        stillServing("after refused handshakes")

        // A huge record on an established connection.
        let established = try server.connect()
        XCTAssertEqual(try established.exchange(health).status, 200)
        let record: [UInt8] = [0x17, 0x03, 0x03, 0xFF, 0xFF] + [UInt8](repeating: 0x41, count: 2048)
        _ = record.withUnsafeBytes { send(established.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        XCTAssertTrue(established.isClosedByPeer(), "a record longer than TLS allows")

        // A TLS 1.2 client that tries to renegotiate.
        let tls12 = try TLSClientContext(caFile: server.certificates.caCertificate.path, maximumVersion: .tls1_2)
        let renegotiating = try server.connect(tls12)
        XCTAssertEqual(try renegotiating.exchange(health).status, 200)
        XCTAssertEqual(SSL_renegotiate(renegotiating.session.ssl), 1)
        _ = SSL_do_handshake(renegotiating.session.ssl)
        ERR_clear_error()
        XCTAssertTrue(renegotiating.isClosedByPeer(), "renegotiation attempt")
        stillServing("after a renegotiation attempt")

        // The stalled handshakes end at their deadline (1 s; the client's 10 s receive timeout
        // only bounds the wait).
        XCTAssertTrue(silent.isClosedByPeer(), "a silent client is closed at the handshake timeout")
        XCTAssertTrue(stalled.isClosedByPeer(), "a stalled ClientHello is closed at the handshake timeout")
        stillServing("after the timeouts")

        let metrics = try server.metrics()
        func failures(_ reason: String) -> Double { metrics["connect_tls_handshake_failures_total{reason=\"\(reason)\"}"] ?? -1 }
        XCTAssertEqual(failures("timeout"), 2)
        XCTAssertEqual(failures("not_tls"), 1)
        XCTAssertEqual(failures("plain_http"), 1)
        XCTAssertEqual(failures("record_too_large"), 1)
        XCTAssertEqual(metrics["connect_tls_connection_failures_total{reason=\"record_too_large\"}"], 1)
        XCTAssertEqual(metrics["connect_tls_connection_failures_total{reason=\"renegotiation\"}"], 1)
        XCTAssertTrue(server.fixture.server.process.isRunning)
        XCTAssertEqual(server.fixture.stop(), 0)
    }
}
