import COpenSSL

/// libssl's certificate verify callback for client certificates (`SSL_CTX_set_verify`).
///
/// The chain has been checked by libssl against `--tls-client-ca` when this runs with
/// `preverified == 1` for the leaf (depth 0); the callback then applies the pins. Any refusal is
/// noted on the connection (`PeerRefusal`: the certificate's subject and the reason) for the
/// worker's log line, and returning 0 makes libssl end the handshake with an alert.
func tlsVerifyClientCertificate(_ preverified: Int32, _ store: OpaquePointer?) -> Int32 {
    ClientCertificateVerifier.run(preverified, store)
}

enum ClientCertificateVerifier {
    static func run(_ preverified: Int32, _ store: OpaquePointer?) -> Int32 {
        guard let store,
              let raw = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx())
        else { return 0 }
        let ssl = OpaquePointer(raw)
        let leaf = X509_STORE_CTX_get0_cert(store)
        if preverified == 0 {
            let code = X509_STORE_CTX_get_error(store)
            let reason = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "verification failed (\(code))"
            note(ssl, leaf: leaf, reason: reason)
            return 0
        }
        guard X509_STORE_CTX_get_error_depth(store) == 0, let leaf,
              let context = SSL_get_SSL_CTX(ssl),
              let callbacks = ExDataSlots.object(ContextCallbacks.self, ofContext: context, slot: ExDataSlots.contextCallbacks),
              !callbacks.pins.isEmpty
        else { return 1 }
        let subject = X509Text.subject(leaf)
        if let mismatch = callbacks.pins.mismatch(subject: subject, keyDigest: X509Text.publicKeyDigest(leaf)) {
            X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION)
            note(ssl, leaf: leaf, reason: mismatch)
            return 0
        }
        return 1
    }

    /// Keeps the first refusal of a handshake (the callback may run again for other errors).
    private static func note(_ ssl: OpaquePointer, leaf: OpaquePointer?, reason: String) {
        guard SSL_get_ex_data(ssl, ExDataSlots.peerRefusal) == nil else { return }
        let subject = leaf.map { X509Text.subject($0) } ?? "-"
        ExDataSlots.attach(PeerRefusal(subject: subject.isEmpty ? "-" : subject, reason: reason),
                           toConnection: ssl, slot: ExDataSlots.peerRefusal)
    }
}
