/// The bearer-token check of one worker: parses `Authorization: Bearer <token>`, answers from
/// the worker's cache of verified tokens, and verifies a token it has not seen (then caches it).
///
/// Cost per message with a cached token: one pass over the header value to find the token, one
/// ``TokenHash`` pass, and a constant-time comparison with the cached copy; no allocation, no
/// lock, no reference counting. A token seen for the first time costs a full verification (a
/// JSON parse of header and claims and one RSA or ECDSA signature check, tens of microseconds).
///
/// Thread affinity: one per worker thread. ``rebind(to:)`` switches to a reloaded verifier and
/// empties the cache (its tokens were verified against keys that may be gone).
public final class BearerGate {
    /// The outcome of one check.
    public enum Outcome: Equatable, Sendable {
        /// The token was in the cache and is still within its expiry.
        case cached
        /// The token verified now (and is cached from now on).
        case verified
        case refused(BearerRefusal)
    }

    public private(set) var verifier: BearerTokenVerifier
    private let cache: VerifiedTokenCache
    /// `verifier.policy.maximumTokenBytes`, copied so a cache hit touches no reference.
    private var maximumTokenBytes: Int

    /// The default number of distinct tokens cached per worker. DocuSign uses one token per
    /// Connect configuration until it expires, so this covers a thousand configurations at once.
    public static let defaultCacheCapacity = 1024

    public init(verifier: BearerTokenVerifier, cacheCapacity: Int = BearerGate.defaultCacheCapacity) {
        self.verifier = verifier
        maximumTokenBytes = verifier.policy.maximumTokenBytes
        cache = VerifiedTokenCache(capacity: max(VerifiedTokenCache.ways, cacheCapacity))
    }

    /// Uses `verifier` from now on; cached tokens are forgotten unless it is the same verifier.
    public func rebind(to verifier: BearerTokenVerifier) {
        guard verifier !== self.verifier else { return }
        self.verifier = verifier
        maximumTokenBytes = verifier.policy.maximumTokenBytes
        cache.removeAll()
    }

    /// Tokens currently cached.
    public var cachedTokenCount: Int { cache.count }

    /// The cache's bound.
    public var cacheCapacity: Int { cache.capacity }

    /// Checks the value of the request's `Authorization` header (nil: no such header) at
    /// `nowSeconds` (Unix time).
    public func check(authorization: UnsafeRawBufferPointer?, nowSeconds: Int64) -> Outcome {
        guard let authorization else { return .refused(.missing) }
        guard let token = BearerGate.token(in: authorization) else { return .refused(.notBearer) }
        if token.count > maximumTokenBytes { return .refused(.oversized) }
        if cache.contains(token, nowSeconds: nowSeconds) { return .cached }
        switch verifier.verify(token: token, nowSeconds: nowSeconds) {
        case .success(let validUntil):
            cache.insert(token, validUntil: validUntil, nowSeconds: nowSeconds)
            return .verified
        case .failure(let refusal):
            return .refused(refusal)
        }
    }

    /// Drops cached tokens past their expiry (call about once a second).
    public func dropExpired(nowSeconds: Int64) {
        cache.dropExpired(nowSeconds: nowSeconds)
    }

    /// The token of `Bearer <token>` (scheme in any case, one or more spaces or tabs, surrounding
    /// blanks ignored), or nil for another scheme or an empty token. No allocation.
    static func token(in value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var start = 0
        var end = value.count
        while start < end, value[start] == 0x20 || value[start] == 0x09 { start += 1 }
        while end > start, value[end - 1] == 0x20 || value[end - 1] == 0x09 { end -= 1 }
        let scheme: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0x62, 0x65, 0x61, 0x72, 0x65, 0x72)   // "bearer"
        guard end - start > 7 else { return nil }
        let matches = value[start] | 0x20 == scheme.0 && value[start + 1] | 0x20 == scheme.1
            && value[start + 2] | 0x20 == scheme.2 && value[start + 3] | 0x20 == scheme.3
            && value[start + 4] | 0x20 == scheme.4 && value[start + 5] | 0x20 == scheme.5
        guard matches, value[start + 6] == 0x20 || value[start + 6] == 0x09 else { return nil }
        var tokenStart = start + 7
        while tokenStart < end, value[tokenStart] == 0x20 || value[tokenStart] == 0x09 { tokenStart += 1 }
        guard tokenStart < end else { return nil }
        return UnsafeRawBufferPointer(rebasing: value[tokenStart..<end])
    }
}
