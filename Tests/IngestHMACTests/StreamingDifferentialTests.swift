import XCTest
import IngestHMAC
import IngestTestSupport

/// The streaming prepared-state HMAC against OpenSSL's one-shot `HMAC()` on random keys, bodies
/// and cuttings (bounded counts, fixed seeds, seed printed on failure).
final class StreamingDifferentialTests: XCTestCase {
    func testRandomKeysBodiesAndCuttingsAgreeWithOneShot() {
        for seed: UInt64 in [1, 42, 0xC0FFEE] {
            var rng = SeededRandom(seed: seed)
            for round in 0..<60 {
                let keyLength = Int.random(in: 0...150, using: &rng)
                let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let bodyLength = [0, 1, 55, 56, 63, 64, 65, 450, 4096, Int.random(in: 0...20_000, using: &rng)].randomElement(using: &rng)!
                let body = (0..<bodyLength).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let signature = HMACSHA256.signatureHeaderValue(key: key, message: body)
                let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key]))
                for cut in 0..<4 {
                    let pieces = SplitFeeder.randomCutting(of: body, maxPiece: [1, 7, 64, 1000][cut], using: &rng)
                    XCTAssertEqual(authenticator.verdict(signatures: [signature], pieces: pieces), .verified,
                                   "seed \(seed) round \(round) key \(keyLength) B body \(bodyLength) B cutting \(cut)")
                }
                if bodyLength > 0 {
                    var tampered = body
                    tampered[Int.random(in: 0..<bodyLength, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                    XCTAssertEqual(authenticator.verdict(signatures: [signature], body: tampered), .mismatch,
                                   "seed \(seed) round \(round): tampered body verified")
                }
            }
        }
    }

    /// Pieces of the same body spread over empty pieces, and a piece boundary at every offset
    /// within the first and last SHA-256 blocks.
    func testEmptyPiecesAndBlockBoundaries() {
        let key = "K4vZ3oQ1v0m9b2XkTQ8Wn6YpRr5sUu7wAa1Bc2De3Fg=".bytes
        let body = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let signature = HMACSHA256.signatureHeaderValue(key: key, message: body)
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key]))
        let withEmpties: [ArraySlice<UInt8>] = [body[0..<0], body[0..<100], body[100..<100], body[100..<300], body[300..<300]]
        XCTAssertEqual(authenticator.verdict(signatures: [signature], pieces: withEmpties), .verified)
        for a in 0...130 {
            let b = max(a, 300 - (a % 70))
            let pieces = [body[..<a], body[a..<b], body[b...]]
            XCTAssertEqual(authenticator.verdict(signatures: [signature], pieces: pieces), .verified, "cuts at \(a), \(b)")
        }
    }

    /// A message abandoned half way (begin called again) leaves nothing behind.
    func testBeginDiscardsAnAbandonedMessage() {
        let key = "k".bytes
        let body = "{\"event\":\"envelope-completed\"}".bytes
        let signature = HMACSHA256.signatureHeaderValue(key: key, message: body)
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key]))
        authenticator.begin()
        signature.withUnsafeBytes { authenticator.addCandidateSignature($0) }
        "garbage".bytes.withUnsafeBytes { authenticator.update($0) }
        XCTAssertEqual(authenticator.candidateCount, 1)
        // Start over without finishing: the earlier candidate and bytes are gone.
        authenticator.begin()
        XCTAssertEqual(authenticator.candidateCount, 0)
        XCTAssertEqual(authenticator.offeredSignatureCount, 0)
        body.withUnsafeBytes { authenticator.update($0) }
        XCTAssertEqual(authenticator.finishWithVerdict(), .missingSignature)
        XCTAssertEqual(authenticator.verdict(signatures: [signature], body: body), .verified)
    }
}
