import XCTest
import IngestHMAC
import IngestTestSupport

final class Base64Tests: XCTestCase {
    /// RFC 4648 §10.
    let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    func testRFC4648Vectors() {
        for (plain, encoded) in rfc4648 {
            XCTAssertEqual(Base64.encode(plain.bytes), encoded.bytes, plain)
            XCTAssertEqual(Base64.decode(encoded.bytes), plain.bytes, encoded)
            XCTAssertEqual(Base64.encodedCount(forByteCount: plain.utf8.count), encoded.utf8.count, plain)
        }
    }

    func testAllByteValuesAndAlphabet() {
        let all = (0...255).map { UInt8($0) }
        let encoded = Base64.encode(all)
        XCTAssertEqual(Base64.decode(encoded), all)
        // 0x00 0x10 0x83 ... spells the alphabet in order.
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        XCTAssertEqual(Base64.encode(Base64.decode(alphabet.bytes)!), alphabet.bytes)
        for byte in 0...255 {
            XCTAssertEqual(Base64.isAlphabetCharacter(UInt8(byte)), alphabet.utf8.contains(UInt8(byte)), "byte \(byte)")
        }
    }

    func testRandomRoundTrips() {
        var rng = SeededRandom(seed: 7)
        for round in 0..<500 {
            let bytes = (0..<Int.random(in: 0...100, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            XCTAssertEqual(Base64.decode(Base64.encode(bytes)), bytes, "seed 7 round \(round)")
        }
    }

    func testStrictDecodingRejects() {
        for bad in ["Zg", "Zg=", "Zg===", "Z===", "====", "Zm9", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v====",
                    "Zh==", "Zm9=", "Zm-v", "Zm_v", "Zg==Zg==", "Z=g=", "=Zm9"] {
            XCTAssertNil(Base64.decode(bad.bytes), "accepted \(bad.debugDescription)")
        }
    }
}
