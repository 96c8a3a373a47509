internal import COpenSSL

/// Tokens that verified, each with the last second it stays acceptable, so a token DocuSign
/// repeats for many messages is checked by a lookup instead of a signature verification.
///
/// Shape: `bucketCount` buckets of 4 entries (set-associative; no tombstones, no rehashing). An
/// entry holds the token's hash, its length, its expiry and a private copy of its bytes; a lookup
/// hashes the offered token's tail once (``TokenHash``), compares hash and length in the bucket's four
/// entries and confirms a candidate by comparing all bytes in constant time. A hit allocates
/// nothing and takes no lock; an insert (after a successful verification, the slow path anyway)
/// allocates the copy. An entry past its expiry is dropped when a lookup meets it or by
/// ``dropExpired(nowSeconds:)``; a full bucket gives up the entry that expires first.
///
/// Bounded: at most `4 * bucketCount` tokens of at most the policy's maximum size.
///
/// Thread affinity: one cache per worker thread (a shared cache would need a lock or atomics per
/// hit; a token then verifies once per worker instead of once per process, which is cheap).
/// Unsafe pointer code stays inside this type.
final class VerifiedTokenCache {
    private struct Entry {
        var hash: UInt64 = 0
        var validUntil: Int64 = 0
        var length = 0
        /// The token's bytes (`length` of them); nil for an empty entry.
        var bytes: UnsafeMutableRawPointer?
    }

    static let ways = 4
    private let bucketMask: Int
    private let entries: UnsafeMutablePointer<Entry>
    private let entryCount: Int
    private let seed: UInt64
    private(set) var count = 0

    /// A cache for at least `capacity` tokens (rounded up to a power of two times 4).
    init(capacity: Int) {
        var buckets = 1
        while buckets * VerifiedTokenCache.ways < capacity { buckets <<= 1 }
        bucketMask = buckets - 1
        entryCount = buckets * VerifiedTokenCache.ways
        entries = .allocate(capacity: entryCount)
        entries.initialize(repeating: Entry(), count: entryCount)
        seed = UInt64.random(in: 0...UInt64.max)
    }

    deinit {
        removeAll()
        entries.deinitialize(count: entryCount)
        entries.deallocate()
    }

    /// The number of tokens the cache can hold.
    var capacity: Int { entryCount }

    /// True when `token` is cached and still acceptable at `nowSeconds`. An expired entry met on
    /// the way is dropped. No allocation.
    func contains(_ token: UnsafeRawBufferPointer, nowSeconds: Int64) -> Bool {
        guard let base = token.baseAddress else { return false }
        let hash = TokenHash.bucketHash(of: token, seed: seed)
        let first = bucket(of: hash)
        for way in 0..<VerifiedTokenCache.ways {
            let entry = entries + first + way
            guard entry.pointee.hash == hash, entry.pointee.length == token.count, let stored = entry.pointee.bytes else { continue }
            guard TokenHash.constantTimeEquals(stored, base, count: token.count) else { continue }
            if nowSeconds <= entry.pointee.validUntil { return true }
            drop(entry)
            return false
        }
        return false
    }

    /// Remembers `token` as acceptable until `validUntil` (Unix seconds, inclusive).
    func insert(_ token: UnsafeRawBufferPointer, validUntil: Int64, nowSeconds: Int64) {
        guard let base = token.baseAddress, !token.isEmpty else { return }
        let hash = TokenHash.bucketHash(of: token, seed: seed)
        let first = bucket(of: hash)
        for way in 0..<VerifiedTokenCache.ways {
            let entry = entries + first + way
            if let stored = entry.pointee.bytes, entry.pointee.hash == hash, entry.pointee.length == token.count,
               TokenHash.constantTimeEquals(stored, base, count: token.count) {
                entry.pointee.validUntil = validUntil   // already cached (another connection raced)
                return
            }
        }
        // An empty or expired way if there is one, else the way that expires first.
        var victim = entries + first
        for way in 0..<VerifiedTokenCache.ways {
            let entry = entries + first + way
            if entry.pointee.bytes == nil || entry.pointee.validUntil < nowSeconds {
                victim = entry
                break
            }
            if entry.pointee.validUntil < victim.pointee.validUntil { victim = entry }
        }
        drop(victim)
        let copy = UnsafeMutableRawPointer.allocate(byteCount: token.count, alignment: 8)
        copy.copyMemory(from: base, byteCount: token.count)
        victim.pointee = Entry(hash: hash, validUntil: validUntil, length: token.count, bytes: copy)
        count += 1
    }

    /// Drops every entry past its expiry (the worker calls this about once a second).
    func dropExpired(nowSeconds: Int64) {
        for index in 0..<entryCount where entries[index].bytes != nil && entries[index].validUntil < nowSeconds {
            drop(entries + index)
        }
    }

    /// Forgets every token (the keys they were verified with were replaced).
    func removeAll() {
        for index in 0..<entryCount where entries[index].bytes != nil {
            drop(entries + index)
        }
    }

    @inline(__always)
    private func bucket(of hash: UInt64) -> Int {
        (Int(truncatingIfNeeded: hash >> 32) & bucketMask) &* VerifiedTokenCache.ways
    }

    /// Empties `entry`, wiping the token copy (a bearer credential) before freeing it.
    private func drop(_ entry: UnsafeMutablePointer<Entry>) {
        guard let bytes = entry.pointee.bytes else { return }
        OPENSSL_cleanse(bytes, entry.pointee.length)   // a store the optimizer may not remove
        bytes.deallocate()
        entry.pointee = Entry()
        count -= 1
    }
}
