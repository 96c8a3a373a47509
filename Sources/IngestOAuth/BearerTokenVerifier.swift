/// Verifies a JWT access token from scratch: compact JWS structure, JOSE header, key selection,
/// signature (libcrypto) and claims (RFC 7519 §7.2, RFC 9068 §4).
///
/// This is the slow path, run once per distinct token per worker: it allocates (decoded parts,
/// a parsed header and claims, an `EVP_MD_CTX`). ``BearerGate`` puts a cache in front of it so
/// a token DocuSign repeats for many messages costs a lookup afterwards.
///
/// Immutable and `Sendable`: one verifier per credentials generation, shared by every worker.
public final class BearerTokenVerifier: Sendable {
    public let keySet: JSONWebKeySet
    public let policy: BearerPolicy

    public init(keySet: JSONWebKeySet, policy: BearerPolicy) {
        precondition(!policy.audiences.isEmpty, "a bearer policy needs at least one audience")
        self.keySet = keySet
        self.policy = policy
    }

    /// Verifies `token` (the text after `Bearer `) at `nowSeconds` (Unix time). On success returns
    /// the last second at which the token is still acceptable: `exp` plus the leeway.
    public func verify(token: UnsafeRawBufferPointer, nowSeconds: Int64) -> Result<Int64, BearerRefusal> {
        guard token.count <= policy.maximumTokenBytes else { return .failure(.oversized) }
        var dots: [Int] = []
        for (offset, byte) in token.enumerated() where byte == UInt8(ascii: ".") {
            dots.append(offset)
            if dots.count > 4 { break }
        }
        if dots.count == 4 { return .failure(.encrypted) }
        guard dots.count == 2 else { return .failure(.malformed) }
        let headerText = UnsafeRawBufferPointer(rebasing: token[0..<dots[0]])
        let payloadText = UnsafeRawBufferPointer(rebasing: token[(dots[0] + 1)..<dots[1]])
        let signatureText = UnsafeRawBufferPointer(rebasing: token[(dots[1] + 1)...])
        guard !headerText.isEmpty, !payloadText.isEmpty,
              let headerBytes = Base64URL.decode(headerText),
              let payloadBytes = Base64URL.decode(payloadText),
              let signature = Base64URL.decode(signatureText) else { return .failure(.malformed) }

        guard let header = JSONValue.parse(headerBytes), header.isObject,
              let algorithmName = header["alg"]?.stringValue else { return .failure(.malformedHeader) }
        let algorithm: SignatureAlgorithm
        switch algorithmName {
        case "none", "None", "NONE": return .failure(.algorithmNone)
        case "HS256", "HS384", "HS512": return .failure(.symmetricAlgorithm)
        default:
            guard let known = SignatureAlgorithm(rawValue: algorithmName) else { return .failure(.unsupportedAlgorithm) }
            algorithm = known
        }
        // RFC 7515 §4.1.11: a recipient that does not understand a listed extension must refuse.
        if header["crit"] != nil { return .failure(.criticalHeader) }

        let key: JSONWebKey
        switch selectKey(header["kid"], algorithm: algorithm) {
        case .success(let selected): key = selected
        case .failure(let refusal): return .failure(refusal)
        }
        let signingInput = UnsafeRawBufferPointer(rebasing: token[0..<dots[1]])
        guard key.key.verify(algorithm, signingInput: signingInput, signature: signature) else {
            return .failure(.badSignature)
        }
        guard let claims = JSONValue.parse(payloadBytes), claims.isObject else { return .failure(.malformedClaims) }
        return check(claims, nowSeconds: nowSeconds)
    }

    /// The key the header's `kid` names, checked against `algorithm`; without a `kid`, the one key
    /// of the set that permits `algorithm`.
    private func selectKey(_ kid: JSONValue?, algorithm: SignatureAlgorithm) -> Result<JSONWebKey, BearerRefusal> {
        if let kid {
            guard let name = kid.stringValue else { return .failure(.malformedHeader) }
            guard let key = keySet.keys.first(where: { $0.keyID == name }) else { return .failure(.unknownKeyID) }
            return key.permits(algorithm) ? .success(key) : .failure(.algorithmKeyMismatch)
        }
        let candidates = keySet.keys.filter { $0.keyID == nil && $0.permits(algorithm) }
        return candidates.count == 1 ? .success(candidates[0]) : .failure(.noKeyForAlgorithm)
    }

    /// The registered claims: `exp` required, `nbf` and `iat` optional, all with the leeway; `iss`
    /// exact; `aud` a string or an array of strings containing a configured audience.
    private func check(_ claims: JSONValue, nowSeconds: Int64) -> Result<Int64, BearerRefusal> {
        let now = Double(nowSeconds)
        let leeway = Double(policy.leewaySeconds)
        guard let expiryClaim = claims["exp"] else { return .failure(.missingExpiry) }
        guard let expiry = expiryClaim.numberValue else { return .failure(.malformedClaims) }
        var notBefore: Double?
        if let claim = claims["nbf"] {
            guard let value = claim.numberValue else { return .failure(.malformedClaims) }
            notBefore = value
        }
        var issuedAt: Double?
        if let claim = claims["iat"] {
            guard let value = claim.numberValue else { return .failure(.malformedClaims) }
            issuedAt = value
        }
        var audiences: [String] = []
        switch claims["aud"] {
        case nil: break
        case .string(let single)?: audiences = [single]
        case .array(let items)?:
            for item in items {
                guard let text = item.stringValue else { return .failure(.malformedClaims) }
                audiences.append(text)
            }
        default: return .failure(.malformedClaims)
        }
        if let issuer = claims["iss"], issuer.stringValue == nil { return .failure(.malformedClaims) }

        if now > expiry + leeway { return .failure(.expired) }
        if let notBefore, now + leeway < notBefore { return .failure(.notYetValid) }
        if let issuedAt, issuedAt > now + leeway { return .failure(.issuedInFuture) }
        guard claims["iss"]?.stringValue == policy.issuer else { return .failure(.wrongIssuer) }
        guard audiences.contains(where: policy.audiences.contains) else { return .failure(.wrongAudience) }
        // Far-future expiries are clamped so the arithmetic below and in the cache cannot overflow.
        let lastSecond = min(expiry, 1e15).rounded(.down)
        return .success(Int64(lastSecond) + policy.leewaySeconds)
    }
}
