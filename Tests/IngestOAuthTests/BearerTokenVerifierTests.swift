import IngestOAuth
import XCTest

/// Full token verification: every accepted algorithm passes; every way a token can be wrong is
/// refused with its own reason.
final class BearerTokenVerifierTests: XCTestCase {
    let now: Int64 = 1_790_000_000
    lazy var verifier = TestKeys.verifier()

    func testValidTokensForEveryAlgorithm() {
        for algorithm in SignatureAlgorithm.allCases {
            let token = TestKeys.token(algorithm: algorithm, kid: algorithm == .es256 ? "ec-1" : "rsa-1", now: now)
            XCTAssertEqual(try verifier.verify(token, now: now).get(), now + 3600 + 60, "\(algorithm)")
        }
        let several = TestKeys.token(now: now, audiences: ["other-api", TestKeys.audience])
        XCTAssertNoThrow(try verifier.verify(several, now: now).get(), "aud as an array containing ours")
    }

    func testTimeClaimsWithLeeway() {
        let expires = now + 100
        let token = TestKeys.token(now: now, expires: expires)
        XCTAssertNoThrow(try verifier.verify(token, now: expires + 60).get(), "within the leeway")
        XCTAssertEqual(refusal(verifier.verify(token, now: expires + 61)), .expired)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(now: now, expires: .some(nil)), now: now)), .missingExpiry)
        let later = TestKeys.token(now: now, notBefore: now + 120)
        XCTAssertEqual(refusal(verifier.verify(later, now: now)), .notYetValid)
        XCTAssertNoThrow(try verifier.verify(later, now: now + 60).get())
        let future = TestKeys.token(now: now, issuedAt: now + 61)
        XCTAssertEqual(refusal(verifier.verify(future, now: now)), .issuedInFuture)
        XCTAssertNoThrow(try verifier.verify(TestKeys.token(now: now, issuedAt: now + 60), now: now).get())
    }

    func testIssuerAndAudience() {
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(now: now, issuer: "https://evil.example/"), now: now)), .wrongIssuer)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(now: now, issuer: nil), now: now)), .wrongIssuer)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(now: now, audiences: ["api://other"]), now: now)), .wrongAudience)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(now: now, audiences: nil), now: now)), .wrongAudience)
        XCTAssertEqual(refusal(verifier.verify(signed(#"{"iss":"\#(TestKeys.issuer)","aud":[1],"exp":\#(now + 10)}"#), now: now)), .malformedClaims)
        XCTAssertEqual(refusal(verifier.verify(signed(#"{"iss":"\#(TestKeys.issuer)","aud":"\#(TestKeys.audience)","exp":"soon"}"#), now: now)), .malformedClaims)
        XCTAssertEqual(refusal(verifier.verify(signed(#"{"iss":"\#(TestKeys.issuer)","aud":"\#(TestKeys.audience)","exp":true}"#), now: now)), .malformedClaims)
        XCTAssertEqual(refusal(verifier.verify(signed(#"["not","an","object"]"#), now: now)), .malformedClaims)
        XCTAssertEqual(refusal(verifier.verify(signed(#"{"exp":1,"exp":2}"#), now: now)), .malformedClaims)
    }

    func testHeaderAndKeySelection() {
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(kid: "rsa-9", now: now), now: now)), .unknownKeyID)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(algorithm: .es256, kid: "rsa-1", now: now), now: now)), .algorithmKeyMismatch)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(algorithm: .rs256, kid: "ec-1", key: TestKeys.rsa, now: now), now: now)), .algorithmKeyMismatch)
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(kid: nil, now: now), now: now)), .noKeyForAlgorithm,
                       "no kid and no kid-less key")
        XCTAssertEqual(refusal(verifier.verify(TestKeys.token(key: TestKeys.rsaOther, now: now), now: now)), .badSignature)
        let critical = TokenMinter.token(headerJSON: #"{"alg":"RS256","kid":"rsa-1","crit":["exp"]}"#,
                                         claimsJSON: goodClaims, algorithm: .rs256, key: TestKeys.rsa)
        XCTAssertEqual(refusal(verifier.verify(critical, now: now)), .criticalHeader)
        let ps384 = part(#"{"alg":"PS384","kid":"rsa-1"}"#) + "." + part(goodClaims) + "." + part("sig")
        XCTAssertEqual(refusal(verifier.verify(ps384, now: now)), .unsupportedAlgorithm)
        let noAlg = part(#"{"kid":"rsa-1"}"#) + "." + part(goodClaims) + "." + part("sig")
        XCTAssertEqual(refusal(verifier.verify(noAlg, now: now)), .malformedHeader)
        let numericKid = part(#"{"alg":"RS256","kid":7}"#) + "." + part(goodClaims) + "." + part("sig")
        XCTAssertEqual(refusal(verifier.verify(numericKid, now: now)), .malformedHeader)

        // One kid-less key in the set: a token without kid uses it.
        let (single, _) = try! JSONWebKeySet.parse(Array(TokenMinter.keySet([TestKeys.ec.jwk(kid: nil)]).utf8), source: "jwks")
        let kidless = BearerTokenVerifier(keySet: single, policy: verifier.policy)
        XCTAssertNoThrow(try kidless.verify(TestKeys.token(algorithm: .es256, kid: nil, now: now), now: now).get())
    }

    func testUnsignedAndSymmetricForgeries() {
        let none = part(#"{"alg":"none","typ":"JWT"}"#) + "." + part(goodClaims) + "."
        XCTAssertEqual(refusal(verifier.verify(none, now: now)), .algorithmNone)
        let noneKid = part(#"{"alg":"none","kid":"rsa-1"}"#) + "." + part(goodClaims) + "." + part("x")
        XCTAssertEqual(refusal(verifier.verify(noneKid, now: now)), .algorithmNone)
        // The classic key-confusion forgery: HS256 with the RSA public key (PEM) as the secret.
        let input = part(#"{"alg":"HS256","kid":"rsa-1"}"#) + "." + part(goodClaims)
        let mac = hmacSHA256(key: Array(TestKeys.rsa.publicKeyPEM().utf8), message: Array(input.utf8))
        XCTAssertEqual(refusal(verifier.verify(input + "." + Base64URL.encode(mac), now: now)), .symmetricAlgorithm)
    }

    func testStructureTamperingAndSize() {
        let token = TestKeys.token(now: now)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let tamperedClaims = TokenMinter.claims(issuer: TestKeys.issuer, audiences: [TestKeys.audience], expires: now + 999_999)
        XCTAssertEqual(refusal(verifier.verify(parts[0] + "." + part(tamperedClaims) + "." + parts[2], now: now)), .badSignature)
        XCTAssertEqual(refusal(verifier.verify(parts[0] + "." + parts[1] + "=." + parts[2], now: now)), .malformed, "padding")
        XCTAssertEqual(refusal(verifier.verify(parts[0] + "." + parts[1] + "." + parts[2] + "==", now: now)), .malformed, "padding")
        XCTAssertEqual(refusal(verifier.verify(parts[0] + "." + parts[1].replacingOccurrences(of: "_", with: "/")
                                               .replacingOccurrences(of: "-", with: "+") + "+." + parts[2], now: now)), .malformed)
        XCTAssertEqual(refusal(verifier.verify(parts[0] + " ." + parts[1] + "." + parts[2], now: now)), .malformed)
        XCTAssertEqual(refusal(verifier.verify(parts[0] + "." + parts[1], now: now)), .malformed, "two parts")
        XCTAssertEqual(refusal(verifier.verify("." + parts[1] + "." + parts[2], now: now)), .malformed, "empty header")
        XCTAssertEqual(refusal(verifier.verify(token + ".x", now: now)), .malformed, "four parts")
        XCTAssertEqual(refusal(verifier.verify("a.b.c.d.e", now: now)), .encrypted)
        XCTAssertEqual(refusal(verifier.verify(part("not json") + "." + parts[1] + "." + parts[2], now: now)), .malformedHeader)
        // Signature flipped in its last character (still strict base64url).
        var signature = Array(parts[2].utf8)
        signature[signature.count - 2] = signature[signature.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertEqual(refusal(verifier.verify(parts[0] + "." + parts[1] + "." + String(decoding: signature, as: UTF8.self), now: now)), .badSignature)

        let small = TestKeys.verifier(maximumTokenBytes: token.utf8.count - 1)
        XCTAssertEqual(refusal(small.verify(token, now: now)), .oversized)
        XCTAssertNoThrow(try TestKeys.verifier(maximumTokenBytes: token.utf8.count).verify(token, now: now).get())
    }

    // MARK: helpers

    var goodClaims: String { TokenMinter.claims(issuer: TestKeys.issuer, audiences: [TestKeys.audience], expires: now + 600) }

    func part(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    /// A correctly RS256-signed token (kid rsa-1) carrying `claims` as they are.
    func signed(_ claims: String) -> String {
        TokenMinter.token(headerJSON: TokenMinter.header(algorithm: "RS256", kid: "rsa-1"), claimsJSON: claims,
                          algorithm: .rs256, key: TestKeys.rsa)
    }

    func refusal(_ result: Result<Int64, BearerRefusal>) -> BearerRefusal? {
        if case .failure(let refusal) = result { return refusal }
        return nil
    }
}
