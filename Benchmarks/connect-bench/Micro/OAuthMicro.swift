import Foundation
import IngestHMAC
import IngestOAuth

/// Micro-benchmarks for IngestOAuth: what a bearer token costs per message once cached (the
/// case DocuSign produces: one token reused until it expires), against what a full verification
/// costs (a token seen for the first time) and what hashing the token with SHA-256 would cost.
/// Every timed loop checks its own answer.
func runOAuthMicro(minimumSeconds: Double) -> [MicroResult] {
    var results: [MicroResult] = []
    let rsa = try! SigningKeyPair.generate(.rsa(bits: 2048))
    let ec = try! SigningKeyPair.generate(.ecP256)
    let issuer = "https://login.example.invalid/tenant/v2.0"
    let audience = "api://connect-ingest"
    let (keySet, _) = try! JSONWebKeySet.parse(Array(TokenMinter.keySet([rsa.jwk(kid: "rsa-1"), ec.jwk(kid: "ec-1")]).utf8),
                                               source: "micro JWKS")
    let verifier = BearerTokenVerifier(keySet: keySet, policy: BearerPolicy(issuer: issuer, audiences: [audience]))
    let now = Int64(Date().timeIntervalSince1970)

    /// Claims like an Okta or Entra ID client-credentials access token; `padding` grows it.
    func token(_ algorithm: SignatureAlgorithm, padding: Int) -> String {
        let claims = """
            {"ver":1,"jti":"AT.\(UUID().uuidString)","iss":"\(issuer)","aud":"\(audience)","iat":\(now),"nbf":\(now),\
            "exp":\(now + 3600),"cid":"0oa1b2c3d4e5f6g7h8i9","sub":"docusign-connect","scp":["connect.webhooks.write"],\
            "tid":"\(UUID().uuidString.lowercased())","oid":"\(UUID().uuidString.lowercased())","extra":"\(String(repeating: "x", count: padding))"}
            """
        let key = algorithm == .es256 ? ec : rsa
        return TokenMinter.token(headerJSON: TokenMinter.header(algorithm: algorithm.rawValue, kid: algorithm == .es256 ? "ec-1" : "rsa-1"),
                                 claimsJSON: claims, algorithm: algorithm, key: key)
    }

    for (label, padding) in [("~1KB", 150), ("~2KB", 900)] {
        let text = token(.rs256, padding: padding)
        let header = Array("Bearer \(text)".utf8)
        let gate = BearerGate(verifier: verifier)
        let first = header.withUnsafeBytes { gate.check(authorization: $0, nowSeconds: now) }
        precondition(first == .verified, "OAuth micro: the token does not verify: \(first)")
        var cached = 0
        let timing = header.withUnsafeBytes { raw in
            measure(minimumSeconds: minimumSeconds, batch: 1000) {
                for _ in 0..<1000 where gate.check(authorization: raw, nowSeconds: now) == .cached { cached += 1 }
            }
        }
        precondition(cached == timing.operations + 1000, "OAuth micro: a cached token missed the cache")
        results.append(MicroResult(name: "bearer cached, \(text.utf8.count) B RS256 token", bytesPerOperation: 0,
                                   operations: timing.operations, nanoseconds: timing.nanoseconds, note: "all cache hits"))

        var digest = [UInt8](repeating: 0, count: SHA256Digest.byteCount)
        let expected = Array(text.utf8).withUnsafeBytes { SHA256Digest.compute($0) }
        var correct = 0
        let sha = Array(text.utf8).withUnsafeBytes { raw in
            digest.withUnsafeMutableBytes { out in
                measure(minimumSeconds: minimumSeconds, batch: 1000) {
                    for _ in 0..<1000 {
                        SHA256Digest.compute(raw, into: out)
                        if out[0] == expected[0] { correct += 1 }
                    }
                }
            }
        }
        precondition(correct == sha.operations + 1000, "OAuth micro: wrong SHA-256")
        results.append(MicroResult(name: "sha256 of that \(label) token", bytesPerOperation: text.utf8.count,
                                   operations: sha.operations, nanoseconds: sha.nanoseconds, note: "what a SHA-256-keyed cache adds"))
    }

    for algorithm in [SignatureAlgorithm.rs256, .es256] {
        let text = Array(token(algorithm, padding: 150).utf8)
        var valid = 0
        let timing = text.withUnsafeBytes { raw in
            measure(minimumSeconds: minimumSeconds, batch: 20) {
                for _ in 0..<20 {
                    if case .success = verifier.verify(token: raw, nowSeconds: now) { valid += 1 }
                }
            }
        }
        precondition(valid == timing.operations + 20, "OAuth micro: a full verification failed")
        results.append(MicroResult(name: "bearer verify \(algorithm.rawValue) (cache miss)", bytesPerOperation: 0,
                                   operations: timing.operations, nanoseconds: timing.nanoseconds, note: "signature and claims"))
    }
    return results
}
