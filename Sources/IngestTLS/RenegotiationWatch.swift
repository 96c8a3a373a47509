import COpenSSL

/// Notices a client's attempt to renegotiate (TLS 1.2).
///
/// libssl refuses it itself (`SSL_OP_NO_RENEGOTIATION`: it answers the client's new ClientHello
/// with a `no_renegotiation` warning alert and carries on). This message callback sees that alert
/// go out and marks the connection, so the worker can count the attempt and close the connection
/// instead of serving a client that behaves this way. It runs for every record header libssl
/// reads or writes: it only compares a few integers and touches no Swift object.
func tlsWatchForRenegotiation(_ written: Int32, _ version: Int32, _ contentType: Int32, _ bytes: UnsafeRawPointer?,
                              _ length: Int, _ ssl: OpaquePointer?, _ argument: UnsafeMutableRawPointer?) {
    guard written == 1, contentType == SSL3_RT_ALERT, length >= 2, let bytes, let ssl else { return }
    if bytes.load(fromByteOffset: 1, as: UInt8.self) == UInt8(SSL_AD_NO_RENEGOTIATION) {
        SSL_set_ex_data(ssl, ExDataSlots.renegotiationAttempt, ExDataSlots.renegotiationMarker)
    }
}
