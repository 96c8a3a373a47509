import Foundation
import IngestOAuth
import IngestTestSupport
import XCTest

/// Strict unpadded base64url: one spelling per byte string, compared with Foundation's base64.
final class Base64URLTests: XCTestCase {
    func testRoundTripsAgainstFoundationOverRandomBytes() {
        let seed: UInt64 = 0xB64_0001
        var random = SeededRandom(seed: seed)
        for _ in 0..<2000 {
            let count = Int(random.next() % 70)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            XCTAssertEqual(encoded, expected, "seed \(seed)")
            XCTAssertEqual(Base64URL.decode(encoded), bytes, "seed \(seed)")
        }
    }

    func testRefusesEverySecondSpelling() {
        XCTAssertEqual(Base64URL.decode("AQAB"), [1, 0, 1])
        XCTAssertEqual(Base64URL.decode(""), [])
        XCTAssertEqual(Base64URL.decode("-_8"), [0xFB, 0xFF])
        XCTAssertNil(Base64URL.decode("AQ=="), "padding")
        XCTAssertNil(Base64URL.decode("AQA="), "padding")
        XCTAssertNil(Base64URL.decode("+/8"), "standard alphabet")
        XCTAssertNil(Base64URL.decode("AQ B"), "space")
        XCTAssertNil(Base64URL.decode("AQAB\n"), "line break")
        XCTAssertNil(Base64URL.decode("A"), "one dangling character")
        XCTAssertNil(Base64URL.decode("AQABA"), "count % 4 == 1")
        XCTAssertNil(Base64URL.decode("AR"), "non-zero unused bits (AQ is the spelling of [1])")
        XCTAssertNil(Base64URL.decode("AQB"), "non-zero unused bits (AQA is the spelling of [1, 0])")
        XCTAssertNil(Base64URL.decode("QQ.B"), "a dot")
    }

    func testEveryMutationOfAValidStringDecodesDifferentlyOrNotAtAll() {
        // Changing one character never yields the same bytes: the decoding is injective.
        let seed: UInt64 = 0xB64_0002
        var random = SeededRandom(seed: seed)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ".utf8)
        for _ in 0..<1000 {
            let bytes = (0..<(1 + Int(random.next() % 40))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var text = Array(Base64URL.encode(bytes).utf8)
            let position = Int(random.next() % UInt64(text.count))
            let replacement = alphabet[Int(random.next() % UInt64(alphabet.count))]
            guard text[position] != replacement else { continue }
            text[position] = replacement
            if let decoded = Base64URL.decode(text) {
                XCTAssertNotEqual(decoded, bytes, "seed \(seed): two spellings of one byte string")
            }
        }
    }
}
