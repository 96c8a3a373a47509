internal import COpenSSL

/// One verification key from a JWKS, as an OpenSSL `EVP_PKEY` built with the OpenSSL 3 API
/// (`EVP_PKEY_fromdata` from `OSSL_PARAM`s), owned by this object and freed with it.
///
/// Immutable after construction; OpenSSL 3 allows one `EVP_PKEY` to be used by several threads at
/// once as long as nobody modifies it, and each verification gets its own `EVP_MD_CTX`. The
/// description shows the type and size only.
public final class PublicKey: @unchecked Sendable, CustomStringConvertible {
    public enum KeyType: String, Sendable {
        case rsa = "RSA"
        case ecP256 = "EC P-256"
    }

    /// RSA moduli below this many bits are refused (RFC 7518 §3.3 requires 2048 or more).
    public static let minimumRSABits = 2048

    public let type: KeyType
    /// The modulus size for RSA, 256 for P-256.
    public let bits: Int
    /// The `EVP_PKEY *`.
    let key: OpaquePointer

    private init(type: KeyType, key: OpaquePointer) {
        self.type = type
        self.key = key
        bits = Int(EVP_PKEY_get_bits(key))
    }

    deinit { EVP_PKEY_free(key) }

    public var description: String { "PublicKey(\(type.rawValue), \(bits) bits)" }

    /// An RSA public key from the big-endian modulus and exponent (a JWK's `n` and `e`).
    public static func rsa(modulus: [UInt8], exponent: [UInt8]) throws(KeyImportError) -> PublicKey {
        let modulus = Array(modulus.drop { $0 == 0 })
        guard modulus.count * 8 >= minimumRSABits - 7 else {
            throw KeyImportError("RSA modulus of \(modulus.count * 8) bits is too small (at least \(minimumRSABits))")
        }
        guard !exponent.isEmpty, exponent.count <= 8 else { throw KeyImportError("RSA exponent of \(exponent.count) bytes is implausible") }
        let key = try build(algorithm: "RSA", [.bignum("n", modulus), .bignum("e", exponent)])
        let result = PublicKey(type: .rsa, key: key)
        guard result.bits >= minimumRSABits else {
            throw KeyImportError("RSA modulus of \(result.bits) bits is too small (at least \(minimumRSABits))")
        }
        try result.checkPublic()
        return result
    }

    /// A P-256 public key from its affine coordinates (a JWK's `x` and `y`, 32 bytes each).
    /// A point that is not on the curve is refused.
    public static func ecP256(x: [UInt8], y: [UInt8]) throws(KeyImportError) -> PublicKey {
        guard x.count == 32, y.count == 32 else {
            throw KeyImportError("P-256 coordinates must be 32 bytes each, got \(x.count) and \(y.count)")
        }
        let point = [0x04] + x + y   // SEC 1 uncompressed point
        let key = try build(algorithm: "EC", [.text("group", "prime256v1"), .octets("pub", point)])
        let result = PublicKey(type: .ecP256, key: key)
        try result.checkPublic()
        return result
    }

    /// Wraps an `EVP_PKEY` this object will own (tools and tests generate keys this way).
    static func adopting(_ key: OpaquePointer, type: KeyType) -> PublicKey {
        PublicKey(type: type, key: key)
    }

    /// True when `signature` is a valid `algorithm` signature of `signingInput` under this key.
    /// The algorithm must match the key's type (callers check; a mismatch is simply false).
    /// Allocates an `EVP_MD_CTX` per call: this runs once per distinct token, not per message.
    public func verify(_ algorithm: SignatureAlgorithm, signingInput: UnsafeRawBufferPointer, signature: [UInt8]) -> Bool {
        guard algorithm.keyType == type else { return false }
        let encoded: [UInt8]
        switch type {
        case .ecP256:
            guard let der = ECDSASignature.der(fromRaw: signature) else { return false }
            encoded = der
        case .rsa:
            // RFC 8017 §8.2.2: the signature is exactly as long as the modulus.
            guard signature.count == (bits + 7) / 8 else { return false }
            encoded = signature
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer {
            EVP_MD_CTX_free(context)
            ERR_clear_error()   // a failed verification leaves entries in this thread's error queue
        }
        var keyContext: OpaquePointer?
        guard EVP_DigestVerifyInit_ex(context, &keyContext, algorithm.digestName, nil, nil, key, nil) == 1 else { return false }
        if algorithm.usesPSS {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1,
                  EVP_PKEY_CTX_set_rsa_mgf1_md_name(keyContext, algorithm.digestName, nil) == 1 else { return false }
        } else if type == .rsa {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1 else { return false }
        }
        let result = encoded.withUnsafeBytes { signatureBytes in
            EVP_DigestVerify(context, signatureBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), signatureBytes.count,
                             signingInput.baseAddress?.assumingMemoryBound(to: UInt8.self), signingInput.count)
        }
        return result == 1
    }

