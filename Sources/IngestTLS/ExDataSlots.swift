import COpenSSL

/// The `ex_data` indexes this module attaches Swift objects to libssl objects with.
///
/// Ownership: an object stored in a `retained` slot is stored with `Unmanaged.passRetained` and
/// released by libssl's free callback when the owning `SSL_CTX`/`SSL` is freed, so a callback
/// running on any thread for as long as libssl keeps the object alive (existing connections keep
/// an old `SSL_CTX` alive after a reload) always finds it alive.
enum ExDataSlots {
    /// `SSL_CTX` -> `ContextCallbacks` (pins, ticket keys).
    static let contextCallbacks: Int32 = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nil, nil, nil, tlsReleaseRetainedObject)
    /// `SSL` -> `PeerRefusal`, set by the verify callback when it refuses a client certificate.
    static let peerRefusal: Int32 = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nil, nil, nil, tlsReleaseRetainedObject)
    /// `SSL` -> the non-object marker `renegotiationMarker` once the peer tried to renegotiate.
    static let renegotiationAttempt: Int32 = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, nil, nil, nil, nil)

    static var renegotiationMarker: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 1)! }

    /// Stores `object` retained in `slot` of an `SSL_CTX`.
    static func attach(_ object: AnyObject, toContext context: OpaquePointer, slot: Int32) {
        SSL_CTX_set_ex_data(context, slot, Unmanaged.passRetained(object).toOpaque())
    }

    /// Stores `object` retained in `slot` of an `SSL`, releasing what was there.
    static func attach(_ object: AnyObject, toConnection ssl: OpaquePointer, slot: Int32) {
        if let old = SSL_get_ex_data(ssl, slot) { Unmanaged<AnyObject>.fromOpaque(old).release() }
        SSL_set_ex_data(ssl, slot, Unmanaged.passRetained(object).toOpaque())
    }

    static func object<T: AnyObject>(_ type: T.Type, ofContext context: OpaquePointer, slot: Int32) -> T? {
        guard let raw = SSL_CTX_get_ex_data(context, slot) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T
    }

    static func object<T: AnyObject>(_ type: T.Type, ofConnection ssl: OpaquePointer, slot: Int32) -> T? {
        guard let raw = SSL_get_ex_data(ssl, slot) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T
    }
}

/// libssl's `CRYPTO_EX_free` for retained slots.
func tlsReleaseRetainedObject(_ parent: UnsafeMutableRawPointer?, _ pointer: UnsafeMutableRawPointer?,
                              _ data: UnsafeMutablePointer<CRYPTO_EX_DATA>?, _ index: Int32, _ argl: Int,
                              _ argp: UnsafeMutableRawPointer?) {
    if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
}

/// Why a client certificate was refused, noted by the verify callback for the worker's log line.
final class PeerRefusal {
    let subject: String
    let reason: String
    init(subject: String, reason: String) {
        self.subject = subject
        self.reason = reason
    }
}
