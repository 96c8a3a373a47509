/// What recovery found and changed when the writer opened the log.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// Segment files in the directory.
    public var segments = 0
    /// Segments walked record by record: the last one, and any not settled (see RecordFormat.swift).
    public var segmentsScanned = 0
    /// Valid records in the walked segments.
    public var records = 0
    /// Nonzero bytes zeroed after the last valid or void record of a segment ("cut from the tail").
    public var bytesCut = 0
    /// Records with a readable header among the cut bytes (torn, pending or corrupt).
    public var recordsCut = 0
    /// Corrupt records followed by valid ones: left in place, reported, and skipped by readers.
    public var corruptRecords = 0
    /// Reservations a crash left unpublished or pending (never acknowledged), now VOID.
    public var voidedPending = 0
    /// Zero holes (reservations whose header never reached memory) covered by VOID fillers.
    public var holesFilled = 0
    /// The sequence number the next record will get.
    public var nextSequence: UInt64 = 0
    /// One line per repair or damage found, naming the segment and offset.
    public var notes: [String] = []

    /// Nothing was cut, voided, filled, repaired or found damaged.
    public var isClean: Bool {
        bytesCut == 0 && recordsCut == 0 && corruptRecords == 0 && voidedPending == 0 && holesFilled == 0 && notes.isEmpty
    }

    public var description: String {
        var text = "recovery: \(segments) segments (\(segmentsScanned) scanned), \(records) records, "
            + "next sequence \(nextSequence); cut \(bytesCut) bytes (\(recordsCut) records) from the tail, "
            + "voided \(voidedPending) pending, filled \(holesFilled) holes, \(corruptRecords) corrupt records skipped"
        for note in notes { text += "\n  " + note }
        return text
    }
}
