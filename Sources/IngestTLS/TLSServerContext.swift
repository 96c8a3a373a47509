#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import IngestSystem

/// One server `SSL_CTX`, built from `TLSServerSettings`: the certificate chain and key as they
/// were in the files when it was built, the client CA, and every policy. Immutable afterwards and
/// shared by all workers (libssl's `SSL_CTX` is safe to use from several threads once set up).
///
/// A reload builds a new context; connections made from the old one keep it (each `SSL` holds a
/// reference), and libssl frees it, with the Swift objects attached to it, after the last of them
/// closes.
///
/// Policies:
/// - TLS 1.2 and 1.3 only; TLS 1.2 with ECDHE and AEAD ciphers only (AES-GCM, ChaCha20-Poly1305),
///   server's order (AES-128-GCM first: cheapest with AES-NI, and what kTLS offloads);
///   groups X25519, P-256, P-384.
/// - No renegotiation, no compression; ALPN `http/1.1`.
/// - Resumption: stateless tickets sealed by the shared `TicketKeyRing` (one ticket per full
///   handshake), and a server-side session cache for TLS 1.2 clients that resume by session id.
///   The session id context is a digest of the certificate, the client CA file's bytes and the
///   client policy, so a session made under one policy never resumes under another.
/// - `SSL_OP_ENABLE_KTLS` when `kernelTLS` is set: libssl then moves record encryption into the
///   kernel per connection where the kernel and cipher allow (see `TLSSession.kernelSend`).
public final class TLSServerContext: @unchecked Sendable {
    public let handle: OpaquePointer
    public let settings: TLSServerSettings
    public let certificate: CertificateSummary

    static let tls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    static let tls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    static let groups = "X25519:P-256:P-384"

