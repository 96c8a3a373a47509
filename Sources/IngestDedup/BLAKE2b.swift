/// BLAKE2b as specified in RFC 7693 ("The BLAKE2 Cryptographic Hash and Message Authentication
/// Code"), written from the RFC's text: any digest length from 1 to 64 bytes, optional key of up
/// to 64 bytes, no salt or personalization (the RFC's parameter block with those fields zero).
///
/// Why BLAKE2b: the message id is stored in the log and recomputed by downstream systems, so the
/// hash must be fully specified by a standard, available everywhere (Python's `hashlib.blake2b`,
/// Go's `x/crypto/blake2b`, Java's Bouncy Castle, Rust's `blake2`, libsodium) and never change.
/// It is also collision resistant, so no sender can make two different messages share an id.
/// Cost: one compression per 128 bytes, about the price of the HMAC's SHA-256 per byte.
///
/// Memory: a value type with its state inline (8 chaining words and a 128-byte block); no heap
/// allocation, ever. `update` may be called with pieces of any size.
public struct BLAKE2b: Sendable {
    public static let blockLength = 128
    public static let maximumDigestLength = 64
    public static let maximumKeyLength = 64

    /// The digest length in bytes (the RFC's `nn`).
    public let digestLength: Int
    private var h: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    /// The block being filled; compressed only once more input follows it or at `finalize`,
    /// because the last block is compressed with the final flag.
    private var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private var buffered = 0
    /// Bytes compressed so far, the RFC's 128-bit offset counter `t` (low and high words).
    private var countLow: UInt64 = 0
    private var countHigh: UInt64 = 0

    static let iv: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (
        0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1,
        0x510E_527F_ADE6_82D1, 0x9B05_688C_2B3E_6C1F, 0x1F83_D9AB_FB41_BD6B, 0x5BE0_CD19_137E_2179)

    /// Starts a hash with a digest of `digestLength` bytes (1...64), keyed when `key` is given
    /// and not empty (at most 64 bytes).
    public init(digestLength: Int = BLAKE2b.maximumDigestLength, key: UnsafeRawBufferPointer? = nil) {
        precondition(digestLength >= 1 && digestLength <= BLAKE2b.maximumDigestLength, "BLAKE2b digest length must be 1...64")
        let keyLength = key?.count ?? 0
        precondition(keyLength <= BLAKE2b.maximumKeyLength, "BLAKE2b key must be at most 64 bytes")
        self.digestLength = digestLength
        h = BLAKE2b.iv
        // Parameter block word 0: digest length, key length, fanout 1, depth 1.
        h.0 ^= 0x0101_0000 ^ (UInt64(keyLength) << 8) ^ UInt64(digestLength)
        block = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        if let key, keyLength > 0 {
            // The key, zero-padded to a whole block, is the first block of input.
            withUnsafeMutableBytes(of: &block) { $0.copyMemory(from: key) }
            buffered = BLAKE2b.blockLength
        }
    }

