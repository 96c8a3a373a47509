import IngestLog
import IngestSystem

/// Start and stop: bringing the index up to date with the log (which is the truth), rebuilding
/// it when it cannot be trusted, and closing it cleanly.
extension DuplicateIndex {
    /// Opens the index file (creating or rebuilding it when needed) and brings it up to date with
    /// `log`; call after `MessageLog.open` and before the first commit. What happens:
    ///
    /// - missing, header damaged, made for another capacity or window, ahead of the log, or left
    ///   open by an earlier boot of the machine: rebuilt from the log's records of the window;
    /// - left open by a crash of this boot: the one slot a crash can tear is repaired (more damage:
    ///   rebuilt), and entries for records at or after `log.unsettledFrom` that the log does not
    ///   hold are removed (reserved, then lost in the crash);
    /// - then, in every case, the log's records from where the index stopped are applied.
    ///
    /// Throws only for file errors (the server then stops: it cannot keep its promise).
    public func load(from log: some IndexedLog) throws -> DedupLoadReport {
        let started = Clock.monotonicNanoseconds()
        let now = clock()
        var report = DedupLoadReport()
        report.capacity = options.capacity
        report.fileBytes = options.fileBytes
        let boot = bootIdentity()
        var rebuildReason: String? = nil
        /// After a crash: sequence -> id of the log's records from the unsettled point on.
        var held: [UInt64: MessageID]? = nil

        switch try IndexFile.open(path: path, geometry: geometry) {
        case .missing:
            rebuildReason = DedupLoadReport.missingReason
        case .unusable(let why):
            rebuildReason = why
        case .opened(let index):
            switch try reuse(index, log: log, boot: boot, report: &report) {
            case .rebuild(let why): rebuildReason = why
            case .reused(let crashed):
                if crashed { held = try logIdentities(from: log.unsettledFrom, log) }
            }
        }
        if let held { verify(suspiciousEntries, against: held, report: &report) }
        suspiciousEntries = []

        if let reason = rebuildReason {
            report.rebuiltBecause = reason
            try rebuild(from: log, now: now, boot: boot)
        }

        let from = held == nil ? state.appliedThrough : min(state.appliedThrough, log.unsettledFrom)
        report.appliedFrom = from
        report.recordsApplied = try catchUp(from: from, log: log, held: held.map { ($0, log.unsettledFrom) },
                                            report: &report)
        state.window.advance(to: state.window.bucket(of: now))
        saveWindow(mapped!)
        liveEntries.store(state.window.live, ordering: .relaxed)
        occupiedSlots.store(state.occupied, ordering: .relaxed)
        report.entries = state.window.live
        report.nanoseconds = Clock.monotonicNanoseconds() - started
        return report
    }

    enum Reuse {
        case rebuild(String)
        /// Adopted; `crashed`: it was not closed cleanly (its recent entries need checking).
        case reused(crashed: Bool)
    }

    /// Decides whether an existing index file can be used (see `load`), and if so adopts it:
    /// restores its state, counts its entries, repairs a torn slot, marks it RUNNING.
    private func reuse(_ index: IndexFile, log: some IndexedLog, boot: BootIdentity?,
                       report: inout DedupLoadReport) throws -> Reuse {
        let stateWord = index.load(IndexFormat.stateOffset, as: UInt64.self)
        let recordedBoot = BootIdentity(high: index.load(IndexFormat.bootIdOffset, as: UInt64.self),
                                        low: index.load(IndexFormat.bootIdOffset + 8, as: UInt64.self))
        let applied = index.load(IndexFormat.appliedThroughOffset, as: UInt64.self)
        let crashed: Bool
        if stateWord == IndexFormat.closed {
            guard index.stateChecksum() == index.load(IndexFormat.stateChecksumOffset, as: UInt32.self) else {
                return .rebuild("its state checksum does not match")
            }
            crashed = false
        } else if stateWord == IndexFormat.running {
            guard let boot, boot == recordedBoot else {
                return .rebuild("it was left open by an earlier boot of the machine (power loss or crash): "
                                + "its pages may not all have reached the disk")
            }
            crashed = true
        } else {
            return .rebuild("its state word is damaged")
        }
        guard applied <= log.nextSequence else {
            return .rebuild("it has seen sequence numbers up to \(applied) but the log ends at \(log.nextSequence)")
        }
        state.appliedThrough = applied
        state.window.restore(current: index.load(IndexFormat.currentBucketOffset, as: UInt32.self),
                             earlyFloor: index.load(IndexFormat.earlyFloorOffset, as: UInt32.self))
        index.prefault()
        let suspiciousFrom = crashed ? log.unsettledFrom : nil
        var scan = scanTable(index.table, suspiciousFrom: suspiciousFrom)
        if crashed && scan.damaged.count == 1 && scan.tornOnly {
            repair(slot: scan.damaged[0], index.table)
            report.tornSlotsRepaired = 1
            scan = scanTable(index.table, suspiciousFrom: suspiciousFrom)
        }
        guard scan.damaged.isEmpty else { return .rebuild("\(scan.damaged.count) damaged slots") }
        earlyExpiries.store(index.load(IndexFormat.earlyExpiriesOffset, as: UInt64.self), ordering: .relaxed)
        earlyExpiredEntries.store(index.load(IndexFormat.earlyExpiredEntriesOffset, as: UInt64.self), ordering: .relaxed)
        state.window = scan.window
        state.occupied = scan.occupied
        suspiciousEntries = scan.suspicious
        file = index
        markRunning(index, boot: boot)
        try index.synchronizeHeader()
        report.recoveredAfterCrash = crashed
        return .reused(crashed: crashed)
    }

