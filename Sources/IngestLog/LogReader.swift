/// Reads a log in sequence order, once or following it as a writer (another process, or another
/// thread) appends, across segment boundaries.
///
/// Only valid records come out (see "a record is valid if and only if" in RecordFormat.swift).
/// Corrupt records are skipped and described in `damage`; VOID records are skipped silently.
///
/// Waiting rule (what `next()` does at a record that is not complete):
///  - While a writer process holds the log's `LOCK`, a position whose state word is 0 or PEND is
///    "not yet": `next()` returns nil and the same position is examined again on the next call.
///    It is never skipped, so a record reserved earlier but completed later still comes out, in
///    its sequence place. A large upload in progress therefore holds back followers until it is
///    finished or voided.
///  - When no writer holds the lock, nothing unfinished can ever complete: the reader skips an
///    unfinished record or zero hole, but only up to the next valid or VOID record (recovery never
///    cuts before one of those, so the reader's position stays valid when a writer starts again
///    and appends from its cut point). With nothing valid after it in the segment, the reader
///    moves on if a later segment exists, else returns nil (the end, for now).
///  - Damage (a state word other than 0/PEND/DONE/VOID, or a published header that fails its
///    checks) is never a write in progress under the publication protocol, so it is reported and
///    skipped at once: by its span if the header is intact, else to the next offset holding a
///    well-formed header.
///
/// Thread affinity: one thread. Safe against a concurrent writer by construction: it maps files
/// read-only and validates everything it reads.
public final class LogReader {
    public let directory: String
    public let fromSequence: UInt64
    /// Corrupt records skipped so far: "segment @offset: reason".
    public private(set) var damage: [String] = []
    /// VOID records skipped so far (failed signatures, crash leftovers, fillers).
    public private(set) var voidRecordsSkipped = 0
    /// Unfinished reservations skipped because their writer is gone.
    public private(set) var abandonedSkipped = 0
    /// Sequence ranges the reader had to jump over because the segments holding them no longer
    /// exist (deleted by retention before they were read). Appended to as gaps are found.
    public private(set) var missingRanges: [Range<UInt64>] = []
    /// The highest sequence of any record (valid or void) passed in the current segment.
    private var lastSeenSequence: UInt64?
    /// The sequence the next record of the current segment should carry (nil before the first).
    private var expectedSequence: UInt64?
    private var absent = AbsentSequences()

    private var segment: ReaderSegment?
    private var position = LogFormat.segmentHeaderLength
    private let presence: WriterPresence
    private var reportedDamage: Set<String> = []
    /// Where a scan for anything after an unfinished position found nothing (writer gone), so the
    /// next call need not rescan the rest of the segment; cleared once a writer is seen again.
    private var fruitlessScan: (base: UInt64, position: Int)?

    /// Whether a segment the reader has moved past leaves the page cache (`ReaderSegment.releaseCache`).
    private let releasesPassedSegments: Bool

    /// Opens a reader at the first record with sequence >= `fromSequence`. Throws if the
    /// directory cannot be listed; an empty log is fine (`next()` returns nil until records come).
    /// With `releasingPassedSegments`, each segment the reader moves past leaves the page cache
    /// (for a reader that goes through the log once; not for one that another reader follows).
    public init(directory: String, fromSequence: UInt64 = 0, releasingPassedSegments: Bool = false) throws {
        self.directory = directory
        self.fromSequence = fromSequence
        self.releasesPassedSegments = releasingPassedSegments
        self.presence = WriterPresence(directory: directory)
        _ = try SegmentDirectory.list(directory)
    }

    /// The next valid record, or nil if none is available right now (call again to follow).
    public func next() throws -> LogRecord? {
        guard let (segment, reservation) = try nextValid() else { return nil }
        return segment.bytes.decodeRecord(reservation)
    }

    /// Where the next valid record is and how big, without copying it: for following a log's
    /// growth cheaply (a shipper's lag) with a second reader.
    public struct RecordPosition: Sendable, Equatable {
        public var sequence: UInt64
        public var receivedAtNanoseconds: Int64
        public var bodyLength: Int
    }

    /// Like `next()`, but only the record's sequence, receive time and body length.
    public func nextPosition() throws -> RecordPosition? {
        guard let (_, r) = try nextValid() else { return nil }
        return RecordPosition(sequence: r.sequence, receivedAtNanoseconds: r.receivedAt, bodyLength: r.bodyLength)
    }

