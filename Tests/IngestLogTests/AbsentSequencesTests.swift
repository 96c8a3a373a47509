@testable import IngestLog
import XCTest

/// `AbsentSequences`: ascending ranges, coalesced, bounded; membership by binary search,
/// checked against a plain set over random additions.
final class AbsentSequencesTests: XCTestCase {
    func testCoalescesAndAnswersMembership() {
        var absent = AbsentSequences(capacity: 8)
        absent.add(3..<4)
        absent.add(4..<7)
        absent.add(10..<10)
        absent.add(12..<13)
        XCTAssertEqual(absent.ranges, [3..<7, 12..<13])
        XCTAssertEqual((0..<15).filter { absent.contains($0) }, [3, 4, 5, 6, 12])
    }

    func testRandomAdditionsAgainstASet() {
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<50 {
            var absent = AbsentSequences(capacity: 1 << 20)
            var expected = Set<UInt64>()
            var next: UInt64 = UInt64.random(in: 0..<5, using: &generator)
            for _ in 0..<200 {
                let start = next + UInt64.random(in: 0..<3, using: &generator)
                let end = start + UInt64.random(in: 0..<4, using: &generator)
                absent.add(start..<end)
                for s in start..<end { expected.insert(s) }
                next = end
            }
            for s in 0...(next + 2) where absent.contains(s) != expected.contains(s) {
                return XCTFail("trial \(trial): \(s) \(expected.contains(s)) \(absent.ranges)")
            }
        }
    }

    func testRemoveSplitsRanges() {
        var absent = AbsentSequences(capacity: 8)
        absent.add(3..<8)
        XCTAssertTrue(absent.remove(5))
        XCTAssertFalse(absent.remove(5), "already taken out")
        XCTAssertTrue(absent.remove(3))
        XCTAssertTrue(absent.remove(7))
        XCTAssertFalse(absent.remove(9))
        XCTAssertEqual(absent.ranges, [4..<5, 6..<7])
    }

    func testForgetsTheOldestWhenFull() {
        var absent = AbsentSequences(capacity: 8)
        for i in UInt64(0)..<20 { absent.add(i * 2..<i * 2 + 1) }
        XCTAssertLessThanOrEqual(absent.ranges.count, 8)
        XCTAssertTrue(absent.contains(38))
        XCTAssertFalse(absent.contains(0), "the oldest ranges are forgotten")
    }
}
