internal import COpenSSL

/// Comparisons whose running time does not depend on where the inputs differ.
///
/// Used for everything that authenticates a request (HMAC digests, Basic credentials), so that an
/// attacker cannot learn a valid value one byte at a time from response timings.
enum ConstantTime {
    /// Whether the two digests are equal, in time independent of their contents.
    /// The corresponding C function is `CRYPTO_memcmp` (it cannot fail).
    static func equals(_ a: Digest, _ b: Digest) -> Bool {
        withUnsafeBytes(of: a.storage) { rawA in
            withUnsafeBytes(of: b.storage) { rawB in
                CRYPTO_memcmp(rawA.baseAddress!, rawB.baseAddress!, Digest.byteCount) == 0
            }
        }
    }

    /// Overwrites `count` bytes at `pointer` with zeros in a way the optimizer may not remove, so key
    /// material does not linger in freed memory. The corresponding C function is `OPENSSL_cleanse`.
    static func wipe(_ pointer: UnsafeMutableRawPointer, count: Int) {
        OPENSSL_cleanse(pointer, count)
    }
}
