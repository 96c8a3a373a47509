import IngestSystem

/// Start-up recovery, run by `MessageLog.open` while it holds the writer lock (so no other
/// process writes, and readers only read).
///
/// Which segments: every segment that is not settled (RecordFormat.swift), and always the last
/// one (to the end of its file, unless it was closed cleanly). A settled segment was sealed and every reservation in it had finished, so a crash cannot
/// have left anything unfinished in it; it is not walked, and damage inside it (bit rot) is found
/// by readers and `verify`, which check every record.
///
/// What it does to a walked segment, in one pass to classify and one to repair:
///  - The cut point is the end of the last valid or VOID record. Everything after it is torn,
///    pending, unpublished or corrupt: its nonzero bytes are zeroed (back to front, so a reader
///    racing the repair sees the old bytes or zeros, never a mixture it could take for a record)
///    and reported as cut. The writer appends from the cut point.
///  - Before the cut point: reservations left unpublished (state 0) or PEND are voided; zero
///    holes (reservations whose header never reached memory) get a VOID filler; corrupt records
///    are reported and left for readers to skip.
///  - A segment that is not the last is then sealed at its cut point and settled; so is the last
///    one when it is oversized or of an older format version (the writer starts a new segment).
/// Sequence numbers: the next one is one past the highest seen in any readable header (or the
/// hint of settled segments), so no number is ever reused for a record that was published.
enum Recovery {
    struct Outcome {
        let active: Segment
        let head: Int
        let nextSequence: UInt64
        let report: RecoveryReport
    }

    private enum Event {
        case complete(Reservation)
        case void(Reservation)
        case abandoned(Reservation)
        case corrupt(start: Int, end: Int, RecordDamage, hasHeader: Bool)
        case hole(start: Int, end: Int)
    }

    struct SegmentOutcome {
        var cut: Int
        var highestSequence: UInt64?
        var newestReceivedAt: Int64 = Int64.min
        var changed = false
    }

    static func run(directory: String, options: LogOptions) throws(LogError) -> Outcome {
        var report = RecoveryReport()
        let durable = options.sync != .none
        if let names = try? Directory.entries(directory) {
            for name in names where name.hasSuffix(".log.tmp") {
                try? Directory.unlink(directory + "/" + name)
                report.notes.append("removed unfinished segment file \(name)")
            }
        }
        let segments = try SegmentDirectory.list(directory)
        report.segments = segments.count
        guard !segments.isEmpty else {
            let first = try Segment.create(directory: directory, base: 0, capacity: options.segmentSize,
                                           isOversized: false, durable: durable)
            return Outcome(active: first, head: LogFormat.segmentHeaderLength, nextSequence: 0, report: report)
        }
        var nextSequence: UInt64 = 0
        var active: Segment? = nil
        var head = LogFormat.segmentHeaderLength
        for (index, entry) in segments.enumerated() {
            let isLast = index == segments.count - 1
            nextSequence = max(nextSequence, entry.base)
            let info = try SegmentFileInfo.read(path: entry.path, base: entry.base)
            if !isLast && info.isSettledAndWhole, let hints = info.hints {
                nextSequence = max(nextSequence, hints.nextSequence)
                continue
            }
            let segment = try Segment.openExisting(path: entry.path, base: entry.base, notes: &report.notes)
            report.segmentsScanned += 1
            let wasSettled = segment.hints.settled && info.isSettledAndWhole
            let outcome = recover(segment, wholeSegment: isLast && !wasSettled, report: &report)
            if let highest = outcome.highestSequence { nextSequence = max(nextSequence, highest &+ 1) }
            segment.newestReceivedAt.store(outcome.newestReceivedAt, ordering: .relaxed)
            if outcome.changed { try segment.synchronizeAll() }
            // An older format's last segment is sealed too: new records go to a new segment, so a
            // segment never mixes record layouts (older readers refuse whole segments they do not know).
            if !isLast || segment.isOversized || segment.formatVersion != LogFormat.version {
                segment.seal(end: outcome.cut, nextSequence: nextSequence)
                if outcome.changed || !wasSettled { try segment.synchronizeAll() }
                if isLast {
                    active = try Segment.create(directory: directory, base: nextSequence, capacity: options.segmentSize,
                                                isOversized: false, durable: durable)
                }
            } else {
                segment.unseal()
                active = segment
                head = outcome.cut
            }
        }
        report.nextSequence = nextSequence
        return Outcome(active: active!, head: head, nextSequence: nextSequence, report: report)
    }