    /// Replaces the file with an empty index (state RUNNING) that starts at the log's records of
    /// the window; `load`'s catch-up then fills it.
    private func rebuild(from log: some IndexedLog, now: Int64, boot: BootIdentity?) throws {
        file = nil
        let fresh = try IndexFile.create(path: path, geometry: geometry)
        fresh.prefault()
        state = IndexState(geometry: geometry)
        state.appliedThrough = try log.firstSequence(receivedAtOrAfter: now &- options.windowNanoseconds &- geometry.bucketLength)
        fresh.store(state.appliedThrough, at: IndexFormat.appliedThroughOffset)
        earlyExpiries.store(0, ordering: .relaxed)
        earlyExpiredEntries.store(0, ordering: .relaxed)
        markRunning(fresh, boot: boot)
        try fresh.synchronizeHeader()
        do { try Directory.synchronize(directory) } catch { throw DedupError.io("fsync", directory, error) }
        file = fresh
    }

    /// Makes everything durable and marks the file closed cleanly. Call after the log is closed
    /// (no more commits). Afterwards `firstCopy` detects nothing. Idempotent.
    public func close() throws {
        guard let file else { return }
        try file.synchronizeAll()
        file.store(state.appliedThrough, at: IndexFormat.appliedThroughOffset)
        file.store(IndexFormat.closed, at: IndexFormat.stateOffset)
        file.store(file.stateChecksum(), at: IndexFormat.stateChecksumOffset)
        try file.synchronizeHeader()
        self.file = nil
    }

    // MARK: Internals

    private func markRunning(_ file: IndexFile, boot: BootIdentity?) {
        file.store(IndexFormat.running, at: IndexFormat.stateOffset)
        file.store(boot?.high ?? 0, at: IndexFormat.bootIdOffset)
        file.store(boot?.low ?? 0, at: IndexFormat.bootIdOffset + 8)
        file.store(UInt32(0), at: IndexFormat.stateChecksumOffset)
        file.store(state.window.current, at: IndexFormat.currentBucketOffset)
        file.store(state.window.earlyFloor, at: IndexFormat.earlyFloorOffset)
    }

    /// What a pass over every slot found.
    struct TableScan {
        var occupied = 0
        /// Live entries per bucket are counted into this window copy.
        var window: BucketWindow
        /// Slots whose contents do not check out, or whose entry is cut off from its home.
        var damaged: [Int] = []
        /// The damage is only bad checksums (what a torn write leaves), no broken chains.
        var tornOnly = true
        /// Entries at or after the unsettled point (checked against the log after a crash).
        var suspicious: [IndexEntry] = []
    }

