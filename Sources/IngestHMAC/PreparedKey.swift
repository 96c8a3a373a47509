/// One HMAC-SHA256 key, keyed once (RFC 2104) and then reused by copying.
///
/// HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), where K' is the key padded with zeros to the
/// 64-byte block (a key longer than 64 bytes is first replaced by its SHA-256). Both `K' ^ pad`
/// prefixes are exactly one block, so absorbing them leaves two states that depend only on the key.
/// They are computed here, at start-up; each message then starts from a plain struct copy of
/// `inner` and ends with a copy of `outer`: no re-keying, no allocation, two extra compression
/// blocks per message over a bare SHA-256 of the body.
///
/// Invariant: `inner` and `outer` have each absorbed exactly one 64-byte block and nothing else.
/// They are as secret as the key itself (they suffice to forge signatures), so this type has no
/// description that could print them.
struct PreparedKey: Sendable {
    /// The state after absorbing K' ^ 0x36...36.
    let inner: SHA256State
    /// The state after absorbing K' ^ 0x5c...5c.
    let outer: SHA256State

    /// SHA-256's block size in bytes.
    static let blockSize = 64

    /// Keys `secret`, used byte for byte (the caller has already decided what the key bytes are).
    init(secret: UnsafeRawBufferPointer) {
        var inner = SHA256State()
        var outer = SHA256State()
        withUnsafeTemporaryAllocation(byteCount: PreparedKey.blockSize, alignment: 8) { block in
            block.initializeMemory(as: UInt8.self, repeating: 0)
            if secret.count > PreparedKey.blockSize {
                var hashed = SHA256State.hash(secret)
                withUnsafeBytes(of: hashed.storage) { block.copyMemory(from: $0) }
                withUnsafeMutableBytes(of: &hashed.storage) { ConstantTime.wipe($0.baseAddress!, count: $0.count) }
            } else if secret.count > 0 {
                block.copyMemory(from: secret)
            }
            for index in 0..<PreparedKey.blockSize { block[index] ^= 0x36 }
            inner.update(UnsafeRawBufferPointer(block))
            // (K' ^ 0x36) ^ (0x36 ^ 0x5c) = K' ^ 0x5c
            for index in 0..<PreparedKey.blockSize { block[index] ^= 0x36 ^ 0x5C }
            outer.update(UnsafeRawBufferPointer(block))
            ConstantTime.wipe(block.baseAddress!, count: block.count)
        }
        self.inner = inner
        self.outer = outer
    }

    /// Completes an HMAC whose inner hash (started from a copy of `inner`) has absorbed the whole
    /// message.
    func finish(inner running: consuming SHA256State) -> Digest {
        let innerDigest = running.finalize()
        var outerState = outer
        withUnsafeBytes(of: innerDigest.storage) { outerState.update($0) }
        return outerState.finalize()
    }

    /// The HMAC of a message given whole (tools and tests; the server streams through
    /// ``MessageAuthenticator``).
    func authenticationCode(of message: UnsafeRawBufferPointer) -> Digest {
        var running = inner
        running.update(message)
        return finish(inner: running)
    }
}
