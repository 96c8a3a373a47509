@testable import IngestHTTP
import IngestTestSupport
import XCTest

/// The byte classes and word-at-a-time scans against their plain definitions.
final class ByteClassTests: XCTestCase {
    func testTcharMatchesGrammar() {
        let extra = Set("!#$%&'*+-.^_`|~".utf8)
        for b in 0...255 {
            let byte = UInt8(b)
            let expected = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || extra.contains(byte)
            XCTAssertEqual(ASCII.isTchar(byte), expected, "byte \(b)")
        }
    }

    func testHexValueAndLower() {
        for b in 0...255 {
            let byte = UInt8(b)
            let expected = Int(String(UnicodeScalar(byte)), radix: 16).map { String(UnicodeScalar(byte)).count == 1 ? $0 : -1 } ?? -1
            XCTAssertEqual(ASCII.hexValue(byte), expected, "byte \(b)")
            let isUpper = byte >= 0x41 && byte <= 0x5A
            XCTAssertEqual(ASCII.lower(byte), isUpper ? byte + 32 : byte, "byte \(b)")
        }
    }

    func testScansAgreeWithPlainLoops() {
        var rng = SeededRandom(seed: 7)
        let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xFF, 0x41]
        for round in 0..<3000 {
            let length = Int.random(in: 0...40, using: &rng)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0x21...0x7E, using: &rng) }
            for _ in 0..<Int.random(in: 0...3, using: &rng) where length > 0 {
                bytes[Int.random(in: 0..<length, using: &rng)] = interesting.randomElement(using: &rng)!
            }
            let from = length == 0 ? 0 : Int.random(in: 0...length, using: &rng)
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
                let control = (from..<length).first { bytes[$0] < 0x20 || bytes[$0] == 0x7F } ?? length
                XCTAssertEqual(ByteScan.firstControl(base, from: from, end: length), control, "round \(round) seed 7 \(bytes)")
                let nonVisible = (from..<length).first { bytes[$0] <= 0x20 || bytes[$0] >= 0x7F } ?? length
                XCTAssertEqual(ByteScan.firstNonVisible(base, from: from, end: length), nonVisible, "round \(round) seed 7 \(bytes)")
            }
        }
    }
}
