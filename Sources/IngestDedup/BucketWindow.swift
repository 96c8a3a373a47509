/// Time buckets and how many live entries each holds (see "TIME BUCKETS" and "FULL" in
/// IndexFormat.swift). Pure arithmetic and a 16-counter ring: no I/O, no allocation after init.
///
/// Invariant: `live` is the sum of `counts` over the live buckets, which are
/// max(current - 15, floor) ... current; every other counter is zero.
struct BucketWindow {
    static let ringSize = 16
    let bucketLength: Int64
    let bucketsPerWindow = IndexFormat.bucketsPerWindow
    private(set) var current: UInt32 = 1
    private(set) var earlyFloor: UInt32 = 0
    /// Receive times below this end fall in a bucket not newer than `current`.
    private var currentEnd: Int64
    private var counts: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private(set) var live = 0

    init(bucketLength: Int64) {
        precondition(bucketLength > 0)
        self.bucketLength = bucketLength
        currentEnd = bucketLength
    }

    /// The bucket of a receive time: floor(time / length) + 1 (never 0), clamped to 32 bits.
    func bucket(of time: Int64) -> UInt32 {
        UInt32(clamping: max(0, time) / bucketLength + 1)
    }

    /// The lowest live bucket.
    @inline(__always)
    var floor: UInt32 {
        max(current > bucketsPerWindow ? current - bucketsPerWindow : 1, earlyFloor)
    }

    @inline(__always)
    func isLive(_ bucket: UInt32) -> Bool { bucket >= floor }

    /// Restores the position read from the header (counts start at zero; see `count`).
    mutating func restore(current: UInt32, earlyFloor: UInt32) {
        self.current = max(1, current)
        self.earlyFloor = min(earlyFloor, self.current)
        currentEnd = BucketWindow.end(of: self.current, bucketLength)
        clearCounts()
    }

    /// Counts one live entry of `bucket` found when the table is scanned at start. An entry from
    /// a bucket newer than the current one (the clock was turned back) counts as current.
    mutating func count(_ bucket: UInt32) {
        guard isLive(bucket) else { return }
        add(min(bucket, current), 1)
        live += 1
    }

    /// Moves time forward to a message received at `time` (never backward). Returns true when
    /// the current bucket changed.
    @inline(__always)
    mutating func observe(_ time: Int64) -> Bool {
        if time < currentEnd { return false }
        return advance(to: bucket(of: time))
    }

    /// Makes `bucket` current if it is newer; buckets leaving the window give up their counts.
    @discardableResult
    mutating func advance(to bucket: UInt32) -> Bool {
        guard bucket > current else { return false }
        let oldFloor = floor
        current = bucket
        currentEnd = BucketWindow.end(of: bucket, bucketLength)
        let newFloor = floor
        if newFloor > oldFloor {
            if newFloor - oldFloor >= UInt32(BucketWindow.ringSize) {
                clearCounts()
            } else {
                for gone in oldFloor..<newFloor { live -= take(gone) }
            }
        }
        return true
    }

    /// Uncounts one live entry of `bucket` (removed because the log does not hold its record).
    mutating func forget(_ bucket: UInt32) {
        let counted = min(bucket, current)
        guard isLive(bucket), counts(counted) > 0 else { return }
        add(counted, -1)
        live -= 1
    }

    /// Records an insertion into `bucket` (a live bucket; a newer one counts as current).
    @inline(__always)
    mutating func inserted(into bucket: UInt32) {
        add(min(bucket, current), 1)
        live += 1
    }

    /// The index is over capacity: expires the oldest live bucket. When the current bucket is
    /// the only one live, it is closed first (a new current bucket begins), so that newer
    /// entries have somewhere to go. Returns the bucket expired and how many entries it held.
    mutating func expireOldest() -> (bucket: UInt32, entries: Int) {
        var oldest = floor
        while oldest < current && counts(oldest) == 0 { oldest += 1 }
        if oldest == current {
            current += 1
            currentEnd = max(currentEnd, BucketWindow.end(of: current, bucketLength))
        }
        earlyFloor = oldest + 1
        let entries = take(oldest)
        live -= entries
        return (oldest, entries)
    }

    /// One past the last nanosecond of `bucket` (saturating).
    static func end(of bucket: UInt32, _ length: Int64) -> Int64 {
        let (value, overflow) = Int64(bucket).multipliedReportingOverflow(by: length)
        return overflow ? Int64.max : value
    }

    // MARK: The counter ring

    private func counts(_ bucket: UInt32) -> Int {
        withUnsafeBytes(of: counts) { $0.load(fromByteOffset: Int(bucket % 16) * 8, as: Int.self) }
    }

    private mutating func add(_ bucket: UInt32, _ value: Int) {
        withUnsafeMutableBytes(of: &counts) { raw in
            let offset = Int(bucket % 16) * 8
            raw.storeBytes(of: raw.load(fromByteOffset: offset, as: Int.self) + value, toByteOffset: offset, as: Int.self)
        }
    }

    /// Zeroes a bucket's counter and returns what it held.
    private mutating func take(_ bucket: UInt32) -> Int {
        let value = counts(bucket)
        add(bucket, -value)
        return value
    }

    private mutating func clearCounts() {
        counts = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        live = 0
    }
}
