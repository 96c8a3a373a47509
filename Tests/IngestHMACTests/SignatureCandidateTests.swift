import XCTest
import IngestHMAC

/// How signature header values are accepted or ignored, rotation, and the verdicts.
final class SignatureCandidateTests: XCTestCase {
    let key1 = "K4vZ3oQ1v0m9b2XkTQ8Wn6YpRr5sUu7wAa1Bc2De3Fg=".bytes
    let key2 = "second-rotation-key-EXAMPLE-ONLY-000000000=".bytes
    let body = #"{"event":"envelope-completed","configurationId":10363315,"data":{"envelopeId":"x"}}"#.bytes
    var signature1: [UInt8] { HMACSHA256.signatureHeaderValue(key: key1, message: body) }
    var signature2: [UInt8] { HMACSHA256.signatureHeaderValue(key: key2, message: body) }

    func testRotationOnlyKey2ConfiguredBothHeadersPresent() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key2]))
        XCTAssertEqual(authenticator.verdict(signatures: [signature1, signature2], body: body), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [signature2, signature1], body: body), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: body), .mismatch)
    }

    func testRotationOnlyKey1ConfiguredBothHeadersPresent() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key1]))
        XCTAssertEqual(authenticator.verdict(signatures: [signature1, signature2], body: body), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [signature2, signature1], body: body), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [signature2], body: body), .mismatch)
    }

    func testRotationBothKeysConfiguredEitherHeaderAlone() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key1, key2]))
        XCTAssertEqual(authenticator.keyCount, 2)
        XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: body), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [signature2], body: body), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [signature2, signature1], body: body), .verified)
        let other = HMACSHA256.signatureHeaderValue(key: "a third key".bytes, message: body)
        XCTAssertEqual(authenticator.verdict(signatures: [other], body: body), .mismatch)
    }

    func testTamperedBodyByteIsRejected() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key1]))
        for index in [0, 1, body.count / 2, body.count - 1] {
            var tampered = body
            tampered[index] ^= 0x01
            XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: tampered), .mismatch, "byte \(index)")
        }
        XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: body + [0x0A]), .mismatch, "appended newline")
        XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: Array(body.dropLast())), .mismatch, "last byte missing")
        XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: body), .verified)
    }

    func testMalformedSignaturesAreNonMatchesNotCandidates() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key1]))
        let good = signature1
        XCTAssertEqual(good.count, 44)
        var malformed: [(String, [UInt8])] = [
            ("missing '='", Array(good.dropLast())),
            ("45 characters", good + "=".bytes),
            ("43 characters plus '='", Array(good.dropLast(2)) + "=".bytes),
            ("leading space", " ".bytes + good),
            ("trailing space", good + " ".bytes),
            ("trailing CR", good + [0x0D]),
            ("space inside", Array(good[..<20]) + " ".bytes + Array(good[21...])),
            ("'==' padding", Array(good[..<42]) + "==".bytes),
            ("empty", []),
            ("URL-safe alphabet", good.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 }),
            ("hex digest", Array(HMACSHA256.authenticationCode(key: key1, message: body).map { String($0, radix: 16) }.joined().utf8)),
            ("NUL inside", Array(good[..<10]) + [0] + Array(good[11...])),
        ]
        for bad: UInt8 in [UInt8(ascii: "!"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="), 0x80, 0xFF] {
            var value = good
            value[5] = bad
            malformed.append(("bad character \(bad)", value))
        }
        // The 43rd character carries 4 significant bits and 2 that must be zero.
        var nonCanonical = good
        nonCanonical[42] = nonCanonicalSibling(of: good[42])
        malformed.append(("non-zero unused bits", nonCanonical))

        for (name, value) in malformed {
            authenticator.begin()
            value.withUnsafeBytes { authenticator.addCandidateSignature($0) }
            XCTAssertEqual(authenticator.candidateCount, 0, "\(name) was stored as a candidate")
            XCTAssertEqual(authenticator.offeredSignatureCount, 1, name)
            body.withUnsafeBytes { authenticator.update($0) }
            XCTAssertEqual(authenticator.finishWithVerdict(), .malformedSignature, name)
            // A malformed header next to the genuine one does not prevent verification.
            XCTAssertEqual(authenticator.verdict(signatures: [value, good], body: body), .verified, name)
        }
    }

    /// The same symbol with one of its two discarded low bits set: decodes to the same bytes in a
    /// lax decoder, must be refused by a strict one.
    private func nonCanonicalSibling(of symbol: UInt8) -> UInt8 {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let value = alphabet.firstIndex(of: symbol)!
        return alphabet[value | 0x01]
    }

    func testTwentyCandidatesOnlyTheLastMatches() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key2]))
        var signatures = (1..<20).map { HMACSHA256.signatureHeaderValue(key: "old key \($0)".bytes, message: body) }
        signatures.append(signature2)
        XCTAssertEqual(authenticator.verdict(signatures: signatures, body: body), .verified)
        XCTAssertEqual(authenticator.candidateCount, 20)
        XCTAssertEqual(authenticator.verdict(signatures: Array(signatures.dropLast()), body: body), .mismatch)
    }

    func testCandidatesBeyondCapacityAreCountedButNotChecked() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key1]), candidateCapacity: 3)
        let others = (0..<3).map { HMACSHA256.signatureHeaderValue(key: "other \($0)".bytes, message: body) }
        XCTAssertEqual(authenticator.verdict(signatures: others + [signature1], body: body), .mismatch)
        XCTAssertEqual(authenticator.candidateCount, 3)
        XCTAssertEqual(authenticator.offeredSignatureCount, 4)
        XCTAssertEqual(authenticator.verdict(signatures: [signature1] + others, body: body), .verified)
        XCTAssertEqual(MessageAuthenticator.defaultCandidateCapacity, 100)
    }

    func testVerdictsAndReasons() {
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key1]))
        XCTAssertEqual(authenticator.verdict(signatures: [], body: body), .missingSignature)
        XCTAssertEqual(authenticator.verdict(signatures: ["nonsense".bytes], body: body), .malformedSignature)
        XCTAssertEqual(authenticator.verdict(signatures: [signature2], body: body), .mismatch)
        XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: body), .verified)
        let unkeyed = MessageAuthenticator(keys: SigningKeys(secrets: []))
        XCTAssertEqual(unkeyed.verdict(signatures: [signature1], body: body), .noKeyConfigured)
        XCTAssertFalse(unkeyed.verifies(signatures: [signature1], body: body))
        let reasons: [SignatureVerdict] = [.verified, .noKeyConfigured, .missingSignature, .malformedSignature, .mismatch]
        XCTAssertEqual(Set(reasons.map(\.reason)).count, reasons.count, "each verdict has its own reason")
    }

    /// Only a key's exact bytes verify: trimmed, decoded or case-changed keys do not.
    func testKeyBytesAreUsedExactly() {
        let variants: [[UInt8]] = [Array(key1.dropLast()), key1 + [0x0A], Array(String(decoding: key1, as: UTF8.self).lowercased().utf8), Base64.decode(key1)!]
        for variant in variants {
            let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [variant]))
            XCTAssertEqual(authenticator.verdict(signatures: [signature1], body: body), .mismatch, "variant of \(variant.count) bytes")
        }
    }
}
