internal import COpenSSL

/// A SHA-256 computation in progress: OpenSSL's plain `SHA256_CTX`, a 112-byte struct with no
/// pointers inside, so copying the value takes a complete, independent snapshot of the state.
/// This is what lets a keyed HMAC state be prepared once and reused for every message by copying.
///
/// Crash behaviour: OpenSSL's `SHA256_Init/Update/Final` return 0 only for a NULL context, which
/// cannot happen here; a 0 is therefore treated as a bug and traps with a message.
///
/// The low-level `SHA256_*` calls are deprecated in OpenSSL 3 (see `COpenSSL/shim.h`) but run the
/// same hardware-accelerated block function as `EVP_sha256` without any allocation or dispatch.
struct SHA256State: Sendable {
    // `SHA256_CTX` is a C struct of integers and fixed arrays only (Swift infers it Sendable), so
    // a prepared state can be shared read-only by all workers and copied by each.
    var context = SHA256_CTX()

    /// A fresh state, as after `SHA256_Init`.
    init() {
        let ok = SHA256_Init(&context)
        precondition(ok == 1, "SHA256_Init failed")
    }

    /// Absorbs `bytes`. Empty input is a no-op.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let ok = SHA256_Update(&context, base, bytes.count)
        precondition(ok == 1, "SHA256_Update failed")
    }

    /// Finishes the hash. The state is consumed: OpenSSL leaves the context wiped.
    consuming func finalize() -> Digest {
        var digest = Digest()
        withUnsafeMutableBytes(of: &digest.storage) { out in
            // SHA256_Final takes `unsigned char *`; the digest's bytes are only ever accessed as
            // raw bytes, so viewing them as UInt8 here aliases nothing Swift reads as another type.
            let ok = SHA256_Final(out.baseAddress!.assumingMemoryBound(to: UInt8.self), &context)
            precondition(ok == 1, "SHA256_Final failed")
        }
        return digest
    }

    /// SHA-256 of `bytes` in one call.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var state = SHA256State()
        state.update(bytes)
        return state.finalize()
    }
}
