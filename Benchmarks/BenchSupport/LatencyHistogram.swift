/// A log-linear histogram of non-negative values (nanoseconds), in the manner of HdrHistogram:
/// fixed memory, O(1) recording, and a relative error bounded by the sub-bucket resolution.
///
/// Layout, with `p = subBucketBits` (8): values below `2^p` each have their own bucket (exact).
/// Above that, a value with bit width `w` is shifted right by `s = w - p` so its top `p` bits
/// remain, in `[2^(p-1), 2^p)`; bucket index is `2^p + (s - 1) * 2^(p-1) + (top - 2^(p-1))`. All
/// values in one bucket agree in their top `p` bits, so a bucket spans less than `1/2^(p-1)`
/// (0.8 %) of its values. Percentiles report the bucket's highest value (never under-states),
/// clamped to the exact maximum; `min`, `max`, `count` and the mean are exact.
///
/// Not thread-safe: each client thread owns one and they are merged after the threads join.
public struct LatencyHistogram: Sendable {
    public static let subBucketBits = 8
    static let linearCount = 1 << subBucketBits                 // 256
    static let halfCount = 1 << (subBucketBits - 1)             // 128
    static let bucketCount = linearCount + (64 - subBucketBits) * halfCount

    private var counts: [UInt64]
    public private(set) var count: UInt64 = 0
    public private(set) var min: UInt64 = .max
    public private(set) var max: UInt64 = 0
    private var sum: Double = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    @inline(__always)
    static func index(of value: UInt64) -> Int {
        if value < UInt64(linearCount) { return Int(value) }
        let width = 64 - value.leadingZeroBitCount
        let shift = width - subBucketBits
        let top = Int(value >> UInt64(shift))
        return linearCount + (shift - 1) * halfCount + (top - halfCount)
    }

    /// The smallest and largest value that land in bucket `index`.
    static func bounds(of index: Int) -> ClosedRange<UInt64> {
        if index < linearCount { return UInt64(index)...UInt64(index) }
        let shift = (index - linearCount) / halfCount + 1
        let top = UInt64((index - linearCount) % halfCount + halfCount)
        let low = top << UInt64(shift)
        return low...(low + ((UInt64(1) << UInt64(shift)) - 1))
    }

    @inline(__always)
    public mutating func record(_ value: UInt64) {
        counts[Self.index(of: value)] &+= 1
        count &+= 1
        sum += Double(value)
        if value < min { min = value }
        if value > max { max = value }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for i in 0..<counts.count where other.counts[i] != 0 { counts[i] &+= other.counts[i] }
        count &+= other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// The value at or below which `percent` % of the recorded values lie (0 when empty).
    /// Reported as the highest value of its bucket, clamped to `[min, max]`.
    public func value(atPercentile percent: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        if percent >= 100 { return max }
        let rank = Swift.max(1, UInt64((percent / 100 * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c != 0 {
            seen += c
            if seen >= rank {
                return Swift.min(Swift.max(Self.bounds(of: i).upperBound, min), max)
            }
        }
        return max
    }
}
