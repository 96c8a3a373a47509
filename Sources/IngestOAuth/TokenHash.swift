/// A seeded 64-bit hash that picks a cache bucket for a token, and a constant-time equality
/// check that confirms a hit.
///
/// Not SHA-256: hashing a 1-2 KB access token with SHA-256 costs 0.7-1.4 µs here (1.5 GB/s,
/// measured with `connect-bench micro --only hmac`), more than the whole budget for a cached
/// token. The hash need not resist collisions, because a hit is confirmed by comparing the whole
/// token with the cached copy; it only has to spread distinct tokens over buckets. So the cache
/// hashes a token's last 64 bytes and its length (``bucketHash(of:seed:)``): the end of a compact
/// JWS is its signature, which differs between any two tokens an authorization server issues. A
/// sender can make tokens that share a bucket, but that only costs it cache misses (its tokens
/// are not cached unless they verify). The per-process random seed keeps buckets unpredictable.
enum TokenHash {
    private static let prime1: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    @inline(__always)
    private static func rotate(_ x: UInt64, _ by: UInt64) -> UInt64 { x << by | x >> (64 - by) }

    @inline(__always)
    private static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The bucket hash of a token: ``hash(_:seed:)`` of its last 64 bytes, keyed by its length.
    @inline(__always)
    static func bucketHash(of token: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let tail = UnsafeRawBufferPointer(rebasing: token[max(0, token.count - 64)...])
        return hash(tail, seed: seed ^ UInt64(token.count) &* prime3)
    }

    /// The hash of all of `bytes` under `seed`. No allocation.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return mix(seed ^ prime3) }
        var a = seed ^ prime1, b = seed ^ prime2, c = seed &+ prime3, d = seed &- prime1
        var index = 0
        while index + 32 <= count {
            a = rotate((a ^ word(base, index)) &* prime2, 31)
            b = rotate((b ^ word(base, index + 8)) &* prime2, 31)
            c = rotate((c ^ word(base, index + 16)) &* prime2, 31)
            d = rotate((d ^ word(base, index + 24)) &* prime2, 31)
            index += 32
        }
        var h = rotate(a, 1) &+ rotate(b, 7) &+ rotate(c, 12) &+ rotate(d, 18) &+ UInt64(count)
        while index + 8 <= count {
            h = rotate((h ^ word(base, index)) &* prime2, 27) &* prime1
            index += 8
        }
        if index < count {
            var tail: UInt64 = 0
            for offset in index..<count { tail |= UInt64(bytes[offset]) << UInt64(8 * (offset - index)) }
            h = rotate((h ^ tail) &* prime3, 23) &* prime2
        }
        return mix(h)
    }

    /// A final avalanche so every input bit reaches the bucket bits.
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }

    /// Whether `a` and `b` (same length, checked by the caller) hold the same bytes, in time that
    /// depends only on the length: no early exit, so response timing cannot reveal how much of a
    /// cached token a guess got right.
    static func constantTimeEquals(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        // Four independent accumulators over 32-byte blocks, so the loads are not serialized
        // behind one OR chain.
        var d0: UInt64 = 0, d1: UInt64 = 0, d2: UInt64 = 0, d3: UInt64 = 0
        var index = 0
        while index + 32 <= count {
            d0 |= a.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            d1 |= a.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
            d2 |= a.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
            d3 |= a.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
            index += 32
        }
        var difference = d0 | d1 | d2 | d3
        while index < count {
            difference |= UInt64(a.load(fromByteOffset: index, as: UInt8.self) ^ b.load(fromByteOffset: index, as: UInt8.self))
            index += 1
        }
        return difference == 0
    }
}
