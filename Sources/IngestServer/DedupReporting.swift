import IngestDedup

/// The duplicate index in `/metrics`, and the warning line when it is full.
enum DedupMetricsRenderer {
    static func render(_ out: inout String, _ state: ServerState) {
        let metrics = state.duplicateIndex?.metrics
        func line(_ name: String, _ type: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        line("connect_duplicates_total", "counter",
             "Records flagged duplicate (a redelivery of a message stored before, within --dedup-window) since start.",
             "\(metrics?.duplicates ?? 0)")
        guard let metrics else { return }
        line("connect_dedup_early_expiries_total", "counter",
             "Times the duplicate index was full and forgot its oldest bucket early (raise --dedup-capacity).",
             "\(metrics.earlyExpiries)")
        line("connect_dedup_early_expired_entries_total", "counter",
             "Messages the duplicate index forgot early because it was full.", "\(metrics.earlyExpiredEntries)")
        line("connect_dedup_entries", "gauge", "Messages the duplicate index remembers.", "\(metrics.entries)")
        line("connect_dedup_capacity", "gauge", "Messages the duplicate index can remember per window (--dedup-capacity).",
             "\(metrics.capacity)")
    }
}

/// Writes one `dedup_index_full` warning for each early expiry (checked by worker 0's
/// once-a-second tick, never on the request path).
final class DedupFullWarning {
    private var seen: UInt64?

    func check(_ state: ServerState) {
        guard let index = state.duplicateIndex else { return }
        let metrics = index.metrics
        defer { seen = metrics.earlyExpiries }
        guard let seen, metrics.earlyExpiries > seen else { return }
        state.operatorLog.warn("dedup_index_full", [
            ("early_expiries", "\(metrics.earlyExpiries - seen)"),
            ("forgotten", "\(metrics.lastEarlyExpiryEntries)"),
            ("capacity", "\(metrics.capacity)"),
            ("message", "the duplicate index was full and forgot its oldest messages before --dedup-window; "
                + "raise --dedup-capacity"),
        ])
    }
}
