import Foundation
import IngestOAuth
import IngestTestSupport
import XCTest

/// JWKS loading: usable RSA and P-256 keys are kept; everything else is skipped with a warning
/// that names the entry; a document with no usable key, or no JWKS at all, is an error.
final class JSONWebKeySetTests: XCTestCase {
    func testKeepsSigningKeysAndSkipsTheRestWithWarnings() throws {
        let ec = TestKeys.ec.jwk(kid: "ec-1", algorithm: "ES256", use: "sig")
        let entries = [
            TestKeys.rsa.jwk(kid: "rsa-1"),
            ec,
            #"{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}"#,
            TestKeys.rsaOther.jwk(kid: "enc-1", use: "enc"),
            #"{"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"}"#,
            TestKeys.rsaOther.jwk(kid: "rsa-1"),
            TestKeys.rsaOther.jwk(kid: "wrong-alg", algorithm: "ES256"),
            TestKeys.rsaOther.jwk(kid: "hs", algorithm: "HS256"),
            #"{"kty":"RSA","kid":"padded","n":"AQAB==","e":"AQAB"}"#,
            #""just a string""#,
            TestKeys.ecOther.jwk(kid: nil),
        ]
        let (keySet, warnings) = try JSONWebKeySet.parse(Array(TokenMinter.keySet(entries).utf8), source: "keys.json")
        XCTAssertEqual(keySet.keys.map(\.keyID), ["rsa-1", "ec-1", nil])
        XCTAssertEqual(keySet.rsaKeyCount, 1)
        XCTAssertEqual(keySet.ecKeyCount, 2)
        XCTAssertEqual(keySet.keys[1].algorithm, .es256)
        let expectations = [
            "key 3 (kid \"hmac\") skipped: symmetric keys",
            "key 5 (kid \"p384\") skipped: curve \"P-384\"",
            "key 6 (kid \"rsa-1\") repeats a kid",
            "key 7 (kid \"wrong-alg\") skipped: alg ES256 does not fit a RSA key",
            "key 8 (kid \"hs\") skipped: alg \"HS256\" is not accepted",
            "key 9 (kid \"padded\") skipped: \"n\" is not strict unpadded base64url",
            "key 10 skipped: not a JSON object",
            "key 11 has no kid",
        ]
        for expected in expectations {
            XCTAssertTrue(warnings.contains { $0.contains(expected) }, "no warning containing \(expected) in \(warnings)")
        }
        XCTAssertFalse(warnings.contains { $0.contains("enc-1") }, "an encryption key is skipped silently: \(warnings)")
        XCTAssertEqual(warnings.count, expectations.count, "\(warnings)")
        XCTAssertTrue(warnings.allSatisfy { $0.hasPrefix("keys.json: key ") }, "\(warnings)")
    }

    func testDocumentsThatAreNotUsable() {
        let cases: [(String, String)] = [
            ("not json", "is not a JSON object"),
            ("[1,2]", "is not a JSON object"),
            (#"{"kids":[]}"#, "has no \"keys\" array"),
            (#"{"keys":[]}"#, "holds no usable key"),
            (#"{"keys":[{"kty":"oct","k":"AA"}]}"#, "holds no usable key"),
            (#"{"keys":[],"keys":[]}"#, "is not a JSON object"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try JSONWebKeySet.parse(Array(text.utf8), source: "jwks")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testLoadsFromAFileAndNamesAMissingOne() throws {
        let directory = try ProjectPaths.temporaryDirectory("oauth-jwks")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("jwks.json")
        try TestKeys.keySetJSON.write(to: file, atomically: true, encoding: .utf8)
        let (keySet, warnings) = try JSONWebKeySet.load(path: file.path)
        XCTAssertEqual(keySet.keys.count, 2)
        XCTAssertEqual(warnings, [])
        let missing = directory.appendingPathComponent("absent.json").path
        XCTAssertThrowsError(try JSONWebKeySet.load(path: missing)) { error in
            XCTAssertTrue("\(error)".contains(missing), "\(error)")
        }
    }
}
