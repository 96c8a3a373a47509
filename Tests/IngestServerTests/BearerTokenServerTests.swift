import Foundation
import IngestHMAC
import IngestOAuth
import IngestTestSupport
import XCTest

/// OAuth bearer tokens end to end: every bad token is refused with 401 and
/// `WWW-Authenticate: Bearer ... error="invalid_token"` before the body is read, nothing is
/// stored, the log says why without the token; a good token with a good HMAC is stored.
final class BearerTokenServerTests: XCTestCase {
    typealias Support = CredentialTestSupport

    func startServer(in directory: URL, extra: [String] = []) throws -> ServerFixture {
        let jwks = directory.appendingPathComponent("jwks.json")
        try Support.keySet([(Support.rsa, "rsa-1"), (Support.ec, "ec-1")]).write(to: jwks, atomically: true, encoding: .utf8)
        return try ServerFixture(arguments: ["--oauth-jwks", jwks.path, "--oauth-issuer", Support.issuer,
                                             "--oauth-audience", "api://other", "--oauth-audience", Support.audience] + extra)
    }

    func testEveryBadTokenIsRefusedAndAGoodOneStores() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-bearer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixture = try startServer(in: directory)
        let client = try fixture.client()
        let key = ConnectMessages.keyA
        let now = Support.now

        let good = Support.token()
        let parts = good.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let tamperedClaims = TokenMinter.claims(issuer: Support.issuer, audiences: [Support.audience], expires: now + 999_999)
        let hsInput = Base64URL.encode(Array(#"{"alg":"HS256","kid":"rsa-1"}"#.utf8)) + "." + parts[1]
        let hsMAC = Base64URL.encode(HMACSHA256.authenticationCode(key: Array(Support.rsa.publicKeyPEM().utf8),
                                                                   message: Array(hsInput.utf8)))
        let bad: [(String, String?, String)] = [
            ("expired", "Bearer " + Support.token(expires: now - 3600), "token expired"),
            ("not yet valid", "Bearer " + Support.token(notBefore: now + 3600), "not valid yet"),
            ("wrong issuer", "Bearer " + Support.token(issuer: "https://evil.example/"), "iss is not the configured issuer"),
            ("wrong audience", "Bearer " + Support.token(audience: "api://someone-else"), "aud names none"),
            ("unknown kid", "Bearer " + Support.token(kid: "rsa-2"), "kid not in the JWKS"),
            ("alg none", "Bearer " + Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + ".", "alg none"),
            ("HS256 with the RSA public key", "Bearer " + hsInput + "." + hsMAC, "HMAC alg"),
            ("tampered payload", "Bearer " + parts[0] + "." + Base64URL.encode(Array(tamperedClaims.utf8)) + "." + parts[2], "signature does not verify"),
            ("malformed base64url", "Bearer " + parts[0] + "." + parts[1] + "=." + parts[2], "three strict base64url parts"),
            ("oversized", "Bearer " + parts[0] + "." + parts[1] + String(repeating: "A", count: 9000) + "." + parts[2], "longer than the limit"),
            ("another scheme", "Basic " + Data("user:pass".utf8).base64EncodedString(), "not Bearer"),
            ("no header", nil, "no Authorization header"),
        ]
        for (index, (name, header, reason)) in bad.enumerated() {
            // Refusal lines are limited to 10 a second per worker: pace them so each is logged.
            if index > 0 && index % 8 == 0 { Thread.sleep(forTimeInterval: 1.1) }
            let body = ConnectMessages.event(100 + index)
            try client.send(Support.request(body, signedWith: [key], extraHeaders: header.map { ["Authorization: \($0)"] } ?? []))
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 401, name)
            let challenge = response.header("WWW-Authenticate") ?? ""
            XCTAssertTrue(challenge.hasPrefix("Bearer realm=\"connect-ingest\""), "\(name): \(challenge)")
            XCTAssertEqual(challenge.contains("error=\"invalid_token\""), header != nil, "\(name): \(challenge)")
            XCTAssertTrue(Support.waitForLines(fixture.server, containing: reason, count: 1, timeout: 5), "\(name): no log line with \(reason)")
        }

        // Good tokens (RSA and EC), the RSA one twice (the second from the cache), with good HMACs.
        let goodEC = Support.token(Support.ec, kid: "ec-1")
        for (n, token) in [good, good, goodEC].enumerated() {
            try client.send(Support.request(ConnectMessages.event(n), signedWith: [key], extraHeaders: ["Authorization: Bearer \(token)"]))
            XCTAssertEqual(try client.readResponse().status, 200, "good token \(n)")
        }
        // A good token does not excuse a bad signature.
        try client.send(Support.request(ConnectMessages.event(50), signedWith: [ConnectMessages.keyB],
                                        extraHeaders: ["authorization: bearer \(good)"]))
        XCTAssertEqual(try client.readResponse().status, 401)

        let metrics = try Support.metrics(fixture.port)
        XCTAssertTrue(metrics.contains("connect_bearer_checks_total{result=\"cached\"} 2"), metrics)   // 2nd good, bad HMAC
        XCTAssertTrue(metrics.contains("connect_bearer_checks_total{result=\"verified\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("connect_bearer_refusals_total{reason=\"expired\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("connect_bearer_refusals_total{reason=\"alg_none\"} 1"), metrics)

        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.map(\.body), [ConnectMessages.event(0), ConnectMessages.event(1), ConnectMessages.event(2)])
        let stderr = fixture.server.stderr
        for token in [good, goodEC] {
            let signaturePart = String(token.split(separator: ".").last!)
            XCTAssertFalse(stderr.contains(signaturePart.prefix(20)), "a token reached the log")
        }
        XCTAssertTrue(stderr.contains("jwks_keys=2"), "start-up line counts the JWKs: \(stderr)")
    }

    func testOAuthFlagsAreCheckedAtStartUp() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-bearer-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let jwks = directory.appendingPathComponent("jwks.json")
        try Support.keySet([(Support.rsa, "rsa-1")]).write(to: jwks, atomically: true, encoding: .utf8)
        let keys = directory.appendingPathComponent("keys.txt")
        try (ConnectMessages.keyA + "\n").write(to: keys, atomically: true, encoding: .utf8)
        let basic = directory.appendingPathComponent("basic.txt")
        try "u:p\n".write(to: basic, atomically: true, encoding: .utf8)
        let base = ["serve", "--check-config", "--log-dir", directory.path, "--hmac-key-file", keys.path, "--oauth-jwks", jwks.path]
        let cases: [([String], String)] = [
            (["--oauth-audience", "a"], "needs --oauth-issuer"),
            (["--oauth-issuer", "i"], "needs --oauth-audience"),
            (["--oauth-issuer", "i", "--oauth-audience", "a", "--basic-auth-file", basic.path], "exclude each other"),
            (["--oauth-issuer", "i", "--oauth-audience", "a", "--oauth-leeway", "2h"], "--oauth-leeway"),
        ]
        for (extra, expected) in cases {
            let (status, _, stderr) = try ServerProcess.runTool(base + extra)
            XCTAssertEqual(status, 2, "\(extra)")
            XCTAssertTrue(stderr.contains(expected), "\(extra): \(stderr)")
        }
        try #"{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}"#.write(to: jwks, atomically: true, encoding: .utf8)
        let (status, _, stderr) = try ServerProcess.runTool(base + ["--oauth-issuer", "i", "--oauth-audience", "a"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(stderr.contains("--oauth-jwks \(jwks.path)") && stderr.contains("no usable key"), stderr)
    }
}