    /// Loads the files named in `settings` and builds the context. Throws with a one-line reason
    /// naming the file at fault.
    public init(settings: TLSServerSettings, ticketKeys: TicketKeyRing) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError.fromQueue("cannot create a TLS context") }
        do throws(TLSError) {
            try Self.configure(context, settings: settings, ticketKeys: ticketKeys)
            guard let leaf = SSL_CTX_get0_certificate(context) else { throw TLSError("\(settings.certificateFile): no certificate") }
            guard let notAfter = X509Text.notAfter(leaf) else {
                throw TLSError("\(settings.certificateFile): cannot read the certificate's expiry date")
            }
            certificate = CertificateSummary(subject: X509Text.subject(leaf), issuer: X509Text.issuer(leaf), notAfter: notAfter)
            try Self.setSessionIDContext(context, settings: settings, leaf: leaf)
        } catch {
            SSL_CTX_free(context)
            OpenSSLErrorQueue.clear()
            throw error
        }
        handle = context
        self.settings = settings
    }

    deinit { SSL_CTX_free(handle) }

    /// A server session for an accepted, non-blocking socket, or nil if libssl cannot make one
    /// (out of memory). The socket stays the caller's.
    public func makeSession(descriptor: FileDescriptor) -> TLSSession? {
        guard let ssl = SSL_new(handle) else { OpenSSLErrorQueue.clear(); return nil }
        guard SSL_set_fd(ssl, descriptor.rawValue) == 1 else {
            SSL_free(ssl)
            OpenSSLErrorQueue.clear()
            return nil
        }
        SSL_set_accept_state(ssl)
        return TLSSession(ssl: ssl)
    }

    /// Entries in the server-side session cache now.
    public var cachedSessions: Int { ci_SSL_CTX_sess_number(handle) }

    private static func configure(_ context: OpaquePointer, settings: TLSServerSettings, ticketKeys: TicketKeyRing) throws(TLSError) {
        guard ci_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1,
              ci_SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) == 1
        else { throw TLSError.fromQueue("cannot limit TLS versions to 1.2 and 1.3") }
        var options = ci_SSL_OP_NO_RENEGOTIATION() | ci_SSL_OP_CIPHER_SERVER_PREFERENCE() | ci_SSL_OP_NO_COMPRESSION()
        if settings.kernelTLS { options |= ci_SSL_OP_ENABLE_KTLS() }
        SSL_CTX_set_options(context, options)
        _ = ci_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        // Read ahead: one read(2) takes whatever the socket has (several records), instead of
        // one read for each record's header and another for its body.
        _ = ci_SSL_CTX_set_read_ahead(context, 1)
        guard SSL_CTX_set_cipher_list(context, tls12Ciphers) == 1,
              SSL_CTX_set_ciphersuites(context, tls13Suites) == 1,
              ci_SSL_CTX_set1_groups_list(context, groups) == 1
        else { throw TLSError.fromQueue("cannot set the cipher list") }
        SSL_CTX_set_alpn_select_cb(context, tlsSelectApplicationProtocol, nil)
        SSL_CTX_set_msg_callback(context, tlsWatchForRenegotiation)
        // An encrypted key would make libssl prompt on the terminal; refuse instead.
        SSL_CTX_set_default_passwd_cb(context, tlsRefusePassphrase)

        guard SSL_CTX_use_certificate_chain_file(context, settings.certificateFile) == 1 else {
            throw TLSError.fromQueue("--tls-cert \(settings.certificateFile): cannot load a PEM certificate chain")
        }
        guard SSL_CTX_use_PrivateKey_file(context, settings.privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            let reasons = OpenSSLErrorQueue.drainText()
            if reasons.contains("key values mismatch") {
                throw TLSError("--tls-key \(settings.privateKeyFile) does not belong to the certificate in \(settings.certificateFile)")
            }
            throw TLSError("--tls-key \(settings.privateKeyFile): cannot load an unencrypted PEM private key: \(reasons)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError.fromQueue("--tls-key \(settings.privateKeyFile) does not belong to the certificate in \(settings.certificateFile)")
        }

        let pins = ClientCertificatePins(subjects: settings.pinnedSubjects, keyDigests: settings.pinnedKeyDigests)
        ExDataSlots.attach(ContextCallbacks(ticketKeys: ticketKeys, pins: pins), toContext: context, slot: ExDataSlots.contextCallbacks)
        if let caFile = settings.clientCAFile, settings.clientVerify != .none {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw TLSError.fromQueue("--tls-client-ca \(caFile): cannot load PEM CA certificates")
            }
            guard let names = SSL_load_client_CA_file(caFile) else {
                throw TLSError.fromQueue("--tls-client-ca \(caFile): no CA certificate in it")
            }
            SSL_CTX_set_client_CA_list(context, names)
            var mode = SSL_VERIFY_PEER
            if settings.clientVerify == .require { mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
            SSL_CTX_set_verify(context, mode, tlsVerifyClientCertificate)
            SSL_CTX_set_verify_depth(context, 8)
        }

        _ = ci_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_SERVER))
        _ = ci_SSL_CTX_sess_set_cache_size(context, settings.sessionCacheSize)
        SSL_CTX_set_timeout(context, Int(ticketKeys.ticketLifetimeSeconds))
        guard SSL_CTX_set_tlsext_ticket_key_evp_cb(context, tlsTicketKey) == 1,
              SSL_CTX_set_num_tickets(context, 1) == 1
        else { throw TLSError.fromQueue("cannot install the session ticket keys") }
        OpenSSLErrorQueue.clear()
    }

    /// The session id context: SHA-256 of the leaf certificate, the client CA file's bytes and
    /// the client policy (32 bytes, libssl's maximum).
    private static func setSessionIDContext(_ context: OpaquePointer, settings: TLSServerSettings, leaf: OpaquePointer) throws(TLSError) {
        var material = X509Text.der(leaf)
        if let caFile = settings.clientCAFile, settings.clientVerify != .none {
            material += Array("ca\0".utf8) + ((try? SmallFileBytes.read(caFile)) ?? Array(caFile.utf8))
        }
        material += Array("verify=\(settings.clientVerify.rawValue)\0".utf8)
        for subject in settings.pinnedSubjects { material += Array("subject=\(subject)\0".utf8) }
        for digest in settings.pinnedKeyDigests { material += Array("spki=".utf8) + digest }
        let digest = SHA256Bytes.digest(material)
        guard SSL_CTX_set_session_id_context(context, digest, UInt32(digest.count)) == 1 else {
            throw TLSError.fromQueue("cannot set the session id context")
        }
    }
}

/// `pem_password_cb` that supplies no passphrase (so loading an encrypted key fails cleanly).
func tlsRefusePassphrase(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ writing: Int32,
                         _ argument: UnsafeMutableRawPointer?) -> Int32 { 0 }

/// Reads a small file whole (configuration time).
enum SmallFileBytes {
    static func read(_ path: String, limit: Int64 = 16 << 20) throws(Errno) -> [UInt8] {
        let file = try FileDescriptor.open(path, .readOnly)
        defer { file.close() }
        let size = min(try file.size(), limit)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(size), alignment: 1)
        defer { buffer.deallocate() }
        var offset = 0
        while offset < buffer.count {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]), at: Int64(offset))
            if n == 0 { break }
            offset += n
        }
        return Array(buffer[0..<offset])
    }
}
