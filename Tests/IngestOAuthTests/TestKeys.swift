import IngestHMAC
import IngestOAuth

/// Keys generated once per test process with libcrypto (RSA generation takes a while).
enum TestKeys {
    static let rsa: SigningKeyPair = try! SigningKeyPair.generate(.rsa(bits: 2048))
    static let rsaOther: SigningKeyPair = try! SigningKeyPair.generate(.rsa(bits: 2048))
    static let ec: SigningKeyPair = try! SigningKeyPair.generate(.ecP256)
    static let ecOther: SigningKeyPair = try! SigningKeyPair.generate(.ecP256)

    static let issuer = "https://login.example.test/tenant-1/"
    static let audience = "api://connect-ingest"

    /// A JWKS with `rsa` as kid "rsa-1" and `ec` as kid "ec-1".
    static var keySetJSON: String {
        TokenMinter.keySet([rsa.jwk(kid: "rsa-1"), ec.jwk(kid: "ec-1")])
    }

    static func verifier(leeway: Int64 = 60, audiences: [String] = [audience], maximumTokenBytes: Int = 8192) -> BearerTokenVerifier {
        let (keySet, _) = try! JSONWebKeySet.parse(Array(keySetJSON.utf8), source: "test JWKS")
        return BearerTokenVerifier(keySet: keySet, policy: BearerPolicy(issuer: issuer, audiences: audiences,
                                                                        leewaySeconds: leeway, maximumTokenBytes: maximumTokenBytes))
    }

    /// A token with the standard good claims at `now`, changed by the arguments.
    static func token(algorithm: SignatureAlgorithm = .rs256, kid: String? = "rsa-1", key: SigningKeyPair? = nil,
                      now: Int64, issuer: String? = TestKeys.issuer, audiences: [String]? = [TestKeys.audience],
                      expires: Int64?? = nil, notBefore: Int64? = nil, issuedAt: Int64? = nil) -> String {
        let signer = key ?? (algorithm == .es256 ? ec : rsa)
        let claims = TokenMinter.claims(issuer: issuer, audiences: audiences, expires: expires ?? (now + 3600),
                                        notBefore: notBefore, issuedAt: issuedAt ?? now)
        return TokenMinter.token(headerJSON: TokenMinter.header(algorithm: algorithm.rawValue, kid: kid),
                                 claimsJSON: claims, algorithm: algorithm, key: signer)
    }
}

extension BearerTokenVerifier {
    func verify(_ token: String, now: Int64) -> Result<Int64, BearerRefusal> {
        Array(token.utf8).withUnsafeBytes { verify(token: $0, nowSeconds: now) }
    }
}

/// HMAC-SHA256 through IngestHMAC's one-shot API (for the HS256 forgery test).
func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
    HMACSHA256.authenticationCode(key: key, message: message)
}
