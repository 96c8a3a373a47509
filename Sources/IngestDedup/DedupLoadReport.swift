/// What `DuplicateIndex.load` found and did, for the start-up log line.
public struct DedupLoadReport: Sendable, CustomStringConvertible {
    /// Why the index was rebuilt from the log (nil: it was reused).
    public var rebuiltBecause: String?
    /// The previous run did not close the index (a crash): entries it inserted last were
    /// checked against the log.
    public var recoveredAfterCrash = false
    /// A slot torn by the crash was removed and its cluster re-seated.
    public var tornSlotsRepaired = 0
    /// Entries checked against the log after a crash, and those removed because the log does
    /// not hold their record (reserved, then lost in the crash).
    public var entriesVerified = 0
    public var entriesRemoved = 0
    /// Records flagged duplicate whose named first copy the crash lost: they now stand as the
    /// first copy in the index (their flag in the log cannot change).
    public var orphanedDuplicates = 0
    /// Log records read to bring the index up to date, and from which sequence number.
    public var recordsApplied = 0
    public var appliedFrom: UInt64 = 0
    /// Live entries and capacity after loading.
    public var entries = 0
    public var capacity = 0
    public var fileBytes = 0
    /// There was no index and nothing in the log to build it from: a first start.
    public var isNew: Bool { rebuiltBecause == DedupLoadReport.missingReason && recordsApplied == 0 }
    static let missingReason = "no index file"
    /// Worth a warning: the index could not be reused as it was, or the crash cost something.
    public var isNoteworthy: Bool {
        (rebuiltBecause != nil && !isNew) || entriesRemoved > 0 || orphanedDuplicates > 0 || tornSlotsRepaired > 0
    }
    /// Wall time the load took, in nanoseconds.
    public var nanoseconds: Int64 = 0

    public var description: String {
        var text: String
        if isNew {
            text = "created"
        } else if let rebuiltBecause {
            text = "rebuilt from the log (\(rebuiltBecause))"
        } else if recoveredAfterCrash {
            text = "reopened after a crash: checked \(entriesVerified) recent entries against the log, removed \(entriesRemoved)"
            if tornSlotsRepaired > 0 { text += ", repaired \(tornSlotsRepaired) torn slot" }
            if orphanedDuplicates > 0 { text += ", \(orphanedDuplicates) duplicates whose first copy was lost now count as first copies" }
        } else {
            text = "reopened"
        }
        let milliseconds = Double(nanoseconds) / 1e6
        text += "; applied \(recordsApplied) log records from seq \(appliedFrom); \(entries) entries, capacity \(capacity)"
            + ", \(fileBytes) bytes; took \(Int(milliseconds.rounded())) ms"
        return text
    }
}