    /// Walks one segment and repairs it as described above. With `wholeSegment` (the last
    /// segment after a crash: the writer appends to it next) the sealed-end hint is ignored and
    /// the walk and the check that the free space is all zeros run to the end of the file, so no
    /// byte a crash left behind is in the way of the appends. After a clean close (settled), the
    /// walk stops at the sealed end: the space after it is zero by invariant.
    static func recover(_ segment: Segment, wholeSegment: Bool, report: inout RecoveryReport) -> SegmentOutcome {
        let bytes = segment.bytes
        let hints = segment.hints
        let limit = wholeSegment ? segment.capacity : (hints.validSealedEnd(capacity: segment.capacity) ?? segment.capacity)
        var events: [Event] = []
        var position = LogFormat.segmentHeaderLength
        walk: while position + LogFormat.minimumSpan <= limit {
            switch bytes.classify(at: position, limit: limit) {
            case .complete(let r): events.append(.complete(r)); position = r.end
            case .voided(let r): events.append(.void(r)); position = r.end
            case .pending(let r), .unpublished(let r): events.append(.abandoned(r)); position = r.end
            case .corrupt(let damage, .some(let r)):
                events.append(.corrupt(start: position, end: r.end, damage, hasHeader: true)); position = r.end
            case .corrupt(let damage, .none):
                guard let next = bytes.nextHeader(after: position, limit: limit, anchorsOnly: false) else { break walk }
                events.append(.corrupt(start: position, end: next, damage, hasHeader: false)); position = next
            case .empty:
                guard let next = bytes.nextHeader(after: position, limit: limit, anchorsOnly: false) else { break walk }
                events.append(.hole(start: position, end: next)); position = next
            }
        }
        var outcome = SegmentOutcome(cut: LogFormat.segmentHeaderLength)
        for event in events {
            switch event {
            case .complete(let r), .void(let r): outcome.cut = r.end
            default: break
            }
        }
        let name = LogFormat.segmentName(base: segment.base)
        for event in events {
            switch event {
            case .complete(let r):
                report.records += 1
                outcome.highestSequence = max(outcome.highestSequence ?? 0, r.sequence)
                outcome.newestReceivedAt = max(outcome.newestReceivedAt, r.receivedAt)
            case .void(let r):
                if !r.isFiller { outcome.highestSequence = max(outcome.highestSequence ?? 0, r.sequence) }
            case .abandoned(let r):
                outcome.highestSequence = max(outcome.highestSequence ?? 0, r.sequence)
                if r.end <= outcome.cut {
                    bytes.publishState(LogFormat.State.void, at: r.offset)
                    report.voidedPending += 1
                    outcome.changed = true
                    report.notes.append("\(name) @\(r.offset): voided seq \(r.sequence), left unfinished by a crash")
                } else {
                    report.recordsCut += 1
                }
            case .corrupt(let start, let end, let damage, let hasHeader):
                if end <= outcome.cut {
                    report.corruptRecords += 1
                    report.notes.append("\(name) @\(start): \(damage); \(end - start) bytes skipped by readers")
                } else if hasHeader {
                    report.recordsCut += 1
                }
            case .hole(let start, let end):
                guard end <= outcome.cut else { continue }
                if end - start >= LogFormat.minimumSpan {
                    bytes.writeFiller(at: start, span: end - start)
                    report.holesFilled += 1
                    outcome.changed = true
                    report.notes.append("\(name) @\(start): filled a \(end - start)-byte hole left by a crash")
                } else {
                    report.corruptRecords += 1
                    report.notes.append("\(name) @\(start): \(end - start) bytes of damage skipped by readers")
                }
            }
        }
        let nonzeroEnd = bytes.endOfNonzero(outcome.cut, limit - outcome.cut)
        if nonzeroEnd > outcome.cut {
            zeroBackwards(bytes, from: outcome.cut, to: nonzeroEnd)
            report.bytesCut += nonzeroEnd - outcome.cut
            outcome.changed = true
            report.notes.append("\(name) @\(outcome.cut): cut \(nonzeroEnd - outcome.cut) bytes from the tail")
        }
        return outcome
    }

    /// Zeroes `start ..< end` a page at a time from the end, so a concurrent reader never sees
    /// the start of the range zeroed while the rest still holds old bytes.
    private static func zeroBackwards(_ bytes: RawBytes, from start: Int, to end: Int) {
        let page = 4096
        var upper = end
        while upper > start {
            let lower = max(start, (upper - 1) / page * page)
            bytes.zero(lower, upper - lower)
            upper = lower
        }
    }
}
