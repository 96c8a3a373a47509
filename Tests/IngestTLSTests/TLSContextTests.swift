import Foundation
import IngestTLS
import IngestTestSupport
import XCTest

/// Building server contexts from PEM files: what loads, what is refused and how it is reported.
final class TLSContextTests: XCTestCase {
    func testLoadsTheChainAndReportsSubjectAndExpiry() throws {
        let certificates = try SharedCertificates.get()
        let context = try TLSServerContext(settings: TLSServerSettings(certificateFile: certificates.serverCertificate.path,
                                                                       privateKeyFile: certificates.serverKey.path),
                                           ticketKeys: TicketKeyRing(rotationSeconds: 3600))
        XCTAssertEqual(context.certificate.subject, "CN=127.0.0.1")
        XCTAssertEqual(context.certificate.issuer, "CN=Connect Test CA")
        let days = Double(context.certificate.secondsUntilExpiry(now: Int64(Date().timeIntervalSince1970))) / 86_400
        XCTAssertTrue(days > 29 && days <= 30.01, "the test certificate is valid for 30 days, got \(days)")
    }

    func testRefusalsNameTheFileAndTheReason() throws {
        let certificates = try SharedCertificates.get()
        let ring = TicketKeyRing(rotationSeconds: 3600)
        let garbage = certificates.directory.appendingPathComponent("garbage.pem")
        try Data("not a certificate\n".utf8).write(to: garbage)
        let encrypted = certificates.directory.appendingPathComponent("encrypted.key")
        try certificates.run(["pkey", "-in", certificates.serverKey.path, "-aes256", "-passout", "pass:secret", "-out", encrypted.path])

        let cases: [(String, TLSServerSettings, String)] = [
            ("missing certificate", TLSServerSettings(certificateFile: certificates.directory.appendingPathComponent("nope.pem").path,
                                                      privateKeyFile: certificates.serverKey.path), "--tls-cert"),
            ("garbage certificate", TLSServerSettings(certificateFile: garbage.path, privateKeyFile: certificates.serverKey.path), "--tls-cert"),
            ("key of another certificate", TLSServerSettings(certificateFile: certificates.serverCertificate.path,
                                                             privateKeyFile: certificates.clientKey.path), "does not belong"),
            ("encrypted key", TLSServerSettings(certificateFile: certificates.serverCertificate.path,
                                                privateKeyFile: encrypted.path), "--tls-key"),
            ("garbage client CA", {
                var s = TLSServerSettings(certificateFile: certificates.serverCertificate.path, privateKeyFile: certificates.serverKey.path)
                s.clientCAFile = garbage.path
                s.clientVerify = .require
                return s
            }(), "--tls-client-ca"),
        ]
        for (name, settings, expected) in cases {
            do {
                _ = try TLSServerContext(settings: settings, ticketKeys: ring)
                XCTFail("\(name): loaded")
            } catch {
                XCTAssertTrue(error.description.contains(expected), "\(name): \(error.description)")
                XCTAssertFalse(error.description.contains("\n"), "\(name): one line, got \(error.description)")
            }
        }
    }

    func testPinsParseHexColonsAndBase64() {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(ClientCertificatePins.parseKeyDigest(hex), bytes)
        XCTAssertEqual(ClientCertificatePins.parseKeyDigest(hex.uppercased()), bytes)
        let colons = bytes.map { String(format: "%02X", $0) }.joined(separator: ":")
        XCTAssertEqual(ClientCertificatePins.parseKeyDigest(colons), bytes)
        XCTAssertEqual(ClientCertificatePins.parseKeyDigest(Data(bytes).base64EncodedString()), bytes)
        for bad in ["", String(hex.dropLast()), hex + "00", "zz" + hex.dropFirst(2), String(Data(bytes).base64EncodedString().dropLast()),
                    Data(bytes.dropLast()).base64EncodedString(), "!" + Data(bytes).base64EncodedString().dropFirst()] {
            XCTAssertNil(ClientCertificatePins.parseKeyDigest(bad), "accepted \(bad)")
        }
    }

    func testPinsMatchSubjectAndKey() {
        let key = [UInt8](repeating: 1, count: 32)
        let pins = ClientCertificatePins(subjects: ["CN=a,O=b"], keyDigests: [key])
        XCTAssertNil(pins.mismatch(subject: "CN=a,O=b", keyDigest: key))
        XCTAssertEqual(pins.mismatch(subject: "CN=a", keyDigest: key), "subject not pinned")
        XCTAssertEqual(pins.mismatch(subject: "CN=a,O=b", keyDigest: [UInt8](repeating: 2, count: 32)), "public key not pinned")
        XCTAssertNil(ClientCertificatePins(subjects: [], keyDigests: []).mismatch(subject: "x", keyDigest: nil))
    }
}
