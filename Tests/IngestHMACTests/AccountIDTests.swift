import IngestHMAC
import IngestTestSupport
import XCTest

final class AccountIDTests: XCTestCase {
    func testParsesBothCasesToTheSameValueAndPrintsCanonically() throws {
        let lower = try XCTUnwrap(AccountID("a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081"))
        let upper = try XCTUnwrap(AccountID("A2B3C4D5-E6F7-4801-9A2B-3C4D5E6F7081"))
        XCTAssertEqual(lower, upper)
        XCTAssertEqual(lower.high, 0xa2b3c4d5_e6f74801)
        XCTAssertEqual(lower.low, 0x9a2b3c4d_5e6f7081)
        XCTAssertEqual(upper.description, "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081")
    }

    func testRejectsEverythingThatIsNotAGUID() {
        let bad = [
            "", "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f708", "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f70811",
            "{a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f70}", "a2b3c4d5e6f7-4801-9a2b-3c4d5e6f70811",
            "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f708g", " 2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081",
            "a2b3c4d5_e6f7_4801_9a2b_3c4d5e6f7081", "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f70\u{e9}",
        ]
        for text in bad { XCTAssertNil(AccountID(text), text) }
    }

    func testRoundTripsRandomValues() {
        var random = SeededRandom(seed: 0xACC0)
        for _ in 0..<2000 {
            let id = AccountID(high: random.next(), low: random.next())
            XCTAssertEqual(AccountID(id.description), id)
            XCTAssertEqual(AccountID(id.description.uppercased()), id)
        }
    }

    func testAgreesWithAPlainReferenceParserOnMutatedText() {
        // Random GUID texts with one or two bytes replaced (digits, letters, dashes, anything):
        // the table-driven parser accepts exactly what a character-by-character reading accepts.
        let seed: UInt64 = 0xACC1
        var random = SeededRandom(seed: seed)
        let pool = Array("0123456789abcdefABCDEFgG-_ xX{}\u{0}\u{ff}".utf8) + [0x80, 0xE9, 0x2D, 0x30]
        for round in 0..<20_000 {
            var text = Array(AccountID(high: random.next(), low: random.next()).description.utf8)
            if random.next() % 2 == 0 { text = text.map { random.next() % 3 == 0 ? ($0 >= 0x61 ? $0 - 0x20 : $0) : $0 } }
            for _ in 0..<Int(random.next() % 3) {
                text[Int(random.next() % 36)] = pool[Int(random.next() % UInt64(pool.count))]
            }
            if round % 50 == 0 { text.removeLast() }
            let parsed = text.withUnsafeBytes { AccountID(text: $0) }
            let expected = reference(text)
            XCTAssertEqual(parsed?.high, expected?.0, "seed \(seed) round \(round): \(text)")
            XCTAssertEqual(parsed?.low, expected?.1, "seed \(seed) round \(round): \(text)")
        }
    }

    private func reference(_ text: [UInt8]) -> (UInt64, UInt64)? {
        guard text.count == 36 else { return nil }
        var digits: [UInt64] = []
        for (index, byte) in text.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let value = UInt64(String(UnicodeScalar(byte)), radix: 16) else { return nil }
            digits.append(value)
        }
        return (digits[0..<16].reduce(0) { $0 << 4 | $1 }, digits[16..<32].reduce(0) { $0 << 4 | $1 })
    }
}
