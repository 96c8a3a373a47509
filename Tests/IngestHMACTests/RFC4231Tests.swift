import XCTest
import IngestHMAC
import IngestTestSupport

/// RFC 4231 §4 HMAC-SHA256 test cases 1-7, through both the one-shot OpenSSL `HMAC()` helper and
/// the streaming prepared-state path the server uses.
final class RFC4231Tests: XCTestCase {
    struct Case {
        var number: Int
        var key: [UInt8]
        var data: [UInt8]
        var expected: [UInt8]
        /// Case 5 publishes only the first 128 bits of the output.
        var truncated: Bool = false
    }

    static let cases: [Case] = [
        Case(number: 1, key: [UInt8](repeating: 0x0B, count: 20), data: "Hi There".bytes,
             expected: hexBytes("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")),
        Case(number: 2, key: "Jefe".bytes, data: "what do ya want for nothing?".bytes,
             expected: hexBytes("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")),
        Case(number: 3, key: [UInt8](repeating: 0xAA, count: 20), data: [UInt8](repeating: 0xDD, count: 50),
             expected: hexBytes("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")),
        Case(number: 4, key: hexBytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
             data: [UInt8](repeating: 0xCD, count: 50),
             expected: hexBytes("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")),
        Case(number: 5, key: [UInt8](repeating: 0x0C, count: 20), data: "Test With Truncation".bytes,
             expected: hexBytes("a3b6167473100ee06e0c796c2955552b"), truncated: true),
        Case(number: 6, key: [UInt8](repeating: 0xAA, count: 131),
             data: "Test Using Larger Than Block-Size Key - Hash Key First".bytes,
             expected: hexBytes("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")),
        Case(number: 7, key: [UInt8](repeating: 0xAA, count: 131),
             data: ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").bytes,
             expected: hexBytes("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")),
    ]

    func testOneShotMatchesRFC4231() {
        for c in Self.cases {
            let code = HMACSHA256.authenticationCode(key: c.key, message: c.data)
            XCTAssertEqual(code.count, 32, "case \(c.number)")
            if c.truncated {
                XCTAssertEqual(Array(code.prefix(16)), c.expected, "case \(c.number) (first 128 bits)")
            } else {
                XCTAssertEqual(code, c.expected, "case \(c.number)")
            }
        }
    }

    func testStreamingVerifiesRFC4231() {
        for c in Self.cases {
            // For case 5 the full 32 bytes come from OpenSSL's HMAC(), whose prefix the test above pins.
            let full = c.truncated ? HMACSHA256.authenticationCode(key: c.key, message: c.data) : c.expected
            let signature = Base64.encode(full)
            let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [c.key]))
            XCTAssertEqual(authenticator.verdict(signatures: [signature], body: c.data), .verified, "case \(c.number)")
            for pieces in SplitFeeder.cuttings(of: c.data) {
                XCTAssertEqual(authenticator.verdict(signatures: [signature], pieces: pieces.pieces), .verified,
                               "case \(c.number), \(pieces.name)")
            }
            for bit in [0, 7, 128, 255] {
                XCTAssertEqual(authenticator.verdict(signatures: [flippingOneBit(ofSignature: signature, bit: bit)], body: c.data),
                               .mismatch, "case \(c.number), bit \(bit) flipped")
            }
        }
    }

    func testSignatureHeaderValueIsBase64OfCode() {
        for c in Self.cases where !c.truncated {
            XCTAssertEqual(HMACSHA256.signatureHeaderValue(key: c.key, message: c.data), Base64.encode(c.expected), "case \(c.number)")
            XCTAssertEqual(HMACSHA256.signatureHeaderValue(key: c.key, message: c.data).count, 44, "case \(c.number)")
        }
    }

    /// Keys around the 64-byte block boundary take different RFC 2104 paths (pad vs hash first).
    func testKeyLengthsAroundBlockSizeAgreeWithOpenSSL() {
        let message = "The quick brown fox jumps over the lazy dog".bytes
        for length in [0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200] {
            let key = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let signature = HMACSHA256.signatureHeaderValue(key: key, message: message)
            let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [key]))
            XCTAssertEqual(authenticator.verdict(signatures: [signature], body: message), .verified, "key length \(length)")
        }
    }

    /// Known answer for the widely published "key"/"The quick brown fox..." example.
    func testWellKnownVector() {
        XCTAssertEqual(HMACSHA256.authenticationCode(key: "key".bytes, message: "The quick brown fox jumps over the lazy dog".bytes),
                       hexBytes("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"))
    }

    func testPlainSHA256KnownAnswers() {
        XCTAssertEqual([UInt8]().withUnsafeBytes { SHA256Digest.compute($0) },
                       hexBytes("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        XCTAssertEqual("abc".bytes.withUnsafeBytes { SHA256Digest.compute($0) },
                       hexBytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        var out = [UInt8](repeating: 0, count: 40)
        "abc".bytes.withUnsafeBytes { input in out.withUnsafeMutableBytes { SHA256Digest.compute(input, into: $0) } }
        XCTAssertEqual(Array(out.prefix(32)), hexBytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        XCTAssertEqual(Array(out.suffix(8)), [UInt8](repeating: 0, count: 8), "writes exactly 32 bytes")
    }
}
