@testable import IngestDedup
import IngestLog
import XCTest

/// Ids that are not hash outputs (counters, constants in one word: what tools and tests write)
/// must still spread over the table, or every probe walks one giant cluster. (A log of 20,000
/// such ids once took 28 s to index instead of 0.6 s.)
final class HomeSlotTests: XCTestCase {
    func testStructuredIdsSpreadOverTheTable() {
        let slots = 24_576
        let memory = UnsafeMutableRawPointer.allocate(byteCount: slots * 32, alignment: 64)
        defer { memory.deallocate() }
        let table = SlotTable(base: memory, count: slots)
        let counterInLow = Set((0..<20_000).map { table.home(of: MessageID(high: 0xC0FFEE, low: UInt64($0))) })
        let counterInHigh = Set((0..<20_000).map { table.home(of: MessageID(high: UInt64($0), low: 7)) })
        let evenCounters = Set((0..<20_000).map { table.home(of: MessageID(high: 0, low: UInt64($0) << 20)) })
        // Uniform homes: about 24,576 x (1 - e^(-20000/24576)) = 13,700 distinct slots.
        for (name, homes) in [("low counter", counterInLow), ("high counter", counterInHigh), ("shifted counter", evenCounters)] {
            XCTAssertGreaterThan(homes.count, 12_000, name)
            XCTAssertTrue(homes.allSatisfy { $0 >= 0 && $0 < slots }, name)
        }
    }
}
