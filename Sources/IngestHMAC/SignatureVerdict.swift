/// The outcome of checking one message's `X-DocuSign-Signature-N` headers.
///
/// Everything except ``verified`` is answered `401` and nothing is stored; ``reason`` is the short
/// text for that answer. The distinction exists for operators (a malformed header points at a
/// proxy mangling headers, a mismatch at a wrong or rotated key), not for the sender.
public enum SignatureVerdict: Sendable, Equatable {
    /// A signature equals the HMAC of the body under a configured key.
    case verified
    /// No key is configured, so nothing can verify (`serve` refuses this unless `--allow-unsigned`).
    case noKeyConfigured
    /// No signature header was offered.
    case missingSignature
    /// Signature headers were offered, but none is 44 characters of base64 for 32 bytes.
    case malformedSignature
    /// Well-formed signatures were offered, but none matches the body under any configured key.
    case mismatch

    /// A short, fixed reason for the `401` body (no allocation: these are literals).
    public var reason: String {
        switch self {
        case .verified: "verified"
        case .noKeyConfigured: "no HMAC key configured"
        case .missingSignature: "missing X-DocuSign-Signature header"
        case .malformedSignature: "malformed X-DocuSign-Signature header"
        case .mismatch: "signature does not match"
        }
    }
}
