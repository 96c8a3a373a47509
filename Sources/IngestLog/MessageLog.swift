import Dispatch
import Glibc
import IngestSystem
import Synchronization

/// The append-only message log in one directory, shared by all worker threads of one process.
///
/// Concurrency design: appenders stage records privately, then take `state`'s lock only to
/// reserve a contiguous byte range and a contiguous block of sequence numbers for the whole
/// batch (a few dozen arithmetic steps; a segment roll-over, once per segment, also creates the
/// next file under it). The copy into the segment, the checksums and the publication of each
/// record's state word happen outside the lock, in parallel. Sequence numbers follow file order,
/// so the log has one total order; a reader waits at a reserved record until it is published.
///
/// Ownership: one `MessageLog` per directory per process, enforced across processes by the
/// `LOCK` file. `close()` must be called after every appender has finished its last commit.
public final class MessageLog: @unchecked Sendable {
    public let directory: String
    public let options: LogOptions
    public let recoveryReport: RecoveryReport
    /// Asked about each committed record with a message id (nil: no duplicate detection).
    let duplicateDetector: (any DuplicateDetector)?

    struct ReservationState {
        var active: Segment
        /// Offset of the next reservation in `active`.
        var head: Int
        var nextSequence: UInt64
        var isClosed = false
        /// Segments sealed since the interval syncer last ran (their tail still needs a sync).
        var unsynced: [Segment] = []
        /// The segment sealed at the last roll-over, whose cache is released once the active
        /// segment's head is a cache window past its start (see "Page cache" below).
        var retiring: Segment?
        /// Zeros ahead (see below), for `active` only: bytes below `zeroedTo` beyond the head
        /// have had zeros written; `zeroing` is the range being written now. Reservations never
        /// enter `zeroing`.
        var zeroedTo = 0
        var zeroing: Range<Int>? = nil
        /// A zeroing pass is queued or running (set and cleared under the lock).
        var zeroPassQueued = false
        /// Bytes reserved since the last sync round took its work, and the running average of
        /// bytes per round (1/8 weight to the newest): zeros ahead run only while rounds are
        /// small (see "Zeros ahead").
        var bytesSinceRound = 0
        var averageRoundBytes = 0

        /// A sync round is taking the records reserved so far.
        mutating func noteSyncRound() {
            averageRoundBytes += (bytesSinceRound - averageRoundBytes) / 8
            bytesSinceRound = 0
        }
    }

    /// Page-cache work a reservation hands to the background queue (see "Page cache" below).
    struct CacheRelease {
        /// Release the active segment's pages below this offset.
        var active: (segment: Segment, below: Int)?
        /// Release all of this sealed segment's pages.
        var retired: Segment?
        var isEmpty: Bool { active == nil && retired == nil }
    }

    /// A run of consecutive records of one batch placed back to back in one segment.
    struct ReservedChunk {
        let segment: Segment
        let segmentOffset: Int
        let firstRecord: Int
        var recordCount: Int
        let bufferOffset: Int
        var byteCount: Int
    }

    let state: Mutex<ReservationState>
    private let lock: WriterLock
    private var syncer: IntervalSyncer?
    private let retentionRunning = Mutex<Bool>(false)
    private let intervalSyncFailures = Atomic<Int>(0)
    /// Some appender defers its syncs to `synchronizePublished()`: sealed segments must then be
    /// remembered until that syncs them.
    private let syncsDeferred = Atomic<Bool>(false)
    /// Touched only by the interval syncer's serial queue.
    private var lastRetentionCheck: Int64 = 0
    let retention: Retention

    // Page cache. `LogOptions.cacheWindow` bytes of the log behind the reservation head stay in
    // the page cache; every eighth of a window of appends, the pages older than that are
    // written back and dropped (`Segment.releaseCache`), and a segment the log moved on from is
    // dropped whole once the next one is a window in.
    //
    // Why: on the reference VM, memory the guest has not used lately (or gave back to the host)
    // costs 5-9 µs per 4 KiB page the first time it is touched, so a log whose page cache only
    // ever grew paid that for every 4 KiB appended: with 6.4 KB bodies, more than a third of
    // the server's CPU (perf: `zero_user_segments`, page faults). Dropping the pages the writer
    // is done with gives the kernel recently used pages for the next appends (measured, 6.4 KB
    // records into 128 MiB files, CPU per 4 KiB appended: 4.5 µs with a growing cache, 2.1 µs
    // with the window). Followers within the window read from memory; one further behind reads
    // from the disk, which is correct, only slower. Only clean pages nobody maps are dropped,
    // so nothing unwritten is ever lost, whatever the sync policy.
    var cacheReleaseStep: Int { max(MappedRegion.pageSize, options.cacheWindow / 8) }

