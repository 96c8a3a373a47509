#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import IngestSystem

/// What one step of a non-blocking handshake came to.
public enum TLSHandshakeStep: Equatable, Sendable {
    case complete
    /// Call again when the socket is readable.
    case wantRead
    /// Call again when the socket is writable.
    case wantWrite
    case failed(TLSFailure)
}

/// What one non-blocking read or write of application data came to.
public enum TLSTransfer: Equatable, Sendable {
    /// This many plaintext bytes were read or written (> 0).
    case bytes(Int)
    case wantRead
    case wantWrite
    /// The peer ended the TLS session cleanly (close_notify) or closed the socket.
    case closed
    case failed(TLSFailure)
}

/// One TLS connection (`SSL*` over a non-blocking socket), server or client side.
///
/// A plain value holding libssl's pointer, like `FileDescriptor`: copying it does not copy the
/// session and touches no reference count, so the worker can keep it inline in its connection
/// and use it per request without ARC traffic. Whoever made it calls `free()` exactly once,
/// after which no copy may be used.
///
/// libssl keeps its read and write buffers for the life of the session (`SSL_MODE_RELEASE_BUFFERS`
/// is not set), so after the handshake reads and writes allocate nothing. Every failure path
/// drains the thread's error queue (see `OpenSSLErrorQueue`).
public struct TLSSession {
    public let ssl: OpaquePointer
    /// After the handshake: the kernel encrypts what is written to the socket (kTLS TX), so
    /// application data can go out with a plain `send(2)`.
    public private(set) var kernelSend = false
    /// After the handshake: the kernel decrypts what arrives (kTLS RX); `SSL_read` then reads
    /// plaintext records without user-space crypto.
    public private(set) var kernelReceive = false

    init(ssl: OpaquePointer) { self.ssl = ssl }

    /// Advances the handshake as far as the socket allows.
    public mutating func handshake() -> TLSHandshakeStep {
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            kernelSend = ci_BIO_get_ktls_send(SSL_get_wbio(ssl)) == 1
            kernelReceive = ci_BIO_get_ktls_recv(SSL_get_rbio(ssl)) == 1
            return .complete
        }
        switch outcome(rc) {
        case .wantRead: return .wantRead
        case .wantWrite: return .wantWrite
        case .closed: return .failed(.peerClosed)
        case .failed(let failure): return .failed(failure)
        case .bytes: return .failed(.other)
        }
    }

    /// Reads decrypted application data into `buffer` (one record's worth at most).
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSTransfer {
        let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if n > 0 { return .bytes(Int(n)) }
        return outcome(n)
    }

    /// Writes `bytes` as application data. Partial writes are enabled: a positive count may be
    /// less than `bytes.count`. After `.wantWrite`, call again with the same bytes (they may
    /// have moved: `SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`).
    @inline(__always)
    public func write(_ bytes: UnsafeRawBufferPointer) -> TLSTransfer {
        guard bytes.count > 0 else { return .bytes(0) }
        let n = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if n > 0 { return .bytes(Int(n)) }
        return outcome(n)
    }

    /// libssl holds input not yet returned by `read`: decrypted bytes, or raw bytes read ahead
    /// from the socket. The socket will not signal readiness for them.
    @inline(__always)
    public var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    /// The client tried to renegotiate (see `RenegotiationWatch`).
    @inline(__always)
    public var renegotiationAttempted: Bool { SSL_get_ex_data(ssl, ExDataSlots.renegotiationAttempt) != nil }

    /// The handshake resumed an earlier session (ticket or session id) instead of a full one.
    public var wasResumed: Bool { SSL_session_reused(ssl) == 1 }

    /// "TLSv1.3", "TLSv1.2", ...
    public var protocolVersion: String { SSL_get_version(ssl).map { String(cString: $0) } ?? "?" }

    public var cipherName: String {
        guard let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return "?" }
        return String(cString: name)
    }

    /// The negotiated ALPN protocol, or nil when none was.
    public var applicationProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Why the client's certificate was refused, when the verify callback refused it.
    public var clientCertificateRefusal: (subject: String, reason: String)? {
        guard let refusal = ExDataSlots.object(PeerRefusal.self, ofConnection: ssl, slot: ExDataSlots.peerRefusal) else { return nil }
        return (refusal.subject, refusal.reason)
    }

    /// The verified client certificate's subject (RFC 2253), if the client presented one.
    public var peerSubject: String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return X509Text.subject(certificate)
    }

    /// Sends close_notify if the session is established and nothing failed; never waits for the
    /// peer's. Best effort: a full socket or a gone peer just means no close_notify.
    public func closeNotify() {
        if SSL_is_init_finished(ssl) == 1 && (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) == 0 {
            _ = SSL_shutdown(ssl)
        }
        OpenSSLErrorQueue.clear()
    }

    /// Frees the session (and closes nothing: the socket belongs to the caller).
    public func free() {
        SSL_free(ssl)
    }

    /// Turns a non-positive libssl return into an outcome, draining the error queue on failure.
    private func outcome(_ rc: Int32) -> TLSTransfer {
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            // EOF without close_notify, or a socket error (reset): the peer is gone either way.
            OpenSSLErrorQueue.clear()
            return .closed
        case SSL_ERROR_SSL:
            guard let first = OpenSSLErrorQueue.drainFirst() else { return .failed(.other) }
            let failure = TLSFailure.classify(library: first.library, reason: first.reason)
            return failure == .peerClosed ? .closed : .failed(failure)
        default:
            OpenSSLErrorQueue.clear()
            return .failed(.other)
        }
    }
}
