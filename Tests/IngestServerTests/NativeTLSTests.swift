import COpenSSL
import Foundation
import IngestLog
import IngestTLS
import IngestTestSupport
import XCTest

/// `serve --tls-cert --tls-key`: the real binary terminating TLS itself, exercised with curl and
/// with the project's own libssl client over 127.0.0.1. Certificates are made at test time.
final class NativeTLSTests: XCTestCase {
    func testSignedMessagesOverTLSAreStoredByteExactWithCurlAndOwnClient() throws {
        let server = try NativeTLSServer(try ServerTestCertificates.get())
        let fixture = server.fixture
        let curl = try Curl(directory: fixture.directory)
        var expected: [[UInt8]] = []

        // curl, verifying the server against the test CA (no -k).
        let viaCurl = ConnectMessages.event(1)
        let bodyFile = fixture.directory.appendingPathComponent("curl-body.json")
        try Data(viaCurl).write(to: bodyFile)
        let posted = try curl.run(["--cacert", server.certificates.caCertificate.path,
                                   "-H", "X-DocuSign-Signature-1: \(fixture.signature(viaCurl))",
                                   "-H", "Content-Type: application/json", "--data-binary", "@\(bodyFile.path)",
                                   "https://127.0.0.1:\(server.port)/webhooks/docusign"])
        XCTAssertEqual(posted.status, 200, "curl: \(posted.stderr)")
        expected.append(viaCurl)
        let untrusting = try curl.run(["https://127.0.0.1:\(server.port)/healthz"])
        XCTAssertNotEqual(untrusting.exit, 0, "curl without the CA must not trust the test certificate")

        // Our own client: keep-alive, pipelined, chunked, and one body larger than the stream
        // threshold (many TLS records, more than the worker's input scratch holds at once).
        let client = try server.connect()
        XCTAssertEqual(client.session.applicationProtocol, "http/1.1")
        for n in 2...4 {
            let body = ConnectMessages.event(n)
            XCTAssertEqual(try client.exchange(fixture.signedRequest(body)).status, 200)
            expected.append(body)
        }
        var pipelined: [UInt8] = []
        for n in 5...9 {
            let body = ConnectMessages.event(n)
            pipelined += fixture.signedRequest(body)
            expected.append(body)
        }
        try client.send(pipelined)
        for _ in 5...9 { XCTAssertEqual(try client.readResponse().status, 200) }
        let chunkedBody = ConnectMessages.event(10)
        var chunked = Array("POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-DocuSign-Signature-1: \(fixture.signature(chunkedBody))\r\n\r\n".utf8)
        for piece in stride(from: 0, to: chunkedBody.count, by: 100) {
            let part = chunkedBody[piece..<min(piece + 100, chunkedBody.count)]
            chunked += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
        }
        chunked += Array("0\r\n\r\n".utf8)
        XCTAssertEqual(try client.exchange(chunked).status, 200)
        expected.append(chunkedBody)
        let large = Array("{\"event\":\"envelope-completed\",\"data\":{\"envelopeId\":\"big\",\"pad\":\"".utf8)
            + [UInt8](repeating: UInt8(ascii: "A"), count: 1_200_000) + Array("\"}}".utf8)
        XCTAssertEqual(try client.exchange(fixture.signedRequest(large)).status, 200)
        expected.append(large)
        let forged = ConnectMessages.event(11)
        XCTAssertEqual(try client.exchange(ConnectMessages.request(body: forged, signatures: [fixture.signature(forged, key: Array("wrong".utf8))])).status, 401)

        let metrics = try server.metrics()
        let userSpace = metrics["connect_connections_by_mode_total{mode=\"tls-user\"}"] ?? 0
        let kernel = (metrics["connect_connections_by_mode_total{mode=\"ktls\"}"] ?? 0) + (metrics["connect_connections_by_mode_total{mode=\"ktls-send\"}"] ?? 0)
        if metrics["connect_tls_ktls_available"] == 1 {
            print("NativeTLSTests: kTLS available here; connections: \(Int(kernel)) kTLS, \(Int(userSpace)) user-space")
        } else {
            print("NativeTLSTests: kTLS unavailable here; every connection ran user-space TLS (\(Int(userSpace)))")
            XCTAssertEqual(kernel, 0)
        }
        XCTAssertGreaterThanOrEqual(userSpace + kernel, 3, "curl, the client, the metrics request")
        XCTAssertEqual(metrics["connect_connections_by_mode_total{mode=\"plain\"}"], 0)

        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.count, expected.count)
        XCTAssertTrue(records.map(\.body) == expected, "every signed body stored once, byte for byte, in order per connection")
        XCTAssertTrue(records.allSatisfy { $0.flags.contains(.signatureVerified) })
    }

    func testPlainOperationsListenerServesHealthAndMetricsButNoWebhooks() throws {
        let server = try NativeTLSServer(try ServerTestCertificates.get(), arguments: ["--plain-port", "0"])
        let line = try XCTUnwrap(try server.fixture.server.readStdoutLine())
        XCTAssertTrue(line.hasPrefix("plain operations listener on 127.0.0.1:"), line)
        let port = try XCTUnwrap(UInt16(line[line.index(after: line.lastIndex(of: ":")!)...]))
        let plain = try LoopbackClient(port: port)
        try plain.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try plain.readResponse().status, 200)
        try plain.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let metrics = try plain.readResponse()
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.text.contains("connect_tls_certificate_expiry_seconds"))
        let body = ConnectMessages.event(1)
        try plain.send(server.fixture.signedRequest(body))
        XCTAssertEqual(try plain.readResponse().status, 404, "webhooks only over TLS")
        // The TLS port does not speak plain HTTP: the request is refused at the handshake.
        let confused = try LoopbackClient(port: server.port)
        try confused.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(confused.isClosedByPeer())
        XCTAssertEqual(server.fixture.stop(), 0)
        XCTAssertEqual(try server.fixture.records().count, 0)
    }

    func testTLS10And11AreRefusedAndCounted() throws {
        let server = try NativeTLSServer(try ServerTestCertificates.get())
        for version in [TLSProtocolVersion.tls1_1, .tls1_0] {
            let old = try TLSClientContext(caFile: server.certificates.caCertificate.path, minimumVersion: version,
                                           maximumVersion: version, legacy: true)
            XCTAssertThrowsError(try server.connect(old), "\(version) must be refused")
        }
        XCTAssertTrue(server.waitForStderr { $0.contains("event=tls_handshake_failed reason=protocol_version") })
        XCTAssertEqual(try server.metrics()["connect_tls_handshake_failures_total{reason=\"protocol_version\"}"], 2)
        // TLS 1.2 and 1.3 both work.
        for version in [TLSProtocolVersion.tls1_2, .tls1_3] {
            let context = try TLSClientContext(caFile: server.certificates.caCertificate.path, minimumVersion: version, maximumVersion: version)
            let client = try server.connect(context)
            XCTAssertEqual(try client.exchange(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)).status, 200)
        }
        XCTAssertEqual(server.fixture.stop(), 0)
    }

    func testMutualTLSRequireRefusesMissingAndForeignCertificates() throws {
        let certificates = try ServerTestCertificates.get()
        let server = try NativeTLSServer(certificates, arguments: ["--tls-client-ca", certificates.caCertificate.path,
                                                                   "--tls-client-verify", "require"])
        let fixture = server.fixture
        let ours = try TLSClientContext(caFile: certificates.caCertificate.path, certificateFile: certificates.clientCertificate.path,
                                        keyFile: certificates.clientKey.path)
        let body = ConnectMessages.event(1)
        XCTAssertEqual(try server.connect(ours).exchange(fixture.signedRequest(body)).status, 200)

        let none = try TLSClientContext(caFile: certificates.caCertificate.path)
        let stranger = try TLSClientContext(caFile: certificates.caCertificate.path, certificateFile: certificates.strangerCertificate.path,
                                            keyFile: certificates.strangerKey.path)
        for (name, context) in [("no certificate", none), ("another CA's certificate", stranger)] {
            // TLS 1.3: the client may finish its side before the server's refusal arrives, so
            // the refusal shows either at the handshake or at the first request.
            var refused = false
            do {
                let client = try server.connect(context)
                refused = (try? client.exchange(fixture.signedRequest(ConnectMessages.event(2)))) == nil
            } catch {
                refused = true
            }
            XCTAssertTrue(refused, "\(name): served")
        }
        XCTAssertTrue(server.waitForStderr { $0.contains("reason=client_cert_missing") && $0.contains("detail=\"no client certificate\"") })
        XCTAssertTrue(server.waitForStderr {
            $0.contains("reason=client_cert_refused") && $0.contains("subject=\"\(TestCertificates.strangerSubject)\"")
                && $0.contains("detail=\"unable to get local issuer certificate\"")
        }, fixture.server.stderr)

        // curl too: refused without a certificate, served with ours.
        let curl = try Curl(directory: fixture.directory)
        let anonymous = try curl.run(["--cacert", certificates.caCertificate.path, "https://127.0.0.1:\(server.port)/healthz"])
        XCTAssertNotEqual(anonymous.status, 200)
        let withCertificate = try curl.run(["--cacert", certificates.caCertificate.path, "--cert", certificates.clientCertificate.path,
                                            "--key", certificates.clientKey.path, "https://127.0.0.1:\(server.port)/healthz"])
        XCTAssertEqual(withCertificate.status, 200, withCertificate.stderr)

        let metrics = try server.metrics(ours)
        XCTAssertGreaterThanOrEqual(metrics["connect_tls_handshake_failures_total{reason=\"client_cert_missing\"}"] ?? 0, 2)
        XCTAssertEqual(metrics["connect_tls_handshake_failures_total{reason=\"client_cert_refused\"}"], 1)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertTrue(try fixture.records().map(\.body) == [body], "only the message over the authorised connection is stored")
    }

    func testSubjectPinRefusesAnotherClientOfTheSameCA() throws {
        let certificates = try ServerTestCertificates.get()
        let digest = try certificates.publicKeyDigestHex(certificates.clientCertificate)
        let pinned = try NativeTLSServer(certificates, arguments: ["--tls-client-ca", certificates.caCertificate.path,
                                                                   "--tls-client-subject", "CN=someone-else,O=Connect Test"])
        let ours = try TLSClientContext(caFile: certificates.caCertificate.path, certificateFile: certificates.clientCertificate.path,
                                        keyFile: certificates.clientKey.path, resume: false)
        var served = false
        if let client = try? pinned.connect(ours) {
            served = (try? client.exchange(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))?.status == 200
        }
        XCTAssertFalse(served)
        XCTAssertTrue(pinned.waitForStderr { $0.contains("detail=\"subject not pinned\"") && $0.contains("subject=\"\(TestCertificates.clientSubject)\"") })
        XCTAssertEqual(pinned.fixture.stop(), 0)

        let keyPinned = try NativeTLSServer(certificates, arguments: ["--tls-client-ca", certificates.caCertificate.path,
                                                                      "--tls-client-spki-sha256", digest])
        XCTAssertEqual(try keyPinned.connect(ours).exchange(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)).status, 200)
        XCTAssertEqual(keyPinned.fixture.stop(), 0)
    }
}

extension NativeTLSServer {
    func metrics(_ context: TLSClientContext) throws -> [String: Double] {
        let connection = try connect(context)
        return Self.parseMetrics(try connection.exchange(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8)).text)
    }
}
