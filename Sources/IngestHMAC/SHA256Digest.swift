/// Plain SHA-256 through the same OpenSSL block function the HMAC path uses. Public for the
/// micro-benchmark's "raw hashing" baseline and for tools.
public enum SHA256Digest {
    /// The number of bytes ``compute(_:into:)`` writes.
    public static let byteCount = 32

    /// Writes SHA-256 of `message` to the first 32 bytes of `output`, without allocating.
    public static func compute(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= byteCount, "SHA-256 output needs 32 bytes, got \(output.count)")
        let digest = SHA256State.hash(message)
        withUnsafeBytes(of: digest.storage) { output.copyMemory(from: $0) }
    }

    /// SHA-256 of `message` (allocates the result).
    public static func compute(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        SHA256State.hash(message).bytes
    }
}
