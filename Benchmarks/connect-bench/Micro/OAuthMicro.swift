import Foundation
import IngestHMAC
import IngestHTTP
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

    results += runBearerHeadMicro(minimumSeconds: minimumSeconds, gate: BearerGate(verifier: verifier),
                                  token: token(.rs256, padding: 150), now: now)

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

/// What a cached bearer token adds per message in the server's user space: the DocuSign POST head
/// parsed and scanned for `Authorization` as the server does, with no such header, and with
/// `Authorization: Bearer <token>` plus the cached check. Interleaved rounds; the note gives the
/// median of the per-round differences.
func runBearerHeadMicro(minimumSeconds: Double, gate: BearerGate, token: String, now: Int64) -> [MicroResult] {
    let plain = HTTPMicroFixture.head(framing: "Content-Length: 0")
    var withToken = plain
    withToken.removeLast(2)   // the blank line
    withToken += Array("Authorization: Bearer \(token)\r\n\r\n".utf8)
    let parser = RequestParser(limits: HTTPLimits())

    /// Parses one head; with `checkToken`, finds the Authorization header and checks it.
    func parseAndCheck(_ bytes: UnsafeRawBufferPointer, checkToken: Bool) -> Int {
        parser.reset()
        guard case .head = parser.parse(bytes) else { preconditionFailure("bearer head micro: no head") }
        var authorization: UnsafeRawBufferPointer?
        for index in 0..<parser.head.headerCount
        where spanEquals(parser.headerName(at: index), in: bytes, lowercase: "authorization") {
            authorization = UnsafeRawBufferPointer(rebasing: bytes[parser.headerValue(at: index).range])
        }
        guard checkToken else {
            precondition(authorization == nil, "bearer head micro: unexpected Authorization")
            return parser.head.headerCount
        }
        precondition(gate.check(authorization: authorization, nowSeconds: now) == .cached, "bearer head micro: not cached")
        return parser.head.headerCount
    }
    _ = Array("Bearer \(token)".utf8).withUnsafeBytes { gate.check(authorization: $0, nowSeconds: now) }   // now cached

    let variants: [(String, [UInt8], Bool)] = [("http head, no Authorization", plain, false),
                                               ("http head + cached Bearer (1 KB)", withToken, true)]
    var rounds: [[Double]] = [[], []]
    var operations = [0, 0]
    let roundCount = 11
    for _ in 0..<roundCount {
        for (index, variant) in variants.enumerated() {
            var headers = 0
            let timing = variant.1.withUnsafeBytes { bytes in
                measure(minimumSeconds: max(0.02, minimumSeconds / Double(roundCount)), batch: 1000) {
                    for _ in 0..<1000 { headers &+= parseAndCheck(bytes, checkToken: variant.2) }
                }
            }
            precondition(headers == (timing.operations + 1000) * (variant.2 ? 11 : 10), "bearer head micro: wrong header count")
            rounds[index].append(timing.nanoseconds / Double(timing.operations))
            operations[index] += timing.operations
        }
    }
    let differences = zip(rounds[1], rounds[0]).map { $0 - $1 }.sorted()
    return variants.indices.map { index in
        let median = rounds[index].sorted()[roundCount / 2]
        let note = index == 0 ? "median of \(roundCount) interleaved rounds"
            : "per-round difference: median \(String(format: "%.0f", differences[roundCount / 2])) ns"
        return MicroResult(name: variants[index].0, bytesPerOperation: variants[index].1.count, operations: operations[index],
                           nanoseconds: median * Double(operations[index]), note: note)
    }
}