    /// OpenSSL's own validation of a public key (for EC: the point is on the curve).
    private func checkPublic() throws(KeyImportError) {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else {
            throw KeyImportError("cannot check the key: \(OpenSSLError.drain())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_public_check(context) == 1 else {
            throw KeyImportError("\(type.rawValue) public key fails OpenSSL's check: \(OpenSSLError.drain())")
        }
    }

    /// One `OSSL_PARAM` of a key under construction.
    private enum Parameter {
        /// A big-endian unsigned integer.
        case bignum(String, [UInt8])
        case text(String, String)
        case octets(String, [UInt8])
    }

    /// `EVP_PKEY_fromdata` for a public key of `algorithm` ("RSA", "EC") with `parameters`.
    private static func build(algorithm: String, _ parameters: [Parameter]) throws(KeyImportError) -> OpaquePointer {
        guard let builder = OSSL_PARAM_BLD_new() else { throw KeyImportError("out of memory: \(OpenSSLError.drain())") }
        defer { OSSL_PARAM_BLD_free(builder) }
        // The builder, and the OSSL_PARAM array it makes, refer to names, strings, octets and
        // BIGNUMs by pointer, so all of them live in memory owned here until the key is built.
        var owned: [UnsafeMutableRawPointer] = []
        var bignums: [OpaquePointer] = []
        defer {
            for bignum in bignums { BN_free(bignum) }
            for pointer in owned { pointer.deallocate() }
        }
        func lasting(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
            let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count + 1, alignment: 1)
            pointer.copyMemory(from: bytes, byteCount: bytes.count)
            pointer.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
            owned.append(pointer)
            return pointer
        }
        func cString(_ text: String) -> UnsafePointer<CChar> {
            UnsafePointer(lasting(Array(text.utf8)).assumingMemoryBound(to: CChar.self))
        }
        for parameter in parameters {
            let pushed: Int32
            switch parameter {
            case .bignum(let name, let bytes):
                guard let bignum = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
                    throw KeyImportError("out of memory: \(OpenSSLError.drain())")
                }
                bignums.append(bignum)
                pushed = OSSL_PARAM_BLD_push_BN(builder, cString(name), bignum)
            case .text(let name, let value):
                pushed = OSSL_PARAM_BLD_push_utf8_string(builder, cString(name), cString(value), 0)
            case .octets(let name, let bytes):
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, cString(name), lasting(bytes), bytes.count)
            }
            guard pushed == 1 else { throw KeyImportError("cannot pass a \(algorithm) key parameter: \(OpenSSLError.drain())") }
        }
        guard let built = OSSL_PARAM_BLD_to_param(builder) else {
            throw KeyImportError("cannot build key parameters: \(OpenSSLError.drain())")
        }
        defer { OSSL_PARAM_free(built) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw KeyImportError("OpenSSL has no \(algorithm) support: \(OpenSSLError.drain())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &key, connect_evp_pkey_public_key_selection(), built) == 1,
              let key else {
            throw KeyImportError("OpenSSL refused the \(algorithm) key: \(OpenSSLError.drain())")
        }
        return key
    }
}

/// Why a JWK could not become a ``PublicKey``. The message names sizes and OpenSSL's reason,
/// never key bytes (public keys are not secret, but the rule is simpler without exceptions).
public struct KeyImportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
