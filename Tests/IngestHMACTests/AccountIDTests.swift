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
}
