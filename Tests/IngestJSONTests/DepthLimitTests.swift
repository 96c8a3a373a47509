import IngestJSON
import XCTest

/// The nesting limit: `maxDepth` nested containers are accepted, one more fails at the bracket
/// that exceeds it. The scanner does not recurse, so the limit is about memory, not the stack.
final class DepthLimitTests: XCTestCase {
    func testDefaultLimitIs512() {
        let harness = ScanHarness()
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNil(harness.scan(ok).error)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        XCTAssertEqual(harness.scan(deep).error, JSONScanError(reason: .depthLimitExceeded, offset: 512))
        let objects = String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)
        XCTAssertEqual(harness.scan(objects).error, JSONScanError(reason: .depthLimitExceeded, offset: 512 * 5))
    }

    func testSmallLimitsMixedContainers() {
        for maxDepth in 0...6 {
            let harness = ScanHarness(maxDepth: maxDepth)
            var text = ""
            var closers = ""
            for level in 0...maxDepth {
                if level % 2 == 0 {
                    text += #"{"event":"#
                    closers = "}" + closers
                } else {
                    text += "["
                    closers = "]" + closers
                }
            }
            // maxDepth + 1 containers: the last opening bracket is over the limit.
            let lastOpen = Array(text.utf8).lastIndex { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }!
            let document = text + "1" + closers
            XCTAssertEqual(harness.scan(document).error, JSONScanError(reason: .depthLimitExceeded, offset: lastOpen),
                           "maxDepth \(maxDepth): \(document)")
            XCTAssertEqual(harness.scan(Array(document.utf8)).error?.reason, .depthLimitExceeded)
            XCTAssertNil(harness.scan("7").error, "scalars need no depth")
        }
    }

    func testVeryDeepInputFailsCheaply() {
        let harness = ScanHarness()
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        XCTAssertEqual(harness.scan(deep).error, JSONScanError(reason: .depthLimitExceeded, offset: 512))
    }

    func testDepthIsTrackedAcrossSiblings() {
        let harness = ScanHarness(maxDepth: 2)
        XCTAssertNil(harness.scan("[[1],[2],{\"a\":3},[]]").error)
        XCTAssertEqual(harness.scan("[[1],[[2]]]").error, JSONScanError(reason: .depthLimitExceeded, offset: 6))
    }
}
