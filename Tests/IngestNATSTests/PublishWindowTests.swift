@testable import IngestNATS
import IngestTestSupport
import XCTest

/// The in-flight window: frames stay until acknowledged, a frame begun is never cut, a rewind
/// resends everything unacknowledged from the front, acknowledgements may come in any order.
final class PublishWindowTests: XCTestCase {
    func add(_ window: PublishWindow, _ text: String, context: UInt64) {
        let start = window.frames.endOffset
        window.frames.append(Array(text.utf8))
        window.add(start: start, context: context, payloadBytes: text.utf8.count)
    }

    func unsent(_ window: PublishWindow, limit: Int? = nil) -> String {
        guard let bytes = window.unsentBytes(limit: limit ?? window.frames.endOffset) else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    func testAcknowledgementsRewindAndPartialWrites() {
        let window = PublishWindow(maximumEntries: 4, initialBytes: 64)
        add(window, "aaaa", context: 10)
        add(window, "bbbb", context: 11)
        add(window, "cccc", context: 12)
        XCTAssertEqual(window.count, 3)
        XCTAssertEqual(unsent(window), "aaaabbbbcccc")
        window.advance(by: 6, now: 1)  // "aaaa" whole, "bb" of the second
        XCTAssertFalse(window.atFrameBoundary)
        XCTAssertEqual(window.sentCount, 1)
        // The second is acknowledged (an earlier copy) while half written: it must stay until written.
        XCTAssertEqual(window.acknowledge(window.frontToken + 1)?.context, 11)
        XCTAssertNil(window.acknowledge(window.frontToken + 1), "a second acknowledgement is ignored")
        XCTAssertEqual(window.count, 3)
        XCTAssertEqual(unsent(window), "bbcccc")
        // The front is acknowledged: dropped; the second is still mid-write, so it stays.
        XCTAssertEqual(window.acknowledge(window.frontToken)?.context, 10)
        XCTAssertEqual(window.count, 2)
        window.advance(by: 2, now: 2)
        XCTAssertTrue(window.atFrameBoundary)
        XCTAssertEqual(window.count, 1, "written whole and acknowledged: dropped")
        XCTAssertEqual(window.frontEntry?.context, 12)
        // A new connection: everything unacknowledged again, from the front.
        window.advance(by: 4, now: 3)
        XCTAssertEqual(unsent(window), "")
        window.rewind()
        XCTAssertEqual(unsent(window), "cccc")
        XCTAssertEqual(window.payloadBytes, 4)
        XCTAssertNil(window.acknowledge(999), "unknown tokens are ignored")
    }

    func testRandomOrderOfAcknowledgementsAndRewinds() {
        let seed: UInt64 = 0x57494E44
        var random = SeededRandom(seed: seed)
        let window = PublishWindow(maximumEntries: 16, initialBytes: 64)
        var next: UInt64 = 0
        var acknowledged = Set<UInt64>()
        for round in 0..<3000 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4 where !window.isFull:
                add(window, String(repeating: "x", count: Int.random(in: 1...9, using: &random)) + "\(next)|", context: next)
                next += 1
            case 4..<7:
                if let bytes = window.unsentBytes(limit: window.frames.endOffset) {
                    let n = Int.random(in: 1...bytes.count, using: &random)
                    window.advance(by: n, now: Int64(round))
                }
            case 7..<9 where window.count > 0:
                let token = window.frontToken + UInt64(Int.random(in: 0..<window.count, using: &random))
                if let entry = window.acknowledge(token) { XCTAssertTrue(acknowledged.insert(entry.context).inserted, "seed \(seed)") }
            default:
                if window.atFrameBoundary { window.rewind() }
            }
            // Invariants: contexts in the window are consecutive and not acknowledged at the front.
            if let front = window.frontEntry {
                XCTAssertFalse(front.acknowledged && window.sendCursor <= front.start, "seed \(seed) round \(round)")
                for index in 0..<window.count {
                    XCTAssertEqual(window.entry(at: index).context, front.context + UInt64(index), "seed \(seed) round \(round)")
                }
            }
            XCTAssertTrue(window.sendCursor >= window.frames.consumedTotal && window.sendCursor <= window.frames.endOffset, "seed \(seed)")
        }
        // Everything not in the window was acknowledged exactly once.
        let inWindow = Set((0..<window.count).map { window.entry(at: $0).context })
        for context in 0..<next where !inWindow.contains(context) {
            XCTAssertTrue(acknowledged.contains(context), "context \(context) left the window unacknowledged (seed \(seed))")
        }
    }
}
