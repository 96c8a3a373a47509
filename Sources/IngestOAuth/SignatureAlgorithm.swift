/// The JWS `alg` values a bearer token may use (RFC 7518 §3.1), and nothing else.
///
/// Deliberately absent: `none` (an unsigned token), `HS256`/`HS384`/`HS512` (a shared secret; with
/// a published public key as the "secret" anyone could sign), and everything else. Each accepted
/// algorithm belongs to one key type, checked against the key the token names, so an RSA key is
/// never used for ECDSA or the reverse.
public enum SignatureAlgorithm: String, CaseIterable, Sendable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case es256 = "ES256"

    /// The key type this algorithm needs.
    public var keyType: PublicKey.KeyType {
        switch self {
        case .rs256, .rs384, .rs512, .ps256: .rsa
        case .es256: .ecP256
        }
    }

    /// The OpenSSL digest name.
    var digestName: String {
        switch self {
        case .rs256, .ps256, .es256: "SHA256"
        case .rs384: "SHA384"
        case .rs512: "SHA512"
        }
    }

    /// RSASSA-PSS (RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash).
    var usesPSS: Bool { self == .ps256 }
}
