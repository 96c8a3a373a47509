/// Why a request's bearer token was refused (`401` with `WWW-Authenticate: Bearer
/// error="invalid_token"`). ``reason`` goes to the operator log; it never contains the token or
/// anything taken from it.
public enum BearerRefusal: UInt8, CaseIterable, Sendable, Error {
    case missing
    case notBearer
    case oversized
    case malformed
    case encrypted
    case malformedHeader
    case algorithmNone
    case symmetricAlgorithm
    case unsupportedAlgorithm
    case criticalHeader
    case unknownKeyID
    case noKeyForAlgorithm
    case algorithmKeyMismatch
    case badSignature
    case malformedClaims
    case missingExpiry
    case expired
    case notYetValid
    case issuedInFuture
    case wrongIssuer
    case wrongAudience

    /// A short fixed text (a literal: no allocation when logged or counted).
    public var reason: String {
        switch self {
        case .missing: "no Authorization header"
        case .notBearer: "Authorization is not Bearer <token>"
        case .oversized: "token longer than the limit"
        case .malformed: "token is not three strict base64url parts (compact JWS)"
        case .encrypted: "encrypted tokens (JWE) are not supported"
        case .malformedHeader: "JOSE header is not a JSON object with a string alg"
        case .algorithmNone: "alg none (unsigned token)"
        case .symmetricAlgorithm: "HMAC alg (HS256/384/512) is never accepted"
        case .unsupportedAlgorithm: "alg not one of RS256 RS384 RS512 PS256 ES256"
        case .criticalHeader: "crit header names extensions this verifier does not implement"
        case .unknownKeyID: "kid not in the JWKS"
        case .noKeyForAlgorithm: "no kid, and the JWKS has no single key for the alg"
        case .algorithmKeyMismatch: "alg does not match the key's type or alg"
        case .badSignature: "signature does not verify"
        case .malformedClaims: "claims are not a JSON object with well-typed exp/nbf/iat/iss/aud"
        case .missingExpiry: "no exp claim"
        case .expired: "token expired"
        case .notYetValid: "token not valid yet (nbf)"
        case .issuedInFuture: "token issued in the future (iat)"
        case .wrongIssuer: "iss is not the configured issuer"
        case .wrongAudience: "aud names none of the configured audiences"
        }
    }

    /// A stable label for metrics (`reason="..."`).
    public var label: String {
        switch self {
        case .missing: "missing"
        case .notBearer: "not_bearer"
        case .oversized: "oversized"
        case .malformed: "malformed"
        case .encrypted: "encrypted"
        case .malformedHeader: "malformed_header"
        case .algorithmNone: "alg_none"
        case .symmetricAlgorithm: "alg_hmac"
        case .unsupportedAlgorithm: "alg_unsupported"
        case .criticalHeader: "crit"
        case .unknownKeyID: "unknown_kid"
        case .noKeyForAlgorithm: "no_key"
        case .algorithmKeyMismatch: "alg_key_mismatch"
        case .badSignature: "bad_signature"
        case .malformedClaims: "malformed_claims"
        case .missingExpiry: "missing_exp"
        case .expired: "expired"
        case .notYetValid: "not_yet_valid"
        case .issuedInFuture: "issued_in_future"
        case .wrongIssuer: "wrong_issuer"
        case .wrongAudience: "wrong_audience"
        }
    }
}
