import IngestSystem
import IngestLog

/// Filling an index with synthetic entries, for benchmarks that must measure a server whose
/// index already holds millions of messages without first sending them.
extension DuplicateIndex {
    /// Creates (or replaces) the index file in `directory` holding `count` synthetic entries:
    /// random message ids from `seed`, each naming sequence number 0, all in the bucket of
    /// `receivedAt`. The index is closed cleanly as having seen no log record, so a server started
    /// on an empty log in `directory` reuses it as it is. Real messages never match these ids.
    public static func prefill(directory: String, options: DedupOptions, count: Int, seed: UInt64,
                               receivedAt: Int64) throws {
        precondition(count <= options.capacity, "prefill beyond capacity")
        let index = DuplicateIndex(directory: directory, options: options, clock: { receivedAt })
        try? Directory.unlink(index.path)
        _ = try index.load(from: EmptyIndexedLog())
        guard let mapped = index.mapped else { return }
        _ = index.state.window.observe(receivedAt)
        index.saveWindow(mapped)
        var state = seed
        for _ in 0..<count {
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            let id = MessageID(high: next(), low: next())
            if case .vacant(let slot) = index.probe(id, mapped.table) {
                index.insert(IndexEntry(id: id, sequence: 0, bucket: index.state.window.current), at: slot, mapped)
            }
        }
        try index.close()
    }
}

/// A log with no records (for `prefill`).
struct EmptyIndexedLog: IndexedLog {
    var nextSequence: UInt64 { 0 }
    var unsettledFrom: UInt64 { 0 }
    func firstSequence(receivedAtOrAfter time: Int64) throws -> UInt64 { 0 }
    func forEachIdentity(from sequence: UInt64, _ body: (LoggedIdentity) throws -> Void) throws {}
}
