internal import COpenSSL

/// One-shot HMAC-SHA256 for tools, tests and the load generator (the server streams through
/// ``MessageAuthenticator`` instead).
///
/// Computed by OpenSSL's own `HMAC()`, independently of the prepared-state code the server uses,
/// so tests can check one against the other. `HMAC()` sets up an `EVP_MAC` context per call
/// (allocation, provider look-up): fine for signing test messages, not for the per-request path.
public enum HMACSHA256 {
    /// The 32-byte HMAC-SHA256 of `message` under `key` (the key's bytes used as given).
    ///
    /// Traps if OpenSSL fails, which with the default provider it does only on memory exhaustion.
    public static func authenticationCode(key: [UInt8], message: UnsafeRawBufferPointer) -> [UInt8] {
        precondition(key.count <= Int(Int32.max), "HMAC key too long for OpenSSL: \(key.count) bytes")
        var output = [UInt8](repeating: 0, count: Digest.byteCount)
        var outputLength: UInt32 = 0
        // HMAC() takes the message as `const unsigned char *`; an empty message may have no base
        // address, so point at a dummy byte instead (length 0 means it is never read).
        let dummy: UInt8 = 0
        withUnsafePointer(to: dummy) { dummyPointer in
            let data = message.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? dummyPointer
            guard let digest = EVP_sha256() else { preconditionFailure("EVP_sha256() returned NULL") }
            let result = key.withUnsafeBytes { keyBytes in
                output.withUnsafeMutableBufferPointer { out in
                    HMAC(digest, keyBytes.baseAddress ?? UnsafeRawPointer(dummyPointer), Int32(key.count),
                         data, message.count, out.baseAddress, &outputLength)
                }
            }
            precondition(result != nil, "OpenSSL HMAC() failed")
        }
        precondition(outputLength == UInt32(Digest.byteCount), "HMAC-SHA256 gave \(outputLength) bytes")
        return output
    }

    /// The 32-byte HMAC-SHA256 of `message` under `key` (array convenience).
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticationCode(key: key, message: $0) }
    }

    /// The `X-DocuSign-Signature-N` value DocuSign would send: the base64 of the HMAC, 44 characters.
    public static func signatureHeaderValue(key: [UInt8], message: UnsafeRawBufferPointer) -> [UInt8] {
        Base64.encode(authenticationCode(key: key, message: message))
    }

    /// The `X-DocuSign-Signature-N` value for `message` (array convenience).
    public static func signatureHeaderValue(key: [UInt8], message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { signatureHeaderValue(key: key, message: $0) }
    }
}