    /// Hashes the next bytes of the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var pointer = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        if buffered > 0 {
            let take = min(BLAKE2b.blockLength - buffered, remaining)
            let offset = buffered
            withUnsafeMutableBytes(of: &block) { ($0.baseAddress! + offset).copyMemory(from: pointer, byteCount: take) }
            buffered += take
            pointer += take
            remaining -= take
            if remaining == 0 { return }
            addToCount(BLAKE2b.blockLength)
            var copy = block
            withUnsafeBytes(of: &copy) { compress($0.baseAddress!, final: false) }
            buffered = 0
        }
        while remaining > BLAKE2b.blockLength {
            addToCount(BLAKE2b.blockLength)
            compress(pointer, final: false)
            pointer += BLAKE2b.blockLength
            remaining -= BLAKE2b.blockLength
        }
        let tail = remaining
        withUnsafeMutableBytes(of: &block) { $0.baseAddress!.copyMemory(from: pointer, byteCount: tail) }
        buffered = tail
    }

    /// Ends the message and writes the digest (`digestLength` bytes) to the start of `output`.
    /// The hash must not be updated afterwards.
    public mutating func finalize(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= digestLength, "BLAKE2b output buffer too small")
        finish()
        withUnsafeBytes(of: &h) { words in
            output.baseAddress!.copyMemory(from: words.baseAddress!, byteCount: digestLength)
        }
    }

    /// Ends the message and returns the first 16 digest bytes as two words, each read
    /// big-endian (so printing `high` then `low` in hex gives the digest's hex text).
    public mutating func finalizeAs128() -> (high: UInt64, low: UInt64) {
        finish()
        return (UInt64(littleEndian: h.0).byteSwapped, UInt64(littleEndian: h.1).byteSwapped)
    }

    /// A one-shot digest (for tools and tests; allocates the returned array).
    public static func hash(_ message: UnsafeRawBufferPointer, digestLength: Int = maximumDigestLength,
                            key: UnsafeRawBufferPointer? = nil) -> [UInt8] {
        var state = BLAKE2b(digestLength: digestLength, key: key)
        state.update(message)
        return [UInt8](unsafeUninitializedCapacity: digestLength) { buffer, count in
            state.finalize(into: UnsafeMutableRawBufferPointer(buffer))
            count = digestLength
        }
    }

    // MARK: Internals

    /// Compresses the buffered (possibly empty) last block with the final flag; stores the
    /// chaining words little-endian, which is the digest's byte order.
    private mutating func finish() {
        addToCount(buffered)
        let used = buffered
        withUnsafeMutableBytes(of: &block) { bytes in
            _ = (bytes.baseAddress! + used).initializeMemory(as: UInt8.self, repeating: 0, count: BLAKE2b.blockLength - used)
        }
        var copy = block
        withUnsafeBytes(of: &copy) { compress($0.baseAddress!, final: true) }
        buffered = 0
        h = (h.0.littleEndian, h.1.littleEndian, h.2.littleEndian, h.3.littleEndian,
             h.4.littleEndian, h.5.littleEndian, h.6.littleEndian, h.7.littleEndian)
    }

    @inline(__always)
    private mutating func addToCount(_ bytes: Int) {
        let (sum, overflow) = countLow.addingReportingOverflow(UInt64(bytes))
        countLow = sum
        if overflow { countHigh &+= 1 }
    }

    /// The RFC's mixing function G.
    @inline(__always)
    private func mix(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64, _ x: UInt64, _ y: UInt64) {
        a = a &+ b &+ x
        d = rotateRight(d ^ a, 32)
        c = c &+ d
        b = rotateRight(b ^ c, 24)
        a = a &+ b &+ y
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 63)
    }

    @inline(__always)
    private func rotateRight(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value &>> count) | (value &<< (64 &- count))
    }

    /// The RFC's compression function F over the 128 bytes at `m`, with the offset counter as
    /// it stands; the message schedule SIGMA is written out round by round.
    private mutating func compress(_ m: UnsafeRawPointer, final: Bool) {
        @inline(__always) func word(_ index: Int) -> UInt64 {
            UInt64(littleEndian: m.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self))
        }
        let m0 = word(0), m1 = word(1), m2 = word(2), m3 = word(3)
        let m4 = word(4), m5 = word(5), m6 = word(6), m7 = word(7)
        let m8 = word(8), m9 = word(9), m10 = word(10), m11 = word(11)
        let m12 = word(12), m13 = word(13), m14 = word(14), m15 = word(15)
        var v0 = h.0, v1 = h.1, v2 = h.2, v3 = h.3, v4 = h.4, v5 = h.5, v6 = h.6, v7 = h.7
        var v8 = BLAKE2b.iv.0, v9 = BLAKE2b.iv.1, v10 = BLAKE2b.iv.2, v11 = BLAKE2b.iv.3
        var v12 = BLAKE2b.iv.4 ^ countLow, v13 = BLAKE2b.iv.5 ^ countHigh
        var v14 = final ? ~BLAKE2b.iv.6 : BLAKE2b.iv.6, v15 = BLAKE2b.iv.7
        // round 0
        mix(&v0, &v4, &v8, &v12, m0, m1)
        mix(&v1, &v5, &v9, &v13, m2, m3)
        mix(&v2, &v6, &v10, &v14, m4, m5)
        mix(&v3, &v7, &v11, &v15, m6, m7)
        mix(&v0, &v5, &v10, &v15, m8, m9)
        mix(&v1, &v6, &v11, &v12, m10, m11)
        mix(&v2, &v7, &v8, &v13, m12, m13)
        mix(&v3, &v4, &v9, &v14, m14, m15)
        // round 1
        mix(&v0, &v4, &v8, &v12, m14, m10)
        mix(&v1, &v5, &v9, &v13, m4, m8)
        mix(&v2, &v6, &v10, &v14, m9, m15)
        mix(&v3, &v7, &v11, &v15, m13, m6)
        mix(&v0, &v5, &v10, &v15, m1, m12)
        mix(&v1, &v6, &v11, &v12, m0, m2)
        mix(&v2, &v7, &v8, &v13, m11, m7)
        mix(&v3, &v4, &v9, &v14, m5, m3)
        // round 2
        mix(&v0, &v4, &v8, &v12, m11, m8)
        mix(&v1, &v5, &v9, &v13, m12, m0)
        mix(&v2, &v6, &v10, &v14, m5, m2)
        mix(&v3, &v7, &v11, &v15, m15, m13)
        mix(&v0, &v5, &v10, &v15, m10, m14)
        mix(&v1, &v6, &v11, &v12, m3, m6)
        mix(&v2, &v7, &v8, &v13, m7, m1)
        mix(&v3, &v4, &v9, &v14, m9, m4)
        // round 3
        mix(&v0, &v4, &v8, &v12, m7, m9)
        mix(&v1, &v5, &v9, &v13, m3, m1)
        mix(&v2, &v6, &v10, &v14, m13, m12)
        mix(&v3, &v7, &v11, &v15, m11, m14)
        mix(&v0, &v5, &v10, &v15, m2, m6)
        mix(&v1, &v6, &v11, &v12, m5, m10)
        mix(&v2, &v7, &v8, &v13, m4, m0)
        mix(&v3, &v4, &v9, &v14, m15, m8)
        // round 4
        mix(&v0, &v4, &v8, &v12, m9, m0)
        mix(&v1, &v5, &v9, &v13, m5, m7)
        mix(&v2, &v6, &v10, &v14, m2, m4)
        mix(&v3, &v7, &v11, &v15, m10, m15)
        mix(&v0, &v5, &v10, &v15, m14, m1)
        mix(&v1, &v6, &v11, &v12, m11, m12)
        mix(&v2, &v7, &v8, &v13, m6, m8)
        mix(&v3, &v4, &v9, &v14, m3, m13)
        // round 5
        mix(&v0, &v4, &v8, &v12, m2, m12)
        mix(&v1, &v5, &v9, &v13, m6, m10)
        mix(&v2, &v6, &v10, &v14, m0, m11)
        mix(&v3, &v7, &v11, &v15, m8, m3)
        mix(&v0, &v5, &v10, &v15, m4, m13)
        mix(&v1, &v6, &v11, &v12, m7, m5)
        mix(&v2, &v7, &v8, &v13, m15, m14)
        mix(&v3, &v4, &v9, &v14, m1, m9)
        // round 6
        mix(&v0, &v4, &v8, &v12, m12, m5)
        mix(&v1, &v5, &v9, &v13, m1, m15)
        mix(&v2, &v6, &v10, &v14, m14, m13)
        mix(&v3, &v7, &v11, &v15, m4, m10)
        mix(&v0, &v5, &v10, &v15, m0, m7)
        mix(&v1, &v6, &v11, &v12, m6, m3)
        mix(&v2, &v7, &v8, &v13, m9, m2)
        mix(&v3, &v4, &v9, &v14, m8, m11)
        // round 7
        mix(&v0, &v4, &v8, &v12, m13, m11)
        mix(&v1, &v5, &v9, &v13, m7, m14)
        mix(&v2, &v6, &v10, &v14, m12, m1)
        mix(&v3, &v7, &v11, &v15, m3, m9)
        mix(&v0, &v5, &v10, &v15, m5, m0)
        mix(&v1, &v6, &v11, &v12, m15, m4)
        mix(&v2, &v7, &v8, &v13, m8, m6)
        mix(&v3, &v4, &v9, &v14, m2, m10)
        // round 8
        mix(&v0, &v4, &v8, &v12, m6, m15)
        mix(&v1, &v5, &v9, &v13, m14, m9)
        mix(&v2, &v6, &v10, &v14, m11, m3)
        mix(&v3, &v7, &v11, &v15, m0, m8)
        mix(&v0, &v5, &v10, &v15, m12, m2)
        mix(&v1, &v6, &v11, &v12, m13, m7)
        mix(&v2, &v7, &v8, &v13, m1, m4)
        mix(&v3, &v4, &v9, &v14, m10, m5)
        // round 9
        mix(&v0, &v4, &v8, &v12, m10, m2)
        mix(&v1, &v5, &v9, &v13, m8, m4)
        mix(&v2, &v6, &v10, &v14, m7, m6)
        mix(&v3, &v7, &v11, &v15, m1, m5)
        mix(&v0, &v5, &v10, &v15, m15, m11)
        mix(&v1, &v6, &v11, &v12, m9, m14)
        mix(&v2, &v7, &v8, &v13, m3, m12)
        mix(&v3, &v4, &v9, &v14, m13, m0)
        // round 10
        mix(&v0, &v4, &v8, &v12, m0, m1)
        mix(&v1, &v5, &v9, &v13, m2, m3)
        mix(&v2, &v6, &v10, &v14, m4, m5)
        mix(&v3, &v7, &v11, &v15, m6, m7)
        mix(&v0, &v5, &v10, &v15, m8, m9)
        mix(&v1, &v6, &v11, &v12, m10, m11)
        mix(&v2, &v7, &v8, &v13, m12, m13)
        mix(&v3, &v4, &v9, &v14, m14, m15)
        // round 11
        mix(&v0, &v4, &v8, &v12, m14, m10)
        mix(&v1, &v5, &v9, &v13, m4, m8)
        mix(&v2, &v6, &v10, &v14, m9, m15)
        mix(&v3, &v7, &v11, &v15, m13, m6)
        mix(&v0, &v5, &v10, &v15, m1, m12)
        mix(&v1, &v6, &v11, &v12, m0, m2)
        mix(&v2, &v7, &v8, &v13, m11, m7)
        mix(&v3, &v4, &v9, &v14, m5, m3)
        h.0 ^= v0 ^ v8
        h.1 ^= v1 ^ v9
        h.2 ^= v2 ^ v10
        h.3 ^= v3 ^ v11
        h.4 ^= v4 ^ v12
        h.5 ^= v5 ^ v13
        h.6 ^= v6 ^ v14
        h.7 ^= v7 ^ v15
    }
}
