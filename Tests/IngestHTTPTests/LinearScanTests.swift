@testable import IngestHTTP
import XCTest

/// Resuming never rescans: the work for a head is the same whether it arrives whole or one byte
/// per read. Measured with the parser's internal byte counter, not with time.
final class LinearScanTests: XCTestCase {
    /// A head of about 16 KB: 100 header lines of ~160 bytes, no trailing whitespace.
    static func bigHead() -> [UInt8] {
        var text = "POST /webhooks/docusign HTTP/1.1\nHost: h\n"
        for k in 0..<100 {
            text += "X-Header-\(k): " + String(repeating: Character(UnicodeScalar(UInt8(97 + k % 26))), count: 145) + "\n"
        }
        text += "\n"
        return .crlf(text)
    }

    func testByteByByteHeadIsLinear() {
        let head = Self.bigHead()
        XCTAssertGreaterThan(head.count, 15_000)
        let limits = HTTPLimits(maxHeaderBytes: 16 * 1024, maxHeaderCount: 128)

        let whole = RequestParser(limits: limits)
        let wholeStep = head.withUnsafeBytes { whole.parse($0) }
        XCTAssertEqual(wholeStep, .head(consumed: head.count))

        let drip = RequestParser(limits: limits)
        var calls = 0
        var last = ParseStep.needMore(consumed: 0)
        for n in 1...head.count {
            last = head[0..<n].withUnsafeBytes { drip.parse($0) }
            calls += 1
            if case .needMore(let c) = last { XCTAssertEqual(c, 0) } else if n < head.count { XCTFail("step \(last) at \(n)"); return }
        }
        XCTAssertEqual(last, .head(consumed: head.count))
        XCTAssertEqual(calls, head.count)
        // Every byte examined exactly once in both modes: no rescanning.
        XCTAssertEqual(whole.examinedHeadBytes, head.count)
        XCTAssertEqual(drip.examinedHeadBytes, head.count)
        XCTAssertEqual(drip.head.headerCount, 101)
    }

    func testTrailingWhitespaceLookBackIsBounded() {
        // Look-back for trailing OWS only covers the whitespace itself, once.
        let head: [UInt8] = .crlf("GET / HTTP/1.1\nHost: h   \nX: a \t \n\n")
        let drip = RequestParser(limits: HTTPLimits())
        for n in 1...head.count { _ = head[0..<n].withUnsafeBytes { drip.parse($0) } }
        XCTAssertEqual(drip.head.headerCount, 2)
        XCTAssertEqual(drip.examinedHeadBytes, head.count + 3 + 3)
    }

    func testIdleConnectionWithEmptyLinesKeepsNoBytes() {
        let parser = RequestParser(limits: HTTPLimits())
        var pending: [UInt8] = []
        for _ in 0..<100 {
            pending += [13, 10]
            let step = pending.withUnsafeBytes { parser.parse($0) }
            guard case .needMore(let c) = step else { return XCTFail("\(step)") }
            pending.removeFirst(c)
            XCTAssertEqual(pending.count, 0)
            XCTAssertTrue(parser.isIdle)
        }
        XCTAssertEqual(parser.consumedHeadBytes, 200)
        XCTAssertEqual(parser.examinedHeadBytes, 200)
    }
}