    /// The next segments' files, made ahead of need (`SpareSegmentFile`), oldest first, and
    /// whether making more was asked for since the last roll-over took one (made on
    /// `spareQueue`, its own queue, so a roll-over never waits for `posix_fallocate`).
    /// `spareRequested` stays set while spares are being made and while `sparesAhead` are ready,
    /// until `roll` takes one (or making one failed): otherwise every commit would queue a block
    /// that only finds the spares made, a thread wake-up per commit (measured: 160 per second per
    /// worker).
    ///
    /// Why two, asked for at the first commit after a roll-over took one: a `posix_fallocate`
    /// usually takes about 1 ms, but ext4 sometimes must first read a block group's allocation
    /// bitmaps, and on the reference VM, with the log writing 200 MB/s of 6.4 KB summaries, a
    /// 4 KiB read from the virtual disk took up to 0.9-1.1 s (O_DIRECT probe beside the load;
    /// p50 0.3 ms). Measured preparations: mostly 0.6-4 ms, some 90-130 ms, 3 in about 50 took
    /// 0.69, 1.16 and 1.63 s, while a 128 MiB segment lasted 0.64 s at that rate. A roll-over
    /// that finds no spare makes the file itself under the reservation lock and every worker
    /// stands still that long (off-CPU trace: 164 ms in `ext4_mb_load_buddy` under `roll`, the
    /// other worker 175 ms on the lock; commits of 0.34-0.73 s; wrk p99 86-520 ms in 1 run of
    /// 3). Asking only once the segment was half full left half a segment's time; two spares
    /// asked for at once leave up to two segments' time. The cost is two segments of disk space
    /// preallocated beyond the active one.
    private let spares = Mutex<[SpareSegmentFile]>([])
    static let sparesAhead = 2
    /// Starts set, so that spares are never asked for, where an unnamed file could not be named
    /// at a roll-over (linking one goes through `/proc/self/fd`).
    private let spareRequested = Atomic<Bool>(!SpareSegmentFile.canBeNamed)
    private let spareQueue = DispatchQueue(label: "connect-ingest.log.spare")
    /// Background work the workers hand off: page-cache release and retention.
    private let backgroundQueue = DispatchQueue(label: "connect-ingest.log.background")

    // Zeros ahead. Under durable sync policies a background pass writes zeros (`pwrite`, then
    // writeback started) over the next `zeroAhead` bytes beyond the head of the active segment,
    // before any record lands there. A preallocated file's blocks are "unwritten" extents: the
    // fdatasync that first covers data in one must also convert the extent and write the inode
    // (ext4: a second synchronous I/O per group-commit round). Blocks written once are plain
    // data blocks, and a round only writes the data. Measured with a C program on the reference
    // VM, 14 KB appended by `pwrite` per fdatasync: 460-610 µs and ~100 µs of CPU per round into
    // unwritten blocks, 220-290 µs and 50-59 µs into blocks zeroed ahead. Readers see no
    // difference: unused space reads as zeros either way.
    //
    // The zeros pay only while rounds are small. They double the bytes the disk takes, and a
    // round's fdatasync waits for every page of the file under writeback, zeros included; the
    // extent conversion they save is a fixed cost per round. So zeros pause while sync rounds
    // average more than `zeroAheadMaxRoundBytes` (records then land in unwritten blocks, as
    // without zeros) and resume when rounds shrink. Measured with wrk -t2 -c64, `--sync batch`,
    // 3 interleaved pairs each: 413-byte events (about 13 KB per round) 25-31k msgs/s and
    // 0.56-0.68 ms per round with zeros against 22-29k and 0.67-0.90 ms without; 6.4 KB
    // summaries (about 160 KB per round) p99 11.5-13.5 ms and 413-431 rounds over 2.5 ms per
    // 8 s with zeros against 8.9-9.8 ms and 70-215 rounds without, at the same throughput.
    //
    // Not under policy `none`: there is no fdatasync to shorten, and the zeros would double the
    // bytes written. (Populating the writer's mapping ahead instead, `MADV_POPULATE_WRITE`, took
    // the page faults off the workers, 13% of their samples, but cost more than it saved: wrk,
    // 6.4 KB summaries, 42-45 µs of server CPU per message against 34 µs without, and small
    // events no faster; measured in interleaved pairs, so it was taken out again.)
    /// Bytes kept zeroed beyond the head (0: off, and always under policy `none`); a pass
    /// starts at half.
    let zeroAhead: Int
    /// Bytes per zeroing step (the range claimed at once).
    let zeroStep: Int
    /// Zeros ahead pause while sync rounds average more bytes than this.
    let zeroAheadMaxRoundBytes: Int
    private let zeroQueue = DispatchQueue(label: "connect-ingest.log.zeros")
    /// `zeroStep` zero bytes, read only (empty when `zeroAhead` is 0).
    private let zeroSource: UnsafeRawBufferPointer

