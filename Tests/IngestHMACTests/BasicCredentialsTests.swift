import Foundation
import XCTest
import IngestHMAC
import IngestTestSupport

final class BasicCredentialsTests: XCTestCase {
    let credentials = BasicCredentials(userColonPassword: "docusign:s3cr:et pass".bytes)
    var token: String { String(decoding: Base64.encode("docusign:s3cr:et pass".bytes), as: UTF8.self) }

    func matches(_ value: String) -> Bool {
        value.bytes.withUnsafeBytes { credentials.matches(authorizationValue: $0) }
    }

    func testMatch() {
        XCTAssertTrue(matches("Basic \(token)"))
        XCTAssertTrue(matches("Basic    \(token)"), "several spaces")
        XCTAssertTrue(matches("  Basic \(token)\t "), "surrounding whitespace")
    }

    func testSchemeIsCaseInsensitive() {
        for scheme in ["basic", "BASIC", "bAsIc"] {
            XCTAssertTrue(matches("\(scheme) \(token)"), scheme)
        }
    }

    func testMismatches() {
        let wrongPassword = String(decoding: Base64.encode("docusign:s3cr:et pasS".bytes), as: UTF8.self)
        let wrongUser = String(decoding: Base64.encode("Docusign:s3cr:et pass".bytes), as: UTF8.self)
        let cases = [
            "Basic \(wrongPassword)", "Basic \(wrongUser)", "Bearer \(token)", "Basics \(token)", "Basic\(token)",
            "Basic", "Basic ", "", token, "Basic \(token)x", "Basic \(token.dropLast())", "Basic \(token.lowercased())",
            "Basic !!!!", "Basic ZG9jdXNpZ246czNjcjpldCBwYXNz====", "Basic \(token) \(token)",
            "Digest \(token)", "Basic\t\(token.dropFirst())",
        ]
        for value in cases {
            XCTAssertFalse(matches(value), value.debugDescription)
        }
    }

    func testLoadTrimsTrailingNewlineAndRequiresColon() throws {
        let directory = try ProjectPaths.temporaryDirectory("hmac-basic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("basic").path
        try Data("docusign:s3cr:et pass\r\n".utf8).write(to: URL(fileURLWithPath: path))
        let loaded = try BasicCredentials.load(file: path)
        XCTAssertTrue("Basic \(token)".bytes.withUnsafeBytes { loaded.matches(authorizationValue: $0) })

        let noColon = directory.appendingPathComponent("no-colon").path
        try Data("docusign-s3cret\n".utf8).write(to: URL(fileURLWithPath: noColon))
        XCTAssertThrowsError(try BasicCredentials.load(file: noColon)) { error in
            let error = error as! CredentialFileError
            XCTAssertEqual(error.code, .noColon)
            XCTAssertTrue(error.description.contains(noColon), error.description)
            XCTAssertFalse(error.description.contains("s3cret"), error.description)
        }
        XCTAssertThrowsError(try BasicCredentials.load(file: directory.appendingPathComponent("missing").path)) { error in
            XCTAssertEqual((error as! CredentialFileError).code, .unreadable)
        }
    }

    func testDescriptionIsRedacted() {
        XCTAssertEqual("\(credentials)", "BasicCredentials(<redacted>)")
        var dumped = ""
        dump(credentials, to: &dumped)
        XCTAssertFalse(dumped.contains("Digest"), dumped)
    }
}
