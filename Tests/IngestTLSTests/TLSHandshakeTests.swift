import COpenSSL
import Foundation
import IngestSystem
import IngestTLS
import IngestTestSupport
import XCTest

/// Handshakes and records between a server context and the project's client, over real loopback
/// TCP, driven step by step as the worker loop drives them.
final class TLSHandshakeTests: XCTestCase {
    var certificates: TestCertificates!
    let ring = TicketKeyRing(rotationSeconds: 3600)

    override func setUpWithError() throws { certificates = try SharedCertificates.get() }

    func serverContext(_ edit: (inout TLSServerSettings) -> Void = { _ in }, ring: TicketKeyRing? = nil) throws -> TLSServerContext {
        var settings = TLSServerSettings(certificateFile: certificates.serverCertificate.path, privateKeyFile: certificates.serverKey.path)
        edit(&settings)
        return try TLSServerContext(settings: settings, ticketKeys: ring ?? self.ring)
    }

    func testTLS13AndTLS12CarryRequestsBothWaysWithALPN() throws {
        let server = try serverContext()
        for version in [TLSProtocolVersion.tls1_3, .tls1_2] {
            let client = try TLSClientContext(caFile: certificates.caCertificate.path, minimumVersion: version, maximumVersion: version)
            let pair = try TLSPair(server: server, client: client)
            let steps = pair.handshake()
            XCTAssertEqual(steps.server, .complete, "\(version)")
            XCTAssertEqual(steps.client, .complete, "\(version)")
            XCTAssertEqual(pair.server.protocolVersion, version == .tls1_3 ? "TLSv1.3" : "TLSv1.2")
            XCTAssertEqual(pair.server.applicationProtocol, "http/1.1")
            XCTAssertEqual(pair.client.applicationProtocol, "http/1.1")
            XCTAssertTrue(pair.server.cipherName.contains("GCM"), "AES-GCM preferred, got \(pair.server.cipherName)")
            // A request larger than one record, then a response.
            let request = Array(repeating: UInt8(ascii: "x"), count: 40_000)
            try pair.clientSend(request)
            let received = pair.serverReceive(count: request.count)
            XCTAssertEqual(received.bytes, request, "\(version): got \(received.bytes.count) bytes, last \(received.last)")
            let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
            XCTAssertEqual(response.withUnsafeBytes { pair.server.write($0) }, .bytes(response.count))
            var buffer = [UInt8](repeating: 0, count: 1024)
            var got: [UInt8] = []
            for _ in 0..<2000 where got.count < response.count {
                if case .bytes(let n) = buffer.withUnsafeMutableBytes({ pair.client.read(into: $0) }) { got += buffer[0..<n] } else { usleep(500) }
            }
            XCTAssertEqual(got, response)
            // A clean close: the server's close_notify reads as `.closed` on the client.
            pair.server.closeNotify()
            var last = TLSTransfer.wantRead
            for _ in 0..<2000 {
                last = buffer.withUnsafeMutableBytes { pair.client.read(into: $0) }
                if last != .wantRead { break }
                usleep(500)
            }
            XCTAssertEqual(last, .closed)
        }
    }

    func testResumptionWithTicketsAndSessionIDs() throws {
        let server = try serverContext()
        for version in [TLSProtocolVersion.tls1_3, .tls1_2] {
            let client = try TLSClientContext(caFile: certificates.caCertificate.path, maximumVersion: version)
            let first = try TLSPair(server: server, client: client)
            XCTAssertEqual(first.handshake().server, .complete)
            XCTAssertFalse(first.server.wasResumed)
            first.clientDrain()
            let second = try TLSPair(server: server, client: client)
            XCTAssertEqual(second.handshake().server, .complete)
            XCTAssertTrue(second.server.wasResumed, "\(version): the second connection resumes")
            XCTAssertTrue(second.client.wasResumed)
            second.clientDrain()
            for round in 3...6 {
                let next = try TLSPair(server: server, client: client)
                XCTAssertEqual(next.handshake().server, .complete)
                XCTAssertTrue(next.server.wasResumed, "\(version): connection \(round) resumes with the ticket the previous resumption handed out")
                next.clientDrain()
            }

            // Without resumption on the client, every handshake is full.
            let fresh = try TLSClientContext(caFile: certificates.caCertificate.path, resume: false, maximumVersion: version)
            for _ in 0..<2 {
                let pair = try TLSPair(server: server, client: fresh)
                XCTAssertEqual(pair.handshake().server, .complete)
                pair.clientDrain()
                XCTAssertFalse(pair.server.wasResumed)
            }
        }
    }

    func testReloadOfTheSameFilesKeepsResumptionAndAChangedPolicyDoesNot() throws {
        let client = try TLSClientContext(caFile: certificates.caCertificate.path)
        let first = try TLSPair(server: try serverContext(), client: client)
        XCTAssertEqual(first.handshake().server, .complete)
        first.clientDrain()
        let reloaded = try TLSPair(server: try serverContext(), client: client)
        XCTAssertEqual(reloaded.handshake().server, .complete)
        XCTAssertTrue(reloaded.server.wasResumed, "a context rebuilt from the same files (a SIGHUP) still resumes")
        reloaded.clientDrain()
        let stricter = try serverContext { $0.clientCAFile = self.certificates.caCertificate.path; $0.clientVerify = .optional }
        let changed = try TLSPair(server: stricter, client: client)
        XCTAssertEqual(changed.handshake().server, .complete)
        XCTAssertFalse(changed.server.wasResumed, "a session made under another client policy must not resume")
    }

