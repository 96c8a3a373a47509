#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import IngestSystem
import Synchronization

/// Protocol versions a client context may be limited to (tests use old ones to prove the
/// server refuses them).
public enum TLSProtocolVersion: Sendable, CaseIterable {
    case tls1_0, tls1_1, tls1_2, tls1_3

    var code: Int32 {
        switch self {
        case .tls1_0: TLS1_VERSION
        case .tls1_1: TLS1_1_VERSION
        case .tls1_2: TLS1_2_VERSION
        case .tls1_3: TLS1_3_VERSION
        }
    }
}

/// A client `SSL_CTX` for the project's own clients (`connect-bench --tls`, the tests): it
/// verifies the server against a CA file and the loopback address it dialled, offers ALPN
/// `http/1.1`, may present a client certificate, and, with `resume`, offers the newest session
/// the server handed out on every new connection (ticket or session id).
public final class TLSClientContext: @unchecked Sendable {
    public let handle: OpaquePointer
    public let resume: Bool

    /// - Parameters:
    ///   - caFile: PEM CA certificates the server's chain must verify against; nil skips
    ///     verification (tests of refusals that happen before it matters).
    ///   - minimumVersion, maximumVersion: limit the versions offered; `legacy` also lowers
    ///     libssl's security level so TLS 1.0/1.1 can be offered at all (tests of refusal only).
    public init(caFile: String?, certificateFile: String? = nil, keyFile: String? = nil, resume: Bool = true,
                minimumVersion: TLSProtocolVersion? = nil, maximumVersion: TLSProtocolVersion? = nil,
                legacy: Bool = false) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError.fromQueue("cannot create a TLS client context") }
        handle = context
        self.resume = resume
        if legacy {
            SSL_CTX_set_security_level(context, 0)
            _ = SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0")
        }
        if let minimumVersion { _ = ci_SSL_CTX_set_min_proto_version(context, minimumVersion.code) }
        if let maximumVersion { _ = ci_SSL_CTX_set_max_proto_version(context, maximumVersion.code) }
        _ = ci_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        _ = ci_SSL_CTX_set_read_ahead(context, 1)
        ProtocolSelection.clientOffer.withUnsafeBufferPointer { offer in
            _ = SSL_CTX_set_alpn_protos(context, offer.baseAddress, UInt32(offer.count))   // 0 = success
        }
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw TLSError.fromQueue("\(caFile): cannot load PEM CA certificates")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        if let certificateFile, let keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1,
                  SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1
            else { throw TLSError.fromQueue("\(certificateFile) / \(keyFile): cannot load the client certificate and key") }
        }
        if resume {
            ExDataSlots.attach(ClientSessionStore(), toContext: context, slot: ExDataSlots.contextCallbacks)
            _ = ci_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
            SSL_CTX_sess_set_new_cb(context, tlsClientKeepSession)
        }
        OpenSSLErrorQueue.clear()
    }

    deinit { SSL_CTX_free(handle) }

    /// A client session over a socket connected (or connecting) to `host`, a numeric loopback
    /// address the server's certificate must name (subjectAltName IP). Resumes the newest known
    /// session when `resume` is on.
    public func makeSession(descriptor: FileDescriptor, host: String) -> TLSSession? {
        guard let ssl = SSL_new(handle) else { OpenSSLErrorQueue.clear(); return nil }
        guard SSL_set_fd(ssl, descriptor.rawValue) == 1 else { SSL_free(ssl); OpenSSLErrorQueue.clear(); return nil }
        if let parameters = SSL_get0_param(ssl) {
            _ = X509_VERIFY_PARAM_set1_ip_asc(parameters, host)
        }
        if resume, let store = ExDataSlots.object(ClientSessionStore.self, ofContext: handle, slot: ExDataSlots.contextCallbacks) {
            store.offer(to: ssl)
        }
        SSL_set_connect_state(ssl)
        OpenSSLErrorQueue.clear()
        return TLSSession(ssl: ssl)
    }

    /// Forgets the stored session (the next connection makes a full handshake).
    public func forgetSession() {
        ExDataSlots.object(ClientSessionStore.self, ofContext: handle, slot: ExDataSlots.contextCallbacks)?.forget()
    }
}

func tlsClientKeepSession(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
    ClientSessionStore.keep(ssl, session)
}

/// The newest session a server gave this client context (libssl's new-session callback), offered
/// on the next connection. Shared by the threads using the context; locked per handshake.
final class ClientSessionStore: @unchecked Sendable {
    /// An `SSL_SESSION*` with one reference owned by the store.
    private struct Held: @unchecked Sendable { var session: OpaquePointer? }
    private let newest = Mutex(Held())

    deinit { newest.withLock { if let session = $0.session { SSL_SESSION_free(session) } } }

    func offer(to ssl: OpaquePointer) {
        newest.withLock { held in
            if let session = held.session { _ = SSL_set_session(ssl, session) }
        }
    }

    func forget() {
        newest.withLock { held in
            if let old = held.session { SSL_SESSION_free(old) }
            held.session = nil
        }
    }

    /// Keeps the session (returning 1 tells libssl the callback took its reference).
    static func keep(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
        guard let ssl, let session, let context = SSL_get_SSL_CTX(ssl),
              let store = ExDataSlots.object(ClientSessionStore.self, ofContext: context, slot: ExDataSlots.contextCallbacks)
        else { return 0 }
        store.newest.withLock { held in
            if let old = held.session { SSL_SESSION_free(old) }
            held.session = session
        }
        return 1
    }
}
