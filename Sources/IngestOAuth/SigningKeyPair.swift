internal import COpenSSL

/// A private signing key with its public half, generated with libcrypto: what an authorization
/// server holds. For tools, tests and the load generator (they mint tokens and publish the JWKS
/// the listener is given); the listener itself only ever verifies.
public final class SigningKeyPair: @unchecked Sendable {
    public enum Kind: Sendable, Equatable {
        case rsa(bits: Int)
        case ecP256
    }

    public let type: PublicKey.KeyType
    /// The `EVP_PKEY *` (private and public).
    private let key: OpaquePointer

    private init(type: PublicKey.KeyType, key: OpaquePointer) {
        self.type = type
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// A fresh key pair. RSA generation takes tens to hundreds of milliseconds.
    public static func generate(_ kind: Kind) throws(KeyImportError) -> SigningKeyPair {
        let algorithm: String
        switch kind {
        case .rsa: algorithm = "RSA"
        case .ecP256: algorithm = "EC"
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw KeyImportError("no \(algorithm) key generation: \(OpenSSLError.drain())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw KeyImportError("keygen init: \(OpenSSLError.drain())") }
        switch kind {
        case .rsa(let bits):
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1 else {
                throw KeyImportError("RSA bits: \(OpenSSLError.drain())")
            }
        case .ecP256:
            guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else { throw KeyImportError("group: \(OpenSSLError.drain())") }
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else { throw KeyImportError("keygen: \(OpenSSLError.drain())") }
        return SigningKeyPair(type: kind == .ecP256 ? .ecP256 : .rsa, key: key)
    }

    /// The public half as a verification key (shares the `EVP_PKEY`, reference-counted by OpenSSL).
    public var publicKey: PublicKey {
        EVP_PKEY_up_ref(key)
        return PublicKey.adopting(key, type: type)
    }

    /// The public JWK as a JSON object: `kty`, `kid` (when given), `alg` (when given) and the
    /// public parameters, unpadded base64url.
    public func jwk(kid: String?, algorithm: String? = nil, use: String? = nil) -> String {
        var members: [String] = []
        switch type {
        case .rsa:
            members.append(#""kty":"RSA""#)
            members.append(#""n":"\#(Base64URL.encode(bignum("n", width: 0)))""#)
            members.append(#""e":"\#(Base64URL.encode(bignum("e", width: 0)))""#)
        case .ecP256:
            members.append(#""kty":"EC","crv":"P-256""#)
            members.append(#""x":"\#(Base64URL.encode(bignum("qx", width: 32)))""#)
            members.append(#""y":"\#(Base64URL.encode(bignum("qy", width: 32)))""#)
        }
        if let kid { members.append(#""kid":"\#(kid)""#) }
        if let algorithm { members.append(#""alg":"\#(algorithm)""#) }
        if let use { members.append(#""use":"\#(use)""#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The public key in PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo): the bytes a
    /// confused verifier would use as an HMAC secret in the classic alg-swap forgery.
    public func publicKeyPEM() -> String {
        let length = i2d_PUBKEY(key, nil)
        precondition(length > 0, "i2d_PUBKEY failed")
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_PUBKEY(key, &cursor)
        }
        let body = Base64URL.encodeStandard(der)
        var lines: [String] = ["-----BEGIN PUBLIC KEY-----"]
        var index = body.startIndex
        while index < body.endIndex {
            let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(String(body[index..<end]))
            index = end
        }
        lines.append("-----END PUBLIC KEY-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JWS signature of `input` under `algorithm` (which must fit the key): PKCS #1 v1.5 or
    /// PSS bytes for RSA, raw `r || s` (64 bytes) for ES256.
    public func sign(_ algorithm: SignatureAlgorithm, _ input: [UInt8]) -> [UInt8] {
        precondition(algorithm.keyType == type, "\(algorithm.rawValue) does not fit a \(type.rawValue) key")
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        precondition(EVP_DigestSignInit_ex(context, &keyContext, algorithm.digestName, nil, nil, key, nil) == 1,
                     "EVP_DigestSignInit_ex: \(OpenSSLError.drain())")
        if algorithm.usesPSS {
            precondition(EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md_name(keyContext, algorithm.digestName, nil) == 1, "PSS parameters")
        }
        var length = 0
        input.withUnsafeBufferPointer { data in
            precondition(EVP_DigestSign(context, nil, &length, data.baseAddress, data.count) == 1, "EVP_DigestSign size")
        }
        var signature = [UInt8](repeating: 0, count: length)
        input.withUnsafeBufferPointer { data in
            signature.withUnsafeMutableBufferPointer { out in
                precondition(EVP_DigestSign(context, out.baseAddress, &length, data.baseAddress, data.count) == 1,
                             "EVP_DigestSign: \(OpenSSLError.drain())")
            }
        }
        signature.removeLast(signature.count - length)
        return type == .ecP256 ? SigningKeyPair.rawECDSA(fromDER: signature) : signature
    }

    /// OpenSSL's DER ECDSA signature as JWS `r || s`, decoded with OpenSSL's own parser (so tests
    /// that compare with ``ECDSASignature`` compare two independent codings).
    public static func rawECDSA(fromDER der: [UInt8]) -> [UInt8] {
        der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let parsed = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else { preconditionFailure("d2i_ECDSA_SIG failed") }
            defer { ECDSA_SIG_free(parsed) }
            var out = [UInt8](repeating: 0, count: 64)
            out.withUnsafeMutableBufferPointer { raw in
                precondition(BN_bn2binpad(ECDSA_SIG_get0_r(parsed), raw.baseAddress, 32) == 32, "r")
                precondition(BN_bn2binpad(ECDSA_SIG_get0_s(parsed), raw.baseAddress! + 32, 32) == 32, "s")
            }
            return out
        }
    }

    /// The big-endian bytes of a key parameter; `width` > 0 pads to that many bytes.
    private func bignum(_ name: String, width: Int) -> [UInt8] {
        var value: OpaquePointer?
        precondition(EVP_PKEY_get_bn_param(key, name, &value) == 1, "EVP_PKEY_get_bn_param(\(name))")
        defer { BN_free(value) }
        let count = width > 0 ? width : (Int(BN_num_bits(value)) + 7) / 8
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { buffer in
            precondition(BN_bn2binpad(value, buffer.baseAddress, Int32(count)) == Int32(count), "BN_bn2binpad")
        }
        return out
    }
}

/// Builds compact JWS tokens (tools, tests, the load generator).
public enum TokenMinter {
    /// `base64url(header) . base64url(claims) . base64url(signature)`, signed by `key`.
    public static func token(headerJSON: String, claimsJSON: String, algorithm: SignatureAlgorithm, key: SigningKeyPair) -> String {
        let input = Base64URL.encode(Array(headerJSON.utf8)) + "." + Base64URL.encode(Array(claimsJSON.utf8))
        return input + "." + Base64URL.encode(key.sign(algorithm, Array(input.utf8)))
    }

    /// A header naming `algorithm` and `kid`.
    public static func header(algorithm: String, kid: String?) -> String {
        #"{"alg":"\#(algorithm)","typ":"JWT""# + (kid.map { #","kid":"\#($0)""# } ?? "") + "}"
    }

    /// Claims with the registered names given; nil leaves a claim out. `audiences` with one
    /// element is written as a string, otherwise as an array.
    public static func claims(issuer: String?, audiences: [String]?, expires: Int64?, notBefore: Int64? = nil,
                              issuedAt: Int64? = nil, subject: String = "docusign-connect") -> String {
        var members = [#""sub":"\#(subject)""#]
        if let issuer { members.append(#""iss":"\#(issuer)""#) }
        if let audiences {
            members.append(audiences.count == 1 ? #""aud":"\#(audiences[0])""#
                : #""aud":["# + audiences.map { #""\#($0)""# }.joined(separator: ",") + "]")
        }
        if let expires { members.append(#""exp":\#(expires)"#) }
        if let notBefore { members.append(#""nbf":\#(notBefore)"#) }
        if let issuedAt { members.append(#""iat":\#(issuedAt)"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// A JWKS document holding the given JWK objects.
    public static func keySet(_ jwks: [String]) -> String {
        #"{"keys":["# + jwks.joined(separator: ",") + "]}"
    }
}
