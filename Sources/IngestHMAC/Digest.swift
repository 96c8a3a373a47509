/// A 32-byte SHA-256 or HMAC-SHA256 output held inline (no heap), so per-message digests and the
/// candidate signatures live in preallocated slots or on the stack.
///
/// Deliberately not `Equatable`: a digest that authenticates something must only ever be compared
/// with ``ConstantTime/equals(_:_:)``, never with `==`, whose early exit would leak how many leading
/// bytes matched.
struct Digest {
    /// The bytes, in order. Four words only to get 32 bytes of inline, 8-aligned storage; they are
    /// read and written as bytes through raw pointers and never interpreted as integers.
    var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The number of bytes in a SHA-256 digest.
    static let byteCount = 32

    init() {}

    /// Copies 32 bytes from `bytes` (precondition: exactly 32 of them).
    init(copying bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Digest.byteCount, "a SHA-256 digest is 32 bytes, got \(bytes.count)")
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
    }

    /// The bytes as a fresh array (allocates; for tools and tests, not the hot path).
    var bytes: [UInt8] {
        withUnsafeBytes(of: storage) { [UInt8]($0) }
    }
}
