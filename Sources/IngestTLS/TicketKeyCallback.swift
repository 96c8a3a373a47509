#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// libssl's session-ticket key callback (`SSL_CTX_set_tlsext_ticket_key_evp_cb`), backed by the
/// `TicketKeyRing` of the connection's `SSL_CTX`.
///
/// Sealing (`enc == 1`): names the current key, draws a fresh IV, sets up AES-256-CBC and
/// HMAC-SHA256; returns 1. Opening: 0 when the key is unknown (forgotten or never ours: the
/// client gets a full handshake), 2 (libssl then issues a new ticket under the current key) for
/// TLS 1.3 and for a retired key, else 1. -1 on an internal failure (handshake aborted).
func tlsTicketKey(_ ssl: OpaquePointer?, _ name: UnsafeMutablePointer<UInt8>?, _ iv: UnsafeMutablePointer<UInt8>?,
                  _ cipher: OpaquePointer?, _ mac: OpaquePointer?, _ seal: Int32) -> Int32 {
    TicketKeyCallback.run(ssl, name, iv, cipher, mac, seal)
}

enum TicketKeyCallback {
    static func run(_ ssl: OpaquePointer?, _ name: UnsafeMutablePointer<UInt8>?, _ iv: UnsafeMutablePointer<UInt8>?,
                    _ cipher: OpaquePointer?, _ mac: OpaquePointer?, _ seal: Int32) -> Int32 {
        guard let ssl, let name, let iv, let cipher, let mac,
              let context = SSL_get_SSL_CTX(ssl),
              let callbacks = ExDataSlots.object(ContextCallbacks.self, ofContext: context, slot: ExDataSlots.contextCallbacks)
        else { return -1 }
        let ring = callbacks.ticketKeys
        if seal == 1 {
            let key = ring.sealingKey()
            key.name.withUnsafeBytes { name.update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 16) }
            guard RAND_bytes(iv, 16) == 1 else { return -1 }
            let cipherOK = key.cipherKey.withUnsafeBufferPointer {
                EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nil, $0.baseAddress, iv)
            }
            guard cipherOK == 1, setMACKey(mac, key.macKey) else { return -1 }
            return 1
        }
        guard let (key, isCurrent) = ring.openingKey(named: UnsafePointer(name)) else { return 0 }
        guard setMACKey(mac, key.macKey) else { return -1 }
        let cipherOK = key.cipherKey.withUnsafeBufferPointer {
            EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nil, $0.baseAddress, iv)
        }
        guard cipherOK == 1 else { return -1 }
        // TLS 1.3 tickets are meant for one use (RFC 8446, C.4), and libssl issues a new one
        // after a resumption only when asked: always ask, so a client that resumes keeps
        // resuming. TLS 1.2 tickets are renewed only when their key has retired.
        return isCurrent && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2
    }

    /// Keys the ticket HMAC (`EVP_MAC_CTX_set_params` with digest SHA256 and the key bytes).
    private static func setMACKey(_ mac: OpaquePointer, _ key: [UInt8]) -> Bool {
        var key = key
        return key.withUnsafeMutableBytes { keyBytes in
            var parameters = [
                OSSL_PARAM_construct_utf8_string(ParameterNames.digest, ParameterNames.sha256, 0),
                OSSL_PARAM_construct_octet_string(ParameterNames.key, keyBytes.baseAddress, keyBytes.count),
                OSSL_PARAM_construct_end(),
            ]
            return EVP_MAC_CTX_set_params(mac, &parameters) == 1
        }
    }
}

/// C strings that `OSSL_PARAM`s point at; they must outlive the parameter arrays, so they are
/// allocated once for the life of the process.
private enum ParameterNames {
    nonisolated(unsafe) static let digest = UnsafePointer(strdup("digest")!)
    nonisolated(unsafe) static let key = UnsafePointer(strdup("key")!)
    nonisolated(unsafe) static let sha256 = strdup("SHA256")!
}
