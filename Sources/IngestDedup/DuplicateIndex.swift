import IngestLog
import IngestSystem
import Synchronization

/// The persistent duplicate index: remembers, for every message received in the last
/// `--dedup-window`, the sequence number of its first copy, in a memory-mapped file in the log's
/// folder (format and rules: IndexFormat.swift). It is the log's `DuplicateDetector`.
///
/// Life cycle (the log is the truth; see `load`):
///
///     let unsettled = try LogDirectoryInfo.unsettledFrom(directory: dir)   // before the log's recovery
///     let index = DuplicateIndex(directory: dir, options: dedup)
///     let log = try MessageLog.open(directory: dir, options: logOptions, duplicateDetector: index)
///     let report = try index.load(from: OpenedLog(log: log, unsettledFrom: unsettled))
///     ... serve ...
///     try log.close(); try index.close()
///
/// Concurrency: `firstCopy` is called by the log with its reservation lock held, so calls never
/// overlap; `load` and `close` run when the log takes no commits. `prefetch` and `metrics` may be
/// called from any thread at any time.
///
/// Cost per call (no allocation, no syscall, no page fault: the table is prefaulted writable at
/// start, see `IndexFile.prefault`): one hash
/// probe from the id's home slot, usually one or two cache lines, a 28-byte CRC32C per insertion,
/// and a sweep step of ~23 slots while dead entries wait to be removed.
public final class DuplicateIndex: DuplicateDetector, @unchecked Sendable {
    public let directory: String
    public let options: DedupOptions
    public var path: String { directory + "/" + IndexFormat.fileName }
    let geometry: IndexGeometry
    let clock: @Sendable () -> Int64
    let bootIdentity: @Sendable () -> BootIdentity?

    /// Everything the calls change. Dynamic exclusivity checks are off for it: the log's lock
    /// (or `load`/`close`, which run without commits) is what keeps accesses apart, and the checks
    /// would cost two runtime calls per access on the hot path.
    @exclusivity(unchecked) var state: IndexState
    /// The file while loaded (nil before `load` and after `close`): it owns the mapping.
    @exclusivity(unchecked) var file: IndexFile? {
        didSet { mapped = file?.mapped }
    }
    /// Views of `file`'s mapping: what the calls use (a plain value, so using it costs no
    /// reference counting).
    @exclusivity(unchecked) var mapped: MappedIndex?
    /// During `load` after a crash: entries at or after the unsettled point, to check against the log.
    var suspiciousEntries: [IndexEntry] = []

    let duplicatesFound = Atomic<UInt64>(0)
    let earlyExpiries = Atomic<UInt64>(0)
    let earlyExpiredEntries = Atomic<UInt64>(0)
    let lastEarlyExpiry = Atomic<UInt64>(0)
    let liveEntries = Atomic<Int>(0)
    let occupiedSlots = Atomic<Int>(0)

    /// - Parameters:
    ///   - clock: wall-clock nanoseconds since the epoch, read by `load` only (calls take the
    ///     time from the records' receive times). Tests inject one.
    ///   - bootIdentity: which boot of the machine this is (tests inject one to act out a reboot).
    public init(directory: String, options: DedupOptions,
                clock: @escaping @Sendable () -> Int64 = { Clock.wallNanoseconds() },
                bootIdentity: @escaping @Sendable () -> BootIdentity? = { BootIdentity.current() }) {
        self.directory = directory
        self.options = options
        self.geometry = IndexGeometry(options: options)
        self.clock = clock
        self.bootIdentity = bootIdentity
        state = IndexState(geometry: geometry)
    }

    // MARK: DuplicateDetector