    private init(directory: String, options: LogOptions, lock: WriterLock, recovered: Recovery.Outcome,
                 duplicateDetector: (any DuplicateDetector)?) {
        self.directory = directory
        self.duplicateDetector = duplicateDetector
        self.options = options
        self.lock = lock
        self.recoveryReport = recovered.report
        self.state = Mutex(ReservationState(active: recovered.active, head: recovered.head,
                                            nextSequence: recovered.nextSequence))
        self.retention = Retention(directory: directory, retainBytes: options.retainBytes,
                                   retainAgeSeconds: options.retainAgeSeconds)
        self.zeroAhead = options.sync == .none ? 0 : max(0, options.zeroAhead)
        self.zeroStep = max(MappedRegion.pageSize, options.zeroStep / MappedRegion.pageSize * MappedRegion.pageSize)
        self.zeroAheadMaxRoundBytes = options.zeroAheadMaxRoundBytes
        let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: zeroAhead > 0 ? zeroStep : 0,
                                                           alignment: MappedRegion.pageSize)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
        self.zeroSource = UnsafeRawBufferPointer(zeros)
    }

    /// Opens (creating if needed) the log in `directory`, takes its writer lock, and runs
    /// recovery (see `Recovery`); `recoveryReport` says what it found and changed.
    ///
    /// `duplicateDetector`, when given, is asked about every committed record that carries a
    /// message id, under the reservation lock, in commit order (see "DUPLICATES" in
    /// RecordFormat.swift). Bring it up to date with the log before the first commit.
    public static func open(directory: String, options: LogOptions = LogOptions(),
                            duplicateDetector: (any DuplicateDetector)? = nil) throws -> MessageLog {
        var options = options
        options.segmentSize = max(LogOptions.minimumSegmentSize, LogFormat.align8(options.segmentSize))
        do { try Directory.create(directory) } catch { throw LogError.io("mkdir", directory, error) }
        let lock = try WriterLock.acquire(directory: directory)
        let recovered = try Recovery.run(directory: directory, options: options)
        let log = MessageLog(directory: directory, options: options, lock: lock, recovered: recovered,
                             duplicateDetector: duplicateDetector)
        log.applyRetention()
        if case .interval(let milliseconds) = options.sync {
            log.syncer = IntervalSyncer(milliseconds: milliseconds) { [weak log] in log?.intervalSync() }
        }
        return log
    }

    /// A new appender for one worker thread.
    public func makeAppender() -> LogAppender {
        LogAppender(log: self)
    }

    /// An appender whose `commit()` publishes but does not sync, for a caller that makes
    /// published records durable itself with `synchronizePublished()` (group commit shared by
    /// several appenders: one fdatasync per round for all of them instead of one msync each).
    /// Such a caller must not acknowledge a record before a `synchronizePublished()` that began
    /// after the record's `commit()` returned has returned.
    public func makeAppender(deferringSync: Bool) -> LogAppender {
        if deferringSync { syncsDeferred.store(true, ordering: .relaxed) }
        return LogAppender(log: self, defersSync: deferringSync)
    }

    /// Makes every record published before this call durable: fdatasync of the active segment
    /// and of each segment sealed since the previous call. Called by one thread at a time.
    public func synchronizePublished() throws(LogError) {
        let work = takeSyncRound()
        for segment in work { try segment.synchronizeAll() }
    }

    /// Seals the active segment at its end, syncs every segment written since the last sync,
    /// and releases the writer lock. Call after all appenders have finished. Idempotent.
    public func close() throws {
        let closing: (Segment, Int, UInt64, [Segment])? = state.withLock { s in
            if s.isClosed { return nil }
            s.isClosed = true
            let unsynced = s.unsynced
            s.unsynced = []
            return (s.active, s.head, s.nextSequence, unsynced)
        }
        guard let (active, head, nextSequence, unsynced) = closing else { return }
        syncer?.stop()
        syncer = nil
        waitForBackgroundWork()
        spareQueue.sync {}
        spares.withLock { files in
            for file in files { file.discard() }
            files.removeAll()
        }
        if !active.isSealed.load(ordering: .relaxed) { active.seal(end: head, nextSequence: nextSequence) }
        // A zeroing step in flight finishes before the lock goes: the next writer's records
        // could be where it writes.
        zeroQueue.sync {}
        defer { lock.release() }
        for segment in unsynced + [active] { try segment.synchronizeAll() }
    }

    deinit {
        // No waiting here: the last reference may be dropped by a tick on the syncer's queue.
        syncer?.stop(wait: false)
        zeroSource.deallocate()
    }

    // MARK: Reservation (called by appenders)

    /// Reserves space and sequence numbers for records with the given spans, in order, placing
    /// them in `chunks` (cleared first). Returns the first sequence number; the records get
    /// consecutive ones. On a throw, `chunks` holds what was reserved before the failure: the
    /// caller must void those records.
    ///
    /// `identities` (one per span, or empty) get their duplicate verdicts from the detector once
    /// every span is placed, still under the lock, so verdicts follow sequence order and a failed
    /// reservation leaves the detector untouched.
    func reserve(spans: UnsafeBufferPointer<Int>, newestReceivedAt: Int64,
                 chunks: inout [ReservedChunk], cacheRelease: inout CacheRelease,
                 identities: UnsafeMutableBufferPointer<StagedIdentity> = .init(start: nil, count: 0)) throws(LogError) -> UInt64 {
        chunks.removeAll(keepingCapacity: true)
        let header = LogFormat.segmentHeaderLength
        let normalCapacity = options.segmentSize
        let durable = options.sync != .none
        return try state.withLock { (s: inout ReservationState) throws(LogError) -> UInt64 in
            if s.isClosed { throw LogError.closed }
            let first = s.nextSequence
            var chunk: ReservedChunk? = nil
            var bufferOffset = 0
            func flush(_ chunk: inout ReservedChunk?) {
                guard let c = chunk else { return }
                c.segment.inFlight.add(c.recordCount, ordering: .sequentiallyConsistent)
                c.segment.noteReceived(newestReceivedAt)
                chunks.append(c)
                chunk = nil
            }
            for (index, span) in spans.enumerated() {
                let oversized = span > normalCapacity - header
                if oversized || s.active.isSealed.load(ordering: .relaxed) || s.active.isOversized
                    || s.head + span > s.active.capacity || s.head + span > (s.zeroing?.lowerBound ?? Int.max) {
                    flush(&chunk)
                    let capacity = oversized ? LogFormat.align8(header + span) : normalCapacity
                    try roll(&s, capacity: capacity, oversized: oversized, durable: durable)
                }
                if chunk == nil {
                    chunk = ReservedChunk(segment: s.active, segmentOffset: s.head, firstRecord: index,
                                          recordCount: 0, bufferOffset: bufferOffset, byteCount: 0)
                }
                chunk!.recordCount += 1
                chunk!.byteCount += span
                s.head += span
                s.bytesSinceRound += span
                s.nextSequence += 1
                bufferOffset += span
            }
            flush(&chunk)
            if let detector = duplicateDetector {
                for index in identities.indices {
                    guard let id = identities[index].messageId else { continue }
                    identities[index].firstCopy = detector.firstCopy(
                        of: id, sequence: first + UInt64(index), receivedAtNanoseconds: identities[index].receivedAt)
                }
            }
            if !s.active.isOversized { prepareSpare() }
            if zeroAhead > 0 && !s.zeroPassQueued && s.averageRoundBytes <= zeroAheadMaxRoundBytes
                && s.zeroedTo < s.head + zeroAhead / 2
                && !s.active.isOversized && s.zeroedTo < s.active.capacity {
                s.zeroPassQueued = true
                zeroQueue.async { [self] in zeroPass() }
            }
            if s.head >= s.active.nextCacheRelease {
                s.active.nextCacheRelease = s.head + cacheReleaseStep
                if s.head > options.cacheWindow {
                    cacheRelease.active = (s.active, s.head - options.cacheWindow)
                }
                if let retiring = s.retiring, s.head > options.cacheWindow || s.active.isOversized {
                    cacheRelease.retired = retiring
                    s.retiring = nil
                }
            }
            return first
        }
    }

    /// Asks the duplicate detector about one streamed record at its publication (under the
    /// reservation lock, like a batch's records). Nil without a detector.
    func firstCopy(of id: MessageID, sequence: UInt64, receivedAt: Int64) -> UInt64? {
        guard let detector = duplicateDetector else { return nil }
        return state.withLock { _ in detector.firstCopy(of: id, sequence: sequence, receivedAtNanoseconds: receivedAt) }
    }

    /// Seals the active segment and starts a new one whose base is the next sequence number.
    /// Runs under the reservation lock (once per segment; the other workers wait for the file
    /// to be created, a few milliseconds at most).
    private func roll(_ s: inout ReservationState, capacity: Int, oversized: Bool, durable: Bool) throws(LogError) {
        if !s.active.isSealed.load(ordering: .relaxed) {
            s.active.seal(end: s.head, nextSequence: s.nextSequence)
            if case .interval = options.sync {
                s.unsynced.append(s.active)
            } else if syncsDeferred.load(ordering: .relaxed) {
                s.unsynced.append(s.active)
            }
            // Two roll-overs within one window (tiny segments): release the older one now.
            if let older = s.retiring { backgroundQueue.async { older.releaseAllCache() } }
            s.retiring = s.active
        }
        let prepared: SpareSegmentFile? = oversized ? nil : spares.withLock { files in
            files.isEmpty ? nil : files.removeFirst()
        }
        if prepared != nil { spareRequested.store(false, ordering: .releasing) }
        let segment = try Segment.create(directory: directory, base: s.nextSequence, capacity: capacity,
                                         isOversized: oversized, durable: durable, spare: prepared)
        if let prepared, prepared.capacity != capacity { prepared.discard() }
        s.active = segment
        s.head = LogFormat.segmentHeaderLength
        s.zeroedTo = 0
        s.zeroing = nil   // a pass still writing into the sealed segment finds it no longer active
        retention.noteRoll()
    }

    // MARK: Background work

    /// Starts making spare segment files on `spareQueue` until `sparesAhead` are ready, unless
    /// that was asked for since the last roll-over took one. Called under the reservation lock
    /// (it only queues the work).
    private func prepareSpare() {
        guard !spareRequested.load(ordering: .relaxed), !spareRequested.exchange(true, ordering: .acquiring) else { return }
        let capacity = options.segmentSize
        spareQueue.async { [self] in
            while spares.withLock({ $0.count < MessageLog.sparesAhead }) && !state.withLock({ $0.isClosed }) {
                let file: SpareSegmentFile
                do throws(LogError) { file = try SpareSegmentFile.prepare(directory: directory, capacity: capacity) } catch {
                    // Ask again at a later commit, unless the file system has no unnamed files
                    // (then every roll-over makes its file itself, as without spares).
                    if !SpareSegmentFile.isUnsupported(error) { spareRequested.store(false, ordering: .releasing) }
                    return
                }
                spares.withLock { $0.append(file) }
            }
        }
    }

    /// One zeroing pass on `zeroQueue`: writes zeros ahead of the head of the active segment in steps of `zeroStep` until `zeroAhead` bytes beyond the head
    /// are done (see "Zeros ahead"). A step that writes zeros claims its range under the
    /// reservation lock, a whole step past the page that holds the head, so no record is ever
    /// there while zeros are written: a reservation that would reach into a claimed range rolls
    /// over to the next segment instead. That needs one commit of more than a step's bytes while
    /// the step is written, which in practice only tests with tiny steps do; without the gap, a
    /// claim reaching to the end of a small segment made nearly every next commit roll over.
    private func zeroPass() {
        let page = MappedRegion.pageSize
        while true {
            let claim: (segment: Segment, range: Range<Int>)? = state.withLock { s in
                let start = max(s.zeroedTo, (s.head + page - 1) / page * page + zeroStep)
                let end = min(s.active.capacity, start + zeroStep)
                guard !s.isClosed, !s.active.isOversized, start < s.head + zeroAhead, start < end,
                      s.averageRoundBytes <= zeroAheadMaxRoundBytes else {
                    s.zeroPassQueued = false
                    return nil
                }
                s.zeroing = start..<end
                return (s.active, start..<end)
            }
            guard let (segment, range) = claim else { return }
            let written = segment.writeZeros(range, from: zeroSource)
            state.withLock { s in
                guard s.active === segment else { return }
                s.zeroing = nil
                s.zeroedTo = written ? range.upperBound : s.active.capacity   // on a failure, stop for this segment
            }
        }
    }

    /// Hands page-cache release (see "Page cache" above) to the background queue. A retired segment
    /// is released after the active one, so its sealed-end hints are written by then.
    func scheduleCacheRelease(_ work: CacheRelease) {
        guard !work.isEmpty else { return }
        backgroundQueue.async {
            if let (segment, below) = work.active { segment.releaseCache(below: below) }
            work.retired?.releaseAllCache()
        }
    }

    /// Called by appenders after each commit: once per roll-over, hands retention to the
    /// background queue (it lists the directory and unlinks files: not work for a worker).
    @inline(__always)
    func retentionCheck() {
        if retention.isDue && retention.takeDue() {
            backgroundQueue.async { [self] in applyRetention() }
        }
    }

    /// Returns once the spare segment files queued so far are made (tests).
    func waitForSpare() {
        spareQueue.sync {}
    }

    /// The inode numbers of the ready spare files, oldest first (tests).
    func spareInodes() -> [UInt64] {
        spares.withLock { files in
            files.map { file in
                var info = stat()
                return fstat(file.file.rawValue, &info) == 0 ? UInt64(info.st_ino) : 0
            }
        }
    }

    /// What a sync round (group or interval) must fdatasync: every segment sealed since the last
    /// round, and the active one. Empty once the log is closed.
    private func takeSyncRound() -> [Segment] {
        state.withLock { s in
            if s.isClosed { return [] }
            s.noteSyncRound()
            let segments = s.unsynced + [s.active]
            s.unsynced = []
            return segments
        }
    }

    /// An appender that syncs its own commits (policy `batch` without a group sync) is starting
    /// a round: its commit is the round.
    func noteSyncRound() {
        state.withLock { $0.noteSyncRound() }
    }

    /// Returns once the cache release, retention and zeroing queued so far have run.
    func waitForBackgroundWork() {
        backgroundQueue.sync {}
        zeroQueue.sync {}
    }

    /// Runs retention unless another thread is running it (at open, and from background work).
    func applyRetention() {
        guard retention.isConfigured else { return }
        let activeBase = state.withLock { $0.active.base }
        _ = retentionRunning.withLockIfAvailable { _ in
            retention.apply(activeBase: activeBase)
        }
    }

    /// The interval syncer's tick: fdatasync the active segment and any sealed since last time.
    private func intervalSync() {
        let work = takeSyncRound()
        for segment in work {
            do { try segment.synchronizeAll() } catch { intervalSyncFailures.add(1, ordering: .relaxed) }
        }
        let now = wallClockNanoseconds()
        if retention.isConfigured && (retention.takeDue() || now - lastRetentionCheck >= 1_000_000_000) {
            lastRetentionCheck = now
            applyRetention()
        }
    }

    /// Interval syncs that failed (sync policy `interval`; nobody is waiting to be told).
    public var intervalSyncFailureCount: Int { intervalSyncFailures.load(ordering: .relaxed) }
}