    private func nextValid() throws -> (ReaderSegment, Reservation)? {
        while true {
            if segment == nil {
                guard try openStartSegment() else { return nil }
            }
            let current = segment!
            let (limit, isSealed) = current.currentLimit()
            if position + LogFormat.minimumSpan > limit {
                if isSealed || !writerIsAlive() {
                    if try advance() { continue }
                }
                return nil
            }
            switch current.bytes.classify(at: position, limit: limit) {
            case .complete(let r):
                position = r.end
                lastSeenSequence = max(lastSeenSequence ?? r.sequence, r.sequence)
                notePassed(r.sequence, valid: true)
                if r.sequence < fromSequence { continue }
                return (current, r)
            case .voided(let r):
                position = r.end
                if r.sequence != LogFormat.fillerSequence {
                    lastSeenSequence = max(lastSeenSequence ?? r.sequence, r.sequence)
                    notePassed(r.sequence, valid: false)
                }
                voidRecordsSkipped += 1
            case .pending, .unpublished, .empty:
                if writerIsAlive() { return nil }
                if try skipAbandoned(current, limit: limit) { continue }
                return nil
            case .corrupt(let reason, let r):
                report(current, position, reason.description)
                if let r {
                    position = r.end
                } else if let next = current.bytes.nextHeader(after: position, limit: limit, anchorsOnly: false) {
                    position = next
                } else if !writerIsAlive(), try advance() {
                    continue
                } else {
                    return nil
                }
            }
        }
    }

    /// Call once for each record `next()` returns. True when `record` is flagged duplicate but
    /// stands in for its first copy: this reader passed that first copy's sequence number as a
    /// VOID record or a hole, and no earlier record stood in for it. Filters that leave
    /// duplicates out (`--unique`) keep such a record, the message's only copy; a later copy
    /// naming the same first copy is an ordinary duplicate again. False for records that are
    /// not duplicates, and for first copies the reader never passed (before the segment it
    /// started in, or too long ago: see `AbsentSequences`).
    public func standsInForFirstCopy(_ record: LogRecord) -> Bool {
        guard record.isDuplicate, let first = record.duplicateOf else { return false }
        return absent.remove(first)
    }

    // MARK: Internals

    /// Records the numbers skipped before `sequence` in this segment, and `sequence` itself
    /// unless it is a valid record.
    private func notePassed(_ sequence: UInt64, valid: Bool) {
        if let expected = expectedSequence, sequence > expected { absent.add(expected..<sequence) }
        if !valid { absent.add(sequence..<sequence + 1) }
        expectedSequence = max(expectedSequence ?? 0, sequence + 1)
    }

    private func writerIsAlive() -> Bool {
        let alive = presence.writerIsAlive()
        if alive { fruitlessScan = nil }
        return alive
    }

    /// With no writer: skips the unfinished position up to the next anchor (valid or VOID record)
    /// in this segment, or moves to the next segment. False: nothing more to read now.
    private func skipAbandoned(_ current: ReaderSegment, limit: Int) throws -> Bool {
        if let scan = fruitlessScan, scan.base == current.base, scan.position == position {
            return try advance()
        }
        if let anchor = current.bytes.nextHeader(after: position, limit: limit, anchorsOnly: true) {
            abandonedSkipped += 1
            position = anchor
            return true
        }
        fruitlessScan = (current.base, position)
        return try advance()
    }

    /// Chooses the segment to start in: the last one whose base is <= fromSequence.
    private func openStartSegment() throws -> Bool {
        let segments = try SegmentDirectory.list(directory)
        guard !segments.isEmpty else { return false }
        var startIndex = 0
        for (index, entry) in segments.enumerated() where entry.base <= fromSequence { startIndex = index }
        for entry in segments[startIndex...] {
            if let opened = try openSegment(entry.path, entry.base) {
                if entry.base > fromSequence { missingRanges.append(fromSequence..<entry.base) }
                segment = opened
                position = LogFormat.segmentHeaderLength
                lastSeenSequence = nil
                expectedSequence = entry.base
                return true
            }
        }
        return false
    }

    /// Moves to the segment after the current one, if one exists. False: none yet.
    private func advance() throws -> Bool {
        guard let current = segment else { return false }
        for entry in try SegmentDirectory.list(directory) where entry.base > current.base {
            if let opened = try openSegment(entry.path, entry.base) {
                // The next segment should begin where this one ended: its settled next sequence,
                // else one past the last record seen. Anything between was in deleted segments.
                let hints = SegmentHints.load(current.bytes)
                let expected = hints.settled ? hints.nextSequence : (lastSeenSequence.map { $0 + 1 } ?? current.base)
                if entry.base > max(expected, fromSequence) { missingRanges.append(max(expected, fromSequence)..<entry.base) }
                // Numbers the finished segment settled but no record of it carried: fillers.
                if hints.settled, let next = expectedSequence, hints.nextSequence > next {
                    absent.add(next..<min(hints.nextSequence, entry.base))
                }
                lastSeenSequence = nil
                expectedSequence = entry.base
                segment = opened
                position = LogFormat.segmentHeaderLength
                fruitlessScan = nil
                if releasesPassedSegments { current.releaseCache() }
                return true
            }
        }
        return false
    }

    private func openSegment(_ path: String, _ base: UInt64) throws -> ReaderSegment? {
        var notes: [String] = []
        let opened = try ReaderSegment.open(path: path, base: base, notes: &notes)
        for note in notes where reportedDamage.insert(note).inserted { damage.append(note) }
        return opened
    }

    private func report(_ segment: ReaderSegment, _ offset: Int, _ reason: String) {
        let line = "\(segment.name) @\(offset): \(reason)"
        if reportedDamage.insert(line).inserted { damage.append(line) }
    }
}
