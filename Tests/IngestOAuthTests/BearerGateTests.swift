@testable import IngestOAuth
import IngestTestSupport
import XCTest

/// The per-worker gate: header parsing, the verified-token cache (hit, expiry, bound, flush on
/// rebind), and refusals passed through.
final class BearerGateTests: XCTestCase {
    let now: Int64 = 1_790_000_000

    func testAuthorizationHeaderParsing() {
        func token(_ value: String) -> String? {
            Array(value.utf8).withUnsafeBytes { raw in
                BearerGate.token(in: raw).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        XCTAssertEqual(token("Bearer abc.def.ghi"), "abc.def.ghi")
        XCTAssertEqual(token("bEaReR \t abc "), "abc")
        XCTAssertEqual(token("  Bearer x"), "x")
        XCTAssertNil(token("Bearer"))
        XCTAssertNil(token("Bearer   "))
        XCTAssertNil(token("Bearerabc"))
        XCTAssertNil(token("Basic dXNlcjpwYXNz"))
        XCTAssertNil(token("Bearez abc"))
        XCTAssertNil(token(""))
    }

    func testRepeatedTokenIsAnsweredFromTheCacheUntilItExpires() {
        let gate = BearerGate(verifier: TestKeys.verifier(leeway: 0))
        let token = TestKeys.token(now: now, expires: now + 100)
        XCTAssertEqual(check(gate, "Bearer " + token, at: now), .verified)
        XCTAssertEqual(check(gate, "Bearer " + token, at: now), .cached)
        XCTAssertEqual(check(gate, "bearer  " + token + " ", at: now + 100), .cached, "same token, other spelling of the header")
        XCTAssertEqual(gate.cachedTokenCount, 1)
        XCTAssertEqual(check(gate, "Bearer " + token, at: now + 101), .refused(.expired), "dropped at exp, then verified again")
        XCTAssertEqual(gate.cachedTokenCount, 0)
        XCTAssertEqual(check(gate, nil, at: now), .refused(.missing))
        XCTAssertEqual(check(gate, "Basic abc", at: now), .refused(.notBearer))
        XCTAssertEqual(check(gate, "Bearer " + String(repeating: "a", count: 9000), at: now), .refused(.oversized))

        // A token differing in one byte from a cached one is not a hit.
        XCTAssertEqual(check(gate, "Bearer " + token, at: now), .verified)
        var altered = Array(token.utf8)
        altered[altered.count / 2] = altered[altered.count / 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertNotEqual(check(gate, "Bearer " + String(decoding: altered, as: UTF8.self), at: now), .cached)
    }

    func testRebindForgetsTokensVerifiedWithTheOldKeys() {
        let verifier = TestKeys.verifier()
        let gate = BearerGate(verifier: verifier)
        let token = "Bearer " + TestKeys.token(now: now)
        XCTAssertEqual(check(gate, token, at: now), .verified)
        gate.rebind(to: verifier)
        XCTAssertEqual(check(gate, token, at: now), .cached, "same verifier: the cache stays")
        let (ecOnly, _) = try! JSONWebKeySet.parse(Array(TokenMinter.keySet([TestKeys.ec.jwk(kid: "ec-1")]).utf8), source: "jwks")
        gate.rebind(to: BearerTokenVerifier(keySet: ecOnly, policy: verifier.policy))
        XCTAssertEqual(check(gate, token, at: now), .refused(.unknownKeyID), "the RSA key is gone, and so is the cached token")
    }

    func testCacheIsBoundedAndNeverAnswersForATokenItWasNotGiven() {
        // Random inserts and lookups against a model: a hit only for an inserted, unexpired token
        // (soundness), a token just inserted is found, and the count never exceeds the capacity.
        let seed: UInt64 = 0xCAC4E_0001
        var random = SeededRandom(seed: seed)
        let cache = VerifiedTokenCache(capacity: 32)
        XCTAssertEqual(cache.capacity, 32)
        var inserted: [[UInt8]: Int64] = [:]
        var clock: Int64 = 1000
        for round in 0..<20_000 {
            clock += Int64(random.next() % 3)
            let length = 1 + Int(random.next() % 12)
            let token = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(random.next() % 3) }
            if random.next() % 2 == 0 {
                let validUntil = clock + Int64(random.next() % 50)
                token.withUnsafeBytes { cache.insert($0, validUntil: validUntil, nowSeconds: clock) }
                inserted[token] = validUntil
                XCTAssertTrue(token.withUnsafeBytes { cache.contains($0, nowSeconds: clock) }, "seed \(seed) round \(round)")
            } else {
                let hit = token.withUnsafeBytes { cache.contains($0, nowSeconds: clock) }
                if hit {
                    let validUntil = inserted[token]
                    XCTAssertNotNil(validUntil, "seed \(seed) round \(round): a hit for a token never inserted")
                    XCTAssertLessThanOrEqual(clock, validUntil ?? .min, "seed \(seed) round \(round): a hit past expiry")
                }
            }
            XCTAssertLessThanOrEqual(cache.count, cache.capacity, "seed \(seed)")
            if round % 1000 == 999 {
                cache.dropExpired(nowSeconds: clock)
            }
        }
        cache.removeAll()
        XCTAssertEqual(cache.count, 0)
    }

    func testTokenHashAndComparison() {
        let seed: UInt64 = 0x7A5_0001
        var random = SeededRandom(seed: seed)
        var hashes = Set<UInt64>()
        for length in 0..<200 {
            let a = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var b = a
            let hashA = a.withUnsafeBytes { TokenHash.hash($0, seed: 42) }
            XCTAssertEqual(hashA, b.withUnsafeBytes { TokenHash.hash($0, seed: 42) })
            hashes.insert(hashA)
            XCTAssertTrue(a.withUnsafeBytes { x in b.withUnsafeBytes { y in TokenHash.constantTimeEquals(x.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, y.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: length) } })
            guard length > 0 else { continue }
            let position = Int(random.next() % UInt64(length))
            b[position] ^= 1 << UInt8(random.next() % 8)
            XCTAssertNotEqual(hashA, b.withUnsafeBytes { TokenHash.hash($0, seed: 42) }, "seed \(seed) length \(length)")
            XCTAssertFalse(a.withUnsafeBytes { x in b.withUnsafeBytes { y in TokenHash.constantTimeEquals(x.baseAddress!, y.baseAddress!, count: length) } })
        }
        XCTAssertEqual(hashes.count, 200, "no collisions among 200 lengths")
    }

    private func check(_ gate: BearerGate, _ header: String?, at now: Int64) -> BearerGate.Outcome {
        guard let header else { return gate.check(authorization: nil, nowSeconds: now) }
        return Array(header.utf8).withUnsafeBytes { gate.check(authorization: $0, nowSeconds: now) }
    }
}
