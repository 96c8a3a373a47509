/// What `verifyLog` found: counts, and every piece of damage.
public struct VerifyReport: Sendable, CustomStringConvertible {
    public var segments = 0
    /// Valid records (every checksum checked).
    public var records = 0
    /// Body bytes of the valid records.
    public var bodyBytes: Int64 = 0
    /// Bytes the valid records occupy (header, fields, padding included).
    public var recordBytes: Int64 = 0
    public var voidRecords = 0
    /// Reservations not published: in progress if a writer is running, else left by a crash
    /// (the next open voids them). Not damage.
    public var unfinishedRecords = 0
    /// Zero gaps between records (reservations whose header was never written). Not damage.
    public var holes = 0
    /// Unpublished bytes after the last record of a segment (a write torn by a crash; the next
    /// open cuts them). Not damage: nothing there was ever published.
    public var tornTailBytes = 0
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    /// Whether a writer held the log's LOCK when verification started.
    public var writerActive = false
    /// One line per damaged record or segment: "segment @offset: reason".
    public var damage: [String] = []

    public var isClean: Bool { damage.isEmpty }

    public var description: String {
        var text = "segments \(segments)\nrecords \(records)\nbody bytes \(bodyBytes)\nrecord bytes \(recordBytes)\n"
        text += "void records \(voidRecords)\nunfinished records \(unfinishedRecords)\nholes \(holes)\n"
        text += "torn tail bytes \(tornTailBytes)\n"
        text += "sequences \(firstSequence.map(String.init) ?? "-")...\(lastSequence.map(String.init) ?? "-")\n"
        text += "writer active \(writerActive ? "yes" : "no")\ndamage \(damage.count)\n"
        for line in damage { text += "  " + line + "\n" }
        return text
    }
}

/// Walks every record of every segment and checks every checksum, without waiting for anything
/// and without changing any file. Safe while a writer appends (records it is writing show up as
/// unfinished). Damage: corrupt records, damaged segment headers, sequence numbers out of order.
public func verifyLog(directory: String) throws -> VerifyReport {
    var report = VerifyReport()
    report.writerActive = WriterPresence(directory: directory).writerIsAlive()
    let segments = try SegmentDirectory.list(directory)
    var previous: UInt64? = nil
    for (index, entry) in segments.enumerated() {
        var notes: [String] = []
        guard let segment = try ReaderSegment.open(path: entry.path, base: entry.base, notes: &notes) else {
            report.damage += notes
            continue
        }
        report.segments += 1
        report.damage += notes
        verifySegment(segment, previous: &previous, report: &report)
        // Read once: out of the page cache, except the newest segment (a writer's active one).
        if index < segments.count - 1 { segment.releaseCache() }
    }
    return report
}

private func verifySegment(_ segment: ReaderSegment, previous: inout UInt64?, report: inout VerifyReport) {
    let bytes = segment.bytes
    let (limit, _) = segment.currentLimit()
    let name = segment.name
    var position = LogFormat.segmentHeaderLength
    func damage(_ offset: Int, _ reason: String) { report.damage.append("\(name) @\(offset): \(reason)") }
    while position + LogFormat.minimumSpan <= limit {
        switch bytes.classify(at: position, limit: limit) {
        case .complete(let r):
            if r.sequence < segment.base { damage(position, "sequence \(r.sequence) below the segment's base") }
            if let p = previous, r.sequence <= p { damage(position, "sequence \(r.sequence) after \(p)") }
            previous = r.sequence
            report.records += 1
            report.bodyBytes += Int64(r.bodyLength)
            report.recordBytes += Int64(r.span)
            if report.firstSequence == nil { report.firstSequence = r.sequence }
            report.lastSequence = r.sequence
            position = r.end
        case .voided(let r):
            report.voidRecords += 1
            position = r.end
        case .pending(let r), .unpublished(let r):
            report.unfinishedRecords += 1
            position = r.end
        case .corrupt(let reason, .some(let r)):
            damage(position, reason.description + (r.isFiller ? "" : " (seq \(r.sequence))"))
            position = r.end
        case .corrupt(let reason, .none):
            damage(position, reason.description)
            guard let next = bytes.nextHeader(after: position, limit: limit, anchorsOnly: false) else { return }
            position = next
        case .empty:
            if let next = bytes.nextHeader(after: position, limit: limit, anchorsOnly: false) {
                report.holes += 1
                position = next
            } else {
                let end = bytes.endOfNonzero(position, limit - position)
                report.tornTailBytes += end - position
                return
            }
        }
    }
}
