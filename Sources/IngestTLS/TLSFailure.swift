import COpenSSL

/// Why a TLS handshake failed or an established TLS connection broke, as a small closed set of
/// reasons (the `reason` label in `/metrics`, the `reason` of log lines).
public enum TLSFailure: String, Sendable, CaseIterable {
    /// The handshake did not finish within `--tls-handshake-timeout`.
    case timeout
    /// Plain HTTP sent to the TLS port.
    case plainHTTP = "plain_http"
    /// Bytes that are not a TLS record (garbage instead of a ClientHello).
    case notTLS = "not_tls"
    /// The client offered only protocol versions below TLS 1.2 (or none this server speaks).
    case protocolVersion = "protocol_version"
    case noSharedCipher = "no_shared_cipher"
    /// `--tls-client-verify require` and the client sent no certificate.
    case clientCertificateMissing = "client_cert_missing"
    /// The client's certificate did not verify against the client CA, or matched no pin.
    case clientCertificateRefused = "client_cert_refused"
    /// A record longer than TLS allows.
    case recordTooLarge = "record_too_large"
    /// The client tried to renegotiate (TLS 1.2); the connection is closed.
    case renegotiation
    /// The client ended the handshake with an alert (for example, it does not trust this
    /// server's certificate).
    case peerAlert = "peer_alert"
    /// The client closed or reset the connection.
    case peerClosed = "peer_closed"
    /// Anything else libssl reported (bad MAC, decode errors, internal errors).
    case other

    /// Classifies the first error libssl queued.
    static func classify(library: Int32, reason: Int32) -> TLSFailure {
        guard library == ERR_LIB_SSL else { return .other }
        if reason >= SSL_AD_REASON_OFFSET { return .peerAlert }
        switch reason {
        case SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST:
            return .plainHTTP
        case SSL_R_WRONG_VERSION_NUMBER, SSL_R_UNKNOWN_PROTOCOL, SSL_R_BAD_PACKET_LENGTH, SSL_R_RECORD_LENGTH_MISMATCH,
             SSL_R_UNEXPECTED_MESSAGE, SSL_R_UNEXPECTED_RECORD, SSL_R_BAD_RECORD_TYPE, SSL_R_RECORD_TOO_SMALL,
             SSL_R_LENGTH_TOO_SHORT, SSL_R_BAD_LENGTH:
            return .notTLS
        case SSL_R_UNSUPPORTED_PROTOCOL, SSL_R_VERSION_TOO_LOW, SSL_R_NO_PROTOCOLS_AVAILABLE:
            return .protocolVersion
        case SSL_R_NO_SHARED_CIPHER:
            return .noSharedCipher
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
            return .clientCertificateMissing
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            return .clientCertificateRefused
        case SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_ENCRYPTED_LENGTH_TOO_LONG, SSL_R_DATA_LENGTH_TOO_LONG,
             SSL_R_EXCESSIVE_MESSAGE_SIZE:
            return .recordTooLarge
        case SSL_R_UNEXPECTED_EOF_WHILE_READING:
            return .peerClosed
        default:
            return .other
        }
    }
}
