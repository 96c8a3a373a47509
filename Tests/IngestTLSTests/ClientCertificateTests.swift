import Foundation
import IngestTLS
import IngestTestSupport
import XCTest

/// Mutual TLS: `require` and `optional`, a certificate from another CA, and pins on the subject
/// and on the public key. A refusal ends the handshake and says whose certificate and why.
final class ClientCertificateTests: XCTestCase {
    var certificates: TestCertificates!
    let ring = TicketKeyRing(rotationSeconds: 3600)

    override func setUpWithError() throws { certificates = try SharedCertificates.get() }

    func server(_ mode: ClientCertificateMode, subjects: [String] = [], keys: [[UInt8]] = []) throws -> TLSServerContext {
        var settings = TLSServerSettings(certificateFile: certificates.serverCertificate.path, privateKeyFile: certificates.serverKey.path)
        settings.clientCAFile = certificates.caCertificate.path
        settings.clientVerify = mode
        settings.pinnedSubjects = subjects
        settings.pinnedKeyDigests = keys
        return try TLSServerContext(settings: settings, ticketKeys: ring)
    }

    enum Presented { case none, ours, stranger }

    func client(_ presented: Presented) throws -> TLSClientContext {
        switch presented {
        case .none: return try TLSClientContext(caFile: certificates.caCertificate.path, resume: false)
        case .ours: return try TLSClientContext(caFile: certificates.caCertificate.path, certificateFile: certificates.clientCertificate.path,
                                               keyFile: certificates.clientKey.path, resume: false)
        case .stranger: return try TLSClientContext(caFile: certificates.caCertificate.path, certificateFile: certificates.strangerCertificate.path,
                                                   keyFile: certificates.strangerKey.path, resume: false)
        }
    }

    /// Runs a handshake; for TLS 1.3 the client learns of a refusal only when it reads, so the
    /// client also reads once.
    func attempt(_ server: TLSServerContext, _ presented: Presented) throws -> TLSPair {
        let pair = try TLSPair(server: server, client: try client(presented))
        pair.handshake()
        pair.clientDrain()
        return pair
    }

    func testRequireAcceptsACertificateFromTheCA() throws {
        let pair = try attempt(try server(.require), .ours)
        XCTAssertEqual(pair.serverStep, .complete)
        XCTAssertEqual(pair.server.peerSubject, TestCertificates.clientSubject)
    }

    func testRequireRefusesAMissingCertificate() throws {
        let pair = try attempt(try server(.require), .none)
        XCTAssertEqual(pair.serverStep, .failed(.clientCertificateMissing))
    }

    func testRequireRefusesACertificateFromAnotherCAAndSaysWhose() throws {
        let pair = try attempt(try server(.require), .stranger)
        XCTAssertEqual(pair.serverStep, .failed(.clientCertificateRefused))
        let refusal = pair.server.clientCertificateRefusal
        XCTAssertEqual(refusal?.subject, TestCertificates.strangerSubject)
        XCTAssertEqual(refusal?.reason, "unable to get local issuer certificate")
    }

    func testOptionalServesClientsWithoutACertificateButNotWithABadOne() throws {
        let server = try server(.optional)
        let anonymous = try attempt(server, .none)
        XCTAssertEqual(anonymous.serverStep, .complete)
        XCTAssertNil(anonymous.server.peerSubject)
        XCTAssertEqual(try attempt(server, .ours).serverStep, .complete)
        XCTAssertEqual(try attempt(server, .stranger).serverStep, .failed(.clientCertificateRefused))
    }

    func testSubjectPin() throws {
        XCTAssertEqual(try attempt(try server(.require, subjects: [TestCertificates.clientSubject]), .ours).serverStep, .complete)
        let refused = try attempt(try server(.require, subjects: ["CN=someone-else,O=Connect Test"]), .ours)
        XCTAssertEqual(refused.serverStep, .failed(.clientCertificateRefused))
        XCTAssertEqual(refused.server.clientCertificateRefusal?.subject, TestCertificates.clientSubject)
        XCTAssertEqual(refused.server.clientCertificateRefusal?.reason, "subject not pinned")
    }

    func testPublicKeyPin() throws {
        let ours = try XCTUnwrap(ClientCertificatePins.parseKeyDigest(try certificates.publicKeyDigestHex(certificates.clientCertificate)))
        let other = try XCTUnwrap(ClientCertificatePins.parseKeyDigest(try certificates.publicKeyDigestHex(certificates.serverCertificate)))
        XCTAssertEqual(try attempt(try server(.require, keys: [other, ours]), .ours).serverStep, .complete)
        let refused = try attempt(try server(.require, keys: [other]), .ours)
        XCTAssertEqual(refused.serverStep, .failed(.clientCertificateRefused))
        XCTAssertEqual(refused.server.clientCertificateRefusal?.reason, "public key not pinned")
    }
}