    /// Checks every slot (checksum, and that no empty slot separates an entry from its home) and
    /// counts the live entries per bucket. At most a few thousand damaged slots are listed.
    func scanTable(_ table: SlotTable, suspiciousFrom: UInt64?) -> TableScan {
        var scan = TableScan(window: state.window)
        scan.window.restore(current: state.window.current, earlyFloor: state.window.earlyFloor)
        var start = 0
        while start < table.count, table.content(at: start) != .empty { start += 1 }
        if start == table.count {
            scan.damaged = [0]
            scan.tornOnly = false
            return scan
        }
        var clusterStart = table.next(start)
        var slot = clusterStart
        for _ in 1..<table.count {
            switch table.content(at: slot) {
            case .empty:
                clusterStart = table.next(slot)
            case .damaged:
                if scan.damaged.count < 4096 { scan.damaged.append(slot) }
                scan.occupied += 1
            case .entry(let entry):
                scan.occupied += 1
                let home = table.home(of: entry.id)
                if table.distance(from: home, to: slot) > table.distance(from: clusterStart, to: slot) {
                    if scan.damaged.count < 4096 { scan.damaged.append(slot) }
                    scan.tornOnly = false
                } else {
                    scan.window.count(entry.bucket)
                    if let from = suspiciousFrom, entry.sequence >= from { scan.suspicious.append(entry) }
                }
            }
            slot = table.next(slot)
        }
        return scan
    }

    /// Removes the torn slot and re-seats the rest of its cluster (whose entries may now have an
    /// empty slot between them and their home).
    func repair(slot: Int, _ table: SlotTable) {
        table.clear(slot)
        var entries: [IndexEntry] = []
        var position = table.next(slot)
        while table.content(at: position) != .empty {
            if case .entry(let entry) = table.content(at: position) { entries.append(entry) }
            table.clear(position)
            position = table.next(position)
        }
        for entry in entries {
            var at = table.home(of: entry.id)
            while true {
                if table.bucket(at: at) == 0 { table.store(entry, at: at); break }
                if table.holds(entry.id, at: at) {
                    if table.sequence(at: at) > entry.sequence { table.store(entry, at: at) }
                    break
                }
                at = table.next(at)
            }
        }
    }

    /// After a crash: removes entries whose record the log does not hold (or holds with another id).
    private func verify(_ suspicious: [IndexEntry], against held: [UInt64: MessageID], report: inout DedupLoadReport) {
        report.entriesVerified = suspicious.count
        guard !suspicious.isEmpty, let table = mapped?.table else { return }
        for entry in suspicious where held[entry.sequence] != entry.id {
            if case .found(let slot) = probe(entry.id, table), table.sequence(at: slot) == entry.sequence {
                table.delete(at: slot)
                state.occupied -= 1
                state.window.forget(entry.bucket)
                report.entriesRemoved += 1
            }
        }
    }

    /// Sequence number -> message id of the log's records from `sequence` on.
    private func logIdentities(from sequence: UInt64, _ log: some IndexedLog) throws -> [UInt64: MessageID] {
        var held: [UInt64: MessageID] = [:]
        try log.forEachIdentity(from: sequence) { held[$0.sequence] = $0.messageId }
        return held
    }

    /// Applies the log's records from `from` on, in sequence order, as the log recorded them:
    /// an unflagged record is a first copy unless an earlier copy is known, and its entry belongs
    /// to the bucket it was received in (skipped if that bucket is no longer live); a record
    /// flagged duplicate adds nothing (its first copy's record makes the entry, unless that copy
    /// has left the window). With `held` (after a crash: the log's records from the unsettled
    /// point on), a duplicate whose named first copy at or after that point is not in the log
    /// stands as the first copy.
    private func catchUp(from: UInt64, log: some IndexedLog, held: (records: [UInt64: MessageID], from: UInt64)?,
                         report: inout DedupLoadReport) throws -> Int {
        guard let mapped else { return 0 }
        let table = mapped.table
        var applied = 0
        try log.forEachIdentity(from: from) { record in
            applied += 1
            if state.window.observe(record.receivedAtNanoseconds) { saveWindow(mapped) }
            if record.sequence >= state.appliedThrough {
                state.appliedThrough = record.sequence &+ 1
                mapped.header.store(state.appliedThrough, at: IndexFormat.appliedThroughOffset)
            }
            if let named = record.duplicateOf {
                guard let held, named >= held.from, held.records[named] != record.messageId else { return }
                report.orphanedDuplicates += 1
            }
            let bucket = min(state.window.current, state.window.bucket(of: record.receivedAtNanoseconds))
            guard state.window.isLive(bucket) else { return }
            switch probe(record.messageId, table) {
            case .found(let slot):
                var entry = table.entry(at: slot)
                if entry.sequence > record.sequence {
                    entry.sequence = record.sequence
                    entry.bucket = min(entry.bucket, bucket)
                    table.store(entry, at: slot)
                }
            case .vacant(let slot):
                insert(IndexEntry(id: record.messageId, sequence: record.sequence, bucket: bucket), at: slot, mapped)
            }
        }
        return applied
    }
}
