#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// Read-only facts about one X.509 certificate (`X509*` borrowed for the call; nothing kept).
enum X509Text {
    /// The subject in RFC 2253 form ("CN=client,O=Example"), as
    /// `openssl x509 -noout -subject -nameopt RFC2253` prints it.
    static func subject(_ certificate: OpaquePointer) -> String {
        guard let name = X509_get_subject_name(certificate) else { return "" }
        return rfc2253(name)
    }

    static func issuer(_ certificate: OpaquePointer) -> String {
        guard let name = X509_get_issuer_name(certificate) else { return "" }
        return rfc2253(name)
    }

    private static func rfc2253(_ name: OpaquePointer) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard X509_NAME_print_ex(bio, name, 0, ci_XN_FLAG_RFC2253()) >= 0 else {
            OpenSSLErrorQueue.clear()
            return ""
        }
        var bytes = [UInt8](repeating: 0, count: 1024)
        let n = BIO_read(bio, &bytes, Int32(bytes.count))
        return n > 0 ? String(decoding: bytes[0..<Int(n)], as: UTF8.self) : ""
    }

    /// `notAfter` as seconds since the Unix epoch, or nil if it cannot be read.
    static func notAfter(_ certificate: OpaquePointer) -> Int64? {
        guard let time = X509_get0_notAfter(certificate) else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { OpenSSLErrorQueue.clear(); return nil }
        return Int64(timegm(&parts))
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (the value HPKP-style pins name).
    static func publicKeyDigest(_ certificate: OpaquePointer) -> [UInt8]? {
        guard let key = X509_get0_pubkey(certificate) else { OpenSSLErrorQueue.clear(); return nil }
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else { OpenSSLErrorQueue.clear(); return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key, &cursor)
        }
        guard written == length else { OpenSSLErrorQueue.clear(); return nil }
        return SHA256Bytes.digest(der)
    }

    /// The certificate's DER encoding.
    static func der(_ certificate: OpaquePointer) -> [UInt8] {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { OpenSSLErrorQueue.clear(); return [] }
        var der = [UInt8](repeating: 0, count: Int(length))
        _ = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        return der
    }
}

/// One-shot SHA-256 (configuration time only).
enum SHA256Bytes {
    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        bytes.withUnsafeBytes { raw in
            _ = EVP_Digest(raw.baseAddress, raw.count, &out, &length, EVP_sha256(), nil)
        }
        return out
    }
}