    func testTicketKeysRotateAndRetiredKeysAreForgotten() throws {
        let clock = ManualClock()
        let ring = TicketKeyRing(rotationSeconds: 100) { clock.now }
        let server = try serverContext(ring: ring)
        let early = try TLSClientContext(caFile: certificates.caCertificate.path)
        let late = try TLSClientContext(caFile: certificates.caCertificate.path)
        for client in [early, late] {
            let pair = try TLSPair(server: server, client: client)
            XCTAssertEqual(pair.handshake().server, .complete)
            pair.clientDrain()
        }
        let firstKey = ring.keyNames
        XCTAssertEqual(firstKey.count, 1)
        for step in 1...2 {
            clock.advance(seconds: 100)
            ring.rotateIfDue()
            XCTAssertEqual(ring.keyNames.count, step + 1)
            XCTAssertEqual(ring.keyNames.last, firstKey[0])
        }
        clock.advance(seconds: 50)   // 250 s: the first key was retired at 100 s, kept until 300 s
        let resumed = try TLSPair(server: server, client: early)
        XCTAssertEqual(resumed.handshake().server, .complete)
        XCTAssertTrue(resumed.server.wasResumed, "a ticket sealed by a retired key still resumes for two periods")
        clock.advance(seconds: 50)   // 300 s
        ring.rotateIfDue()
        XCTAssertFalse(ring.keyNames.contains(firstKey[0]), "the first key is forgotten two periods after retiring")
        let expired = try TLSPair(server: server, client: late)
        XCTAssertEqual(expired.handshake().server, .complete)
        XCTAssertFalse(expired.server.wasResumed, "a ticket of a forgotten key gets a full handshake")
    }

    func testOldProtocolVersionsAreRefused() throws {
        let server = try serverContext()
        for version in [TLSProtocolVersion.tls1_1, .tls1_0] {
            let client = try TLSClientContext(caFile: nil, minimumVersion: version, maximumVersion: version, legacy: true)
            let pair = try TLSPair(server: server, client: client)
            let steps = pair.handshake()
            XCTAssertEqual(steps.server, .failed(.protocolVersion), "\(version)")
            guard case .failed = steps.client else { return XCTFail("\(version): the client was not refused: \(steps.client)") }
        }
    }

    func testHostileFirstBytesAreClassified() throws {
        let server = try serverContext()
        let client = try TLSClientContext(caFile: nil)
        let cases: [(String, [UInt8], TLSFailure)] = [
            ("plain HTTP", Array("POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\n\r\n".utf8), .plainHTTP),
            ("garbage", Array("\u{00}\u{01}\u{02}garbage instead of a ClientHello".utf8), .notTLS),
            ("huge handshake record", [0x16, 0x03, 0x01, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64), .recordTooLarge),
        ]
        for (name, bytes, expected) in cases {
            let pair = try TLSPair(server: server, client: client)
            try pair.clientSendRaw(bytes)
            var step = TLSHandshakeStep.wantRead
            for _ in 0..<2000 {
                step = pair.server.handshake()
                if step != .wantRead { break }
                usleep(500)
            }
            XCTAssertEqual(step, .failed(expected), name)
        }
    }

    func testHugeRecordAfterTheHandshakeFailsTheConnection() throws {
        let pair = try TLSPair(server: try serverContext(), client: try TLSClientContext(caFile: certificates.caCertificate.path))
        XCTAssertEqual(pair.handshake().server, .complete)
        try pair.clientSendRaw([0x17, 0x03, 0x03, 0xFF, 0xFF] + [UInt8](repeating: 0x41, count: 1024))
        let received = pair.serverReceive(count: 1)
        XCTAssertEqual(received.last, .failed(.recordTooLarge))
    }

    func testRenegotiationAttemptIsNoticed() throws {
        let client = try TLSClientContext(caFile: certificates.caCertificate.path, maximumVersion: .tls1_2)
        let pair = try TLSPair(server: try serverContext(), client: client)
        XCTAssertEqual(pair.handshake().server, .complete)
        XCTAssertFalse(pair.server.renegotiationAttempted)
        XCTAssertEqual(SSL_renegotiate(pair.client.ssl), 1, "the client can start a renegotiation")
        _ = SSL_do_handshake(pair.client.ssl)
        ERR_clear_error()
        for _ in 0..<2000 where !pair.server.renegotiationAttempted {
            _ = pair.serverDrain(limit: 0)
            usleep(500)
        }
        XCTAssertTrue(pair.server.renegotiationAttempted, "the refused renegotiation is visible to the server's caller")
    }

    /// kTLS where the kernel has it, else user-space TLS: both must carry data the same way.
    func testKernelTLSWhereAvailableElseCleanFallback() throws {
        let availability = KernelTLS.probe()
        let server = try serverContext { $0.kernelTLS = true }
        let client = try TLSClientContext(caFile: certificates.caCertificate.path, maximumVersion: .tls1_2)
        let pair = try TLSPair(server: server, client: client)
        XCTAssertEqual(pair.handshake().server, .complete)
        switch availability {
        case .available:
            print("kTLS: available here; server send offloaded: \(pair.server.kernelSend), receive: \(pair.server.kernelReceive)")
            XCTAssertTrue(pair.server.kernelSend, "TLS 1.2 AES-GCM with the tls ULP present should offload sending")
        case .unavailable(let reason):
            print("kTLS: unavailable here (\(reason)); user-space TLS ran")
            XCTAssertFalse(pair.server.kernelSend)
            XCTAssertFalse(pair.server.kernelReceive)
        }
        let request = Array("POST / HTTP/1.1\r\n\r\n".utf8)
        try pair.clientSend(request)
        XCTAssertEqual(pair.serverReceive(count: request.count).bytes, request)
    }
}
