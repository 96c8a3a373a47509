@testable import BenchSupport
import XCTest

/// Percentiles on known data; no timing.
final class LatencyHistogramTests: XCTestCase {
    /// Reported values are the highest value of their bucket: never below the true percentile
    /// and at most 1/128 above it.
    func assertWithinBucket(_ reported: UInt64, _ truth: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThanOrEqual(reported, truth, file: file, line: line)
        XCTAssertLessThanOrEqual(Double(reported), Double(truth) * (1 + 1.0 / 128), file: file, line: line)
    }

    func testUniformOneToOneHundredThousand() {
        var h = LatencyHistogram()
        for v in 1...100_000 as ClosedRange<UInt64> { h.record(v) }
        XCTAssertEqual(h.count, 100_000)
        XCTAssertEqual(h.min, 1)
        XCTAssertEqual(h.max, 100_000)
        XCTAssertEqual(h.mean, 50_000.5, accuracy: 1e-6)
        assertWithinBucket(h.value(atPercentile: 50), 50_000)
        assertWithinBucket(h.value(atPercentile: 90), 90_000)
        assertWithinBucket(h.value(atPercentile: 99), 99_000)
        assertWithinBucket(h.value(atPercentile: 99.9), 99_900)
        XCTAssertEqual(h.value(atPercentile: 100), 100_000)
    }

    func testSmallValuesAreExact() {
        var h = LatencyHistogram()
        for v in 0..<256 as Range<UInt64> { h.record(v) }
        XCTAssertEqual(h.value(atPercentile: 50), 127)
        XCTAssertEqual(h.value(atPercentile: 1), 2)
        XCTAssertEqual(h.value(atPercentile: 100), 255)
    }

    func testSkewedDataAndTheMaximumIsExact() {
        var h = LatencyHistogram()
        for _ in 0..<9_990 { h.record(1_000_000) }            // 1 ms
        for _ in 0..<9 { h.record(50_000_000) }               // 50 ms
        h.record(1_234_567_891)                               // one 1.23 s outlier
        assertWithinBucket(h.value(atPercentile: 99), 1_000_000)
        assertWithinBucket(h.value(atPercentile: 99.95), 50_000_000)
        XCTAssertEqual(h.value(atPercentile: 99.999), 1_234_567_891, "clamped to the exact maximum")
        XCTAssertEqual(h.max, 1_234_567_891)
    }

    func testMergeEqualsRecordingEverythingInOne() {
        var a = LatencyHistogram(), b = LatencyHistogram(), all = LatencyHistogram()
        var x: UInt64 = 12345
        for i in 0..<20_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let v = (x >> 33) % 10_000_000
            if i % 2 == 0 { a.record(v) } else { b.record(v) }
            all.record(v)
        }
        a.merge(b)
        for p in [0.1, 50, 90, 99, 99.9, 100] { XCTAssertEqual(a.value(atPercentile: p), all.value(atPercentile: p), "p\(p)") }
        XCTAssertEqual(a.count, all.count)
        XCTAssertEqual(a.min, all.min)
        XCTAssertEqual(a.max, all.max)
    }

    func testBucketsTileTheRangeWithBoundedWidth() {
        var expectedLow: UInt64 = 0
        for index in 0..<LatencyHistogram.bucketCount {
            let bounds = LatencyHistogram.bounds(of: index)
            XCTAssertEqual(bounds.lowerBound, expectedLow, "bucket \(index)")
            XCTAssertEqual(LatencyHistogram.index(of: bounds.lowerBound), index)
            XCTAssertEqual(LatencyHistogram.index(of: bounds.upperBound), index)
            if bounds.lowerBound >= 256 {
                XCTAssertLessThanOrEqual(Double(bounds.upperBound - bounds.lowerBound + 1) / Double(bounds.lowerBound), 1.0 / 128)
            }
            if bounds.upperBound == .max { break }
            expectedLow = bounds.upperBound + 1
        }
        XCTAssertEqual(LatencyHistogram.bounds(of: LatencyHistogram.bucketCount - 1).upperBound, .max)
        var h = LatencyHistogram()
        h.record(.max)
        XCTAssertEqual(h.value(atPercentile: 50), .max)
    }

    func testEmptyHistogramReportsZero() {
        let h = LatencyHistogram()
        XCTAssertEqual(h.value(atPercentile: 99), 0)
        XCTAssertEqual(h.mean, 0)
    }
}