    /// See `DuplicateDetector`. Before `load` (and after `close`) it detects nothing.
    public func firstCopy(of id: MessageID, sequence: UInt64, receivedAtNanoseconds: Int64) -> UInt64? {
        guard let mapped else { return nil }
        let table = mapped.table
        if state.window.observe(receivedAtNanoseconds) { saveWindow(mapped) }
        if sequence >= state.appliedThrough {
            state.appliedThrough = sequence &+ 1
            mapped.header.store(state.appliedThrough, at: IndexFormat.appliedThroughOffset)
        }
        switch probe(id, table) {
        case .found(let slot):
            duplicatesFound.store(duplicatesFound.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            return table.sequence(at: slot)
        case .vacant(let slot):
            insert(IndexEntry(id: id, sequence: sequence, bucket: state.window.current), at: slot, mapped)
            return nil
        }
    }

    /// Pulls the cache line of `id`'s home slot toward the CPU, so that the `firstCopy` which
    /// follows (under the log's lock) finds it there. Any thread, any time; never faults.
    @inline(__always)
    public func prefetch(_ id: MessageID) {
        mapped?.table.prefetch(id)
    }

    // MARK: Metrics

    /// Counters for `/metrics` (any thread).
    public var metrics: DedupMetrics {
        DedupMetrics(duplicates: duplicatesFound.load(ordering: .relaxed),
                     earlyExpiries: earlyExpiries.load(ordering: .relaxed),
                     earlyExpiredEntries: earlyExpiredEntries.load(ordering: .relaxed),
                     lastEarlyExpiryEntries: lastEarlyExpiry.load(ordering: .relaxed),
                     entries: liveEntries.load(ordering: .relaxed),
                     occupiedSlots: occupiedSlots.load(ordering: .relaxed),
                     capacity: options.capacity, slots: geometry.slotCount)
    }

    // MARK: Table operations (under the log's lock, or in load)

    enum Probe {
        case found(Int)
        case vacant(Int)
    }

    /// Walks from `id`'s home to its live entry or to the first empty slot, deleting the dead
    /// entries met on the way (each deletion may pull a later entry into the slot: look again).
    @inline(__always)
    func probe(_ id: MessageID, _ table: SlotTable) -> Probe {
        let floor = state.window.floor
        var slot = table.home(of: id)
        while true {
            let bucket = table.bucket(at: slot)
            if bucket == 0 { return .vacant(slot) }
            if bucket < floor {
                table.delete(at: slot)
                state.occupied -= 1
                continue
            }
            if table.holds(id, at: slot) { return .found(slot) }
            slot = table.next(slot)
        }
    }

    /// Stores a new entry in the vacant slot `probe` found, then keeps the table within its
    /// limits: early expiry past capacity, a sweep step while dead entries remain.
    @inline(__always)
    func insert(_ entry: IndexEntry, at slot: Int, _ mapped: MappedIndex) {
        let table = mapped.table
        table.store(entry, at: slot)
        state.occupied += 1
        state.window.inserted(into: entry.bucket)
        if state.window.live > options.capacity { expireEarly(mapped) }
        if state.occupied > state.window.live { sweep(steps: state.sweepStride, table) }
        if state.occupied >= state.maximumOccupied { sweepAll(table) }
        liveEntries.store(state.window.live, ordering: .relaxed)
        occupiedSlots.store(state.occupied, ordering: .relaxed)
    }

    /// Deletes dead entries from the sweep cursor on, examining `steps` slots.
    func sweep(steps: Int, _ table: SlotTable) {
        let floor = state.window.floor
        var cursor = state.sweepCursor
        for _ in 0..<steps {
            let bucket = table.bucket(at: cursor)
            if bucket != 0 && bucket < floor {
                table.delete(at: cursor)  // a later entry may have moved here: look again
                state.occupied -= 1
            } else {
                cursor = table.next(cursor)
            }
        }
        state.sweepCursor = cursor
    }

    /// A whole pass (never needed when the sweep keeps up; bounds the table if it did not).
    @inline(never)
    func sweepAll(_ table: SlotTable) {
        sweep(steps: table.count + state.occupied, table)
    }

    /// More than `capacity` entries are live: expire the oldest bucket(s) early.
    @inline(never)
    func expireEarly(_ mapped: MappedIndex) {
        while state.window.live > options.capacity {
            let (_, entries) = state.window.expireOldest()
            earlyExpiries.store(earlyExpiries.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
            earlyExpiredEntries.store(earlyExpiredEntries.load(ordering: .relaxed) &+ UInt64(entries), ordering: .relaxed)
            lastEarlyExpiry.store(UInt64(entries), ordering: .relaxed)
        }
        mapped.header.store(earlyExpiries.load(ordering: .relaxed), at: IndexFormat.earlyExpiriesOffset)
        mapped.header.store(earlyExpiredEntries.load(ordering: .relaxed), at: IndexFormat.earlyExpiredEntriesOffset)
        saveWindow(mapped)
    }

    /// Writes the current bucket and the early floor to the header (when they change).
    @inline(never)
    func saveWindow(_ mapped: MappedIndex) {
        mapped.header.store(state.window.current, at: IndexFormat.currentBucketOffset)
        mapped.header.store(state.window.earlyFloor, at: IndexFormat.earlyFloorOffset)
        liveEntries.store(state.window.live, ordering: .relaxed)
    }
}

/// The index's mutable state besides the table itself.
struct IndexState {
    var window: BucketWindow
    /// Slots holding an entry, live or dead.
    var occupied = 0
    var sweepCursor = 0
    /// Slots examined per insertion while dead entries remain: enough for one pass over the
    /// table per bucket at full load (capacity/15 insertions per bucket).
    let sweepStride: Int
    /// Never let the table fill beyond this (a full pass runs first; see `sweepAll`).
    let maximumOccupied: Int
    /// One past the highest sequence number shown to the index.
    var appliedThrough: UInt64 = 0

    init(geometry: IndexGeometry) {
        window = BucketWindow(bucketLength: geometry.bucketLength)
        let perBucket = max(1, geometry.capacity / Int(IndexFormat.bucketsPerWindow))
        sweepStride = max(2, (geometry.slotCount + perBucket - 1) / perBucket)
        maximumOccupied = geometry.slotCount - max(1, geometry.slotCount / 8)
    }
}

/// What `/metrics` shows of the index.
public struct DedupMetrics: Sendable, Equatable {
    /// Records the index named a copy of an earlier one since start.
    public var duplicates: UInt64
    /// Times the oldest bucket was expired early because the index was full, and the entries
    /// those expiries dropped (since the index was created).
    public var earlyExpiries: UInt64
    public var earlyExpiredEntries: UInt64
    /// Entries dropped by the most recent early expiry.
    public var lastEarlyExpiryEntries: UInt64
    /// Live entries, slots in use (live and dead), and the sizes.
    public var entries: Int
    public var occupiedSlots: Int
    public var capacity: Int
    public var slots: Int
}
