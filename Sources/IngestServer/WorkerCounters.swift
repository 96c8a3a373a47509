import CLinux

/// Per-worker counters and histograms: written only by the owning worker (no shared atomic per
/// request), summed by whoever renders /metrics.
final class WorkerCounters: @unchecked Sendable {
    enum Counter: Int, CaseIterable {
        case connectionsAccepted, connectionsRejected, connectionsOpen
        case webhookAccepted, webhookMalformedStored, webhookFieldsMissingStored
        case signatureMissing, signatureMismatch, basicAuthFailed, bearerAuthFailed
        case badRequest, requestTimeout, payloadTooLarge, headersTooLarge, otherClientError
        case unavailable, healthRequests, readyRequests, metricsRequests, notFound, methodNotAllowed
        case bytesReceived, bodyBytesStored, logCommits, logRecords, logCommitFailures
        case clientsVanishedMidRequest, accountIdInvalid
        case webhookStoredJSON, webhookStoredXML, webhookMalformedXMLStored
    }

    /// Upper bounds (seconds) of the latency histograms' buckets; +Inf is implicit.
    static let latencyBounds: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
    static let batchBounds: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]

    enum Histogram: Int, CaseIterable { case syncSeconds, ackSeconds, batchRecords }

    private let cells: UnsafeMutablePointer<UInt64>
    private static let counterCount = Counter.allCases.count
    /// Per histogram: buckets (bounds + 1 for +Inf), then count, then sum (in nanoseconds or records).
    private static let histogramWidth = max(latencyBounds.count, batchBounds.count) + 3

    init() {
        let total = WorkerCounters.counterCount + Histogram.allCases.count * WorkerCounters.histogramWidth
        cells = .allocate(capacity: total)
        cells.initialize(repeating: 0, count: total)
    }

    deinit { cells.deallocate() }

    @inline(__always) func add(_ counter: Counter, _ value: Int = 1) {
        cl_counter_add(cells + counter.rawValue, UInt64(value))
    }

    @inline(__always) func set(_ counter: Counter, _ value: Int) {
        cl_counter_store(cells + counter.rawValue, UInt64(value))
    }

    func value(_ counter: Counter) -> UInt64 { cl_counter_load(cells + counter.rawValue) }

    static func bounds(_ histogram: Histogram) -> [Double] {
        histogram == .batchRecords ? batchBounds : latencyBounds
    }

    /// Records `count` observations of `value` (seconds for latencies, records for batches).
    func observe(_ histogram: Histogram, _ value: Double, count: Int = 1) {
        let bounds = WorkerCounters.bounds(histogram)
        let base = cells + WorkerCounters.counterCount + histogram.rawValue * WorkerCounters.histogramWidth
        var bucket = bounds.count
        for (index, bound) in bounds.enumerated() where value <= bound { bucket = index; break }
        cl_counter_add(base + bucket, UInt64(count))
        cl_counter_add(base + bounds.count + 1, UInt64(count))
        let scaled = histogram == .batchRecords ? value : value * 1e9
        cl_counter_add(base + bounds.count + 2, UInt64(scaled) &* UInt64(count))
    }

    /// (per-bucket counts, not cumulative; total count; sum in seconds or records).
    func histogram(_ histogram: Histogram) -> (buckets: [UInt64], count: UInt64, sum: Double) {
        let bounds = WorkerCounters.bounds(histogram)
        let base = cells + WorkerCounters.counterCount + histogram.rawValue * WorkerCounters.histogramWidth
        let buckets = (0...bounds.count).map { cl_counter_load(base + $0) }
        let raw = Double(cl_counter_load(base + bounds.count + 2))
        return (buckets, cl_counter_load(base + bounds.count + 1), histogram == .batchRecords ? raw : raw / 1e9)
    }
}
