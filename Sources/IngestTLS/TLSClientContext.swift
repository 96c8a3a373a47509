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
/// `http/1.1`, may present a client certificate, and, with `resume`, offers a session the server
/// handed out earlier on each new connection (see `ClientSessionStore`).
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

    /// Forgets the stored sessions (the next connection makes a full handshake).
    public func forgetSession() {
        ExDataSlots.object(ClientSessionStore.self, ofContext: handle, slot: ExDataSlots.contextCallbacks)?.forget()
    }
}

func tlsClientKeepSession(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
    ClientSessionStore.keep(ssl, session)
}

/// Sessions a server gave this client context (libssl's new-session callback), offered on the
/// next connections. TLS 1.3 tickets are used once (RFC 8446 C.4; libssl marks a resumed TLS 1.3
/// session not resumable), so the newest one is taken out when offered and the connection's own
/// new ticket replaces it; a TLS 1.2 session stays and is offered again. Shared by the threads
/// using the context; locked once per handshake.
final class ClientSessionStore: @unchecked Sendable {
    /// `SSL_SESSION*`s, each with one reference owned by the store, newest last.
    private struct Held: @unchecked Sendable { var sessions: [OpaquePointer] = [] }
    private let held = Mutex(Held())
    static let capacity = 256

    deinit { held.withLock { for session in $0.sessions { SSL_SESSION_free(session) } } }

    func offer(to ssl: OpaquePointer) {
        held.withLock { held in
            while let session = held.sessions.last {
                guard SSL_SESSION_is_resumable(session) == 1 else {
                    held.sessions.removeLast()
                    SSL_SESSION_free(session)
                    continue
                }
                _ = SSL_set_session(ssl, session)   // takes its own reference
                if SSL_SESSION_get_protocol_version(session) == TLS1_3_VERSION {
                    held.sessions.removeLast()
                    SSL_SESSION_free(session)
                }
                return
            }
        }
    }

    func forget() {
        held.withLock { held in
            for session in held.sessions { SSL_SESSION_free(session) }
            held.sessions.removeAll()
        }
    }

    /// Keeps the session (returning 1 tells libssl the callback took its reference).
    static func keep(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
        guard let ssl, let session, let context = SSL_get_SSL_CTX(ssl),
              let store = ExDataSlots.object(ClientSessionStore.self, ofContext: context, slot: ExDataSlots.contextCallbacks)
        else { return 0 }
        store.held.withLock { held in
            if SSL_SESSION_get_protocol_version(session) != TLS1_3_VERSION {
                // A TLS 1.2 session replaces the others: one is offered again and again.
                for old in held.sessions { SSL_SESSION_free(old) }
                held.sessions.removeAll()
            } else if held.sessions.count >= ClientSessionStore.capacity {
                SSL_SESSION_free(held.sessions.removeFirst())
            }
            held.sessions.append(session)
        }
        return 1
    }
}
