#if canImport(Glibc)
import Glibc
#endif
import IngestSystem
import Synchronization

/// One segment file as the writer holds it: open read-write, preallocated, mapped shared.
///
/// Ownership: created and retired by `MessageLog` under its reservation lock; appenders keep a
/// strong reference while they copy into it, so a mapping outlives every copy into it (the
/// file may be unlinked by retention meanwhile; the mapping stays valid). Unmapped and closed
/// when the last reference goes.
///
/// Thread safety: `bytes` is written by many appenders at once, each in the disjoint range it
/// reserved. `inFlight`, `isSealed` and the header hints are atomics; `seal` runs under the
/// log's reservation lock; `finishReservations` runs on any appender's thread.
final class Segment: @unchecked Sendable {
    let path: String
    let base: UInt64
    let capacity: Int
    let isOversized: Bool
    /// The segment header's format version; a writer appends only to segments of the current one.
    let formatVersion: UInt16
    let file: FileDescriptor
    private let region: MappedRegion
    /// The whole mapped file, header included.
    let bytes: RawBytes

    /// Reservations made in this segment and not yet published or voided.
    let inFlight = Atomic<Int>(0)
    let isSealed = Atomic<Bool>(false)
    /// One past the last sequence reserved here; meaningful once sealed.
    private let sealedNextSequence = Atomic<UInt64>(0)
    /// The newest receive time of any record reserved here (written under the reservation lock).
    let newestReceivedAt = Atomic<Int64>(Int64.min)
    /// The head offset at which the reservation path next hands this segment's older pages to
    /// `releaseCache` (see MessageLog, "Page cache"). Read and written under the reservation lock.
    var nextCacheRelease = 0
    /// Page-cache release progress, touched only by the log's serial background queue: pages
    /// below `cacheDroppedTo` were offered to the kernel for dropping; writeback was started for
    /// pages below `cacheWritebackTo`. Both start after the header page, which is never offered
    /// (`headerPageBytes`).
    private var cacheDroppedTo = Segment.headerPageBytes
    private var cacheWritebackTo = Segment.headerPageBytes

    /// The first page holds the header, which `seal` and `settle` still write when the log rolls
    /// over, under the reservation lock, long after the window has moved past it. Dropped, that
    /// page is read back from the disk by the store's page fault, behind the writeback queued for
    /// everything the window released: measured 108-174 ms with 6.4 KB summaries at 30,000
    /// msgs/s, once per 128 MiB segment, every worker waiting on the lock (wrk p99 100-550 ms).
    /// Kept, it costs one clean 4 KiB page per segment, which the kernel may still reclaim.
    static var headerPageBytes: Int { MappedRegion.pageSize }

    private init(path: String, base: UInt64, capacity: Int, isOversized: Bool, formatVersion: UInt16,
                 file: FileDescriptor, region: consuming MappedRegion) {
        self.path = path
        self.base = base
        self.capacity = capacity
        self.isOversized = isOversized
        self.formatVersion = formatVersion
        self.file = file
        self.bytes = RawBytes(base: region.baseAddress, count: capacity)
        region.adviseRandomAccess()
        self.region = region
    }

    deinit {
        file.close()
    }

    /// Creates a new segment file, preallocated, and gives it its name only once its header is
    /// written, so readers never see a half-made segment. With `spare` (of this capacity), the
    /// spare's unnamed file is used, already preallocated, and linked under the name; without,
    /// the file is made under a temporary name and renamed into place. With `durable`, the
    /// header and the directory entry are synced before this returns (sync policies other than
    /// none).
    static func create(directory: String, base: UInt64, capacity: Int, isOversized: Bool,
                       durable: Bool, spare: SpareSegmentFile? = nil) throws(LogError) -> Segment {
        let path = SegmentDirectory.path(directory, base: base)
        let spare = spare?.capacity == capacity ? spare : nil
        // Without a spare, the file is made under a temporary name and renamed into place.
        let temporary = path + ".tmp"
        // What error messages call the file until it has its name.
        let making = spare == nil ? temporary : path + " (unnamed spare)"
        let fd: FileDescriptor
        if let spare {
            fd = spare.file
        } else {
            do { fd = try FileDescriptor.open(temporary, [.readWrite, .create, .truncate]) } catch {
                throw LogError.io("create", temporary, error)
            }
        }
        do throws(LogError) {
            if spare == nil {
                do { try fd.allocate(offset: 0, length: Int64(capacity)) } catch { throw LogError.io("posix_fallocate", temporary, error) }
            }
            try writeHeaderPage(SegmentHeader(base: base, capacity: capacity, isOversized: isOversized,
                                              createdAt: wallClockNanoseconds()), to: fd, path: making)
            let region: MappedRegion
            do { region = try MappedRegion(file: fd, length: capacity, writable: true) } catch { throw LogError.io("mmap", making, error) }
            if durable {
                do { try region.synchronize(offset: 0, count: LogFormat.segmentHeaderLength) } catch { throw LogError.io("msync", making, error) }
            }
            if spare != nil {
                do { try fd.link(to: path) } catch { throw LogError.io("linkat", path, error) }
            } else {
                do { try Directory.rename(temporary, to: path) } catch { throw LogError.io("rename", temporary, error) }
            }
            if durable {
                do { try Directory.synchronize(directory) } catch { throw LogError.io("fsync", directory, error) }
            }
            return Segment(path: path, base: base, capacity: capacity, isOversized: isOversized,
                           formatVersion: LogFormat.version, file: fd, region: region)
        } catch {
            fd.close()
            if spare == nil { try? Directory.unlink(temporary) }
            throw error
        }
    }

    /// Writes the first page of a new segment file: the header, zeros after it. By `pwrite`, not
    /// through the mapping: a first store into a page of a fresh mapping faults in the kernel's
    /// whole readahead window of the file (large folios, zero-filled: the mapping is advised
    /// random only once the `Segment` exists), and on the reference VM that took 3.7-5.3 ms of
    /// every roll-over, under the reservation lock, with every worker waiting; the `pwrite`
    /// puts exactly one page into the page cache. The page stays cached (see `releaseCache`),
    /// so sealing's stores later find it.
    private static func writeHeaderPage(_ header: SegmentHeader, to fd: FileDescriptor, path: String) throws(LogError) {
        let page = UnsafeMutableRawBufferPointer.allocate(byteCount: headerPageBytes, alignment: 8)
        defer { page.deallocate() }
        page.initializeMemory(as: UInt8.self, repeating: 0)
        header.encode(into: RawBytes(base: page.baseAddress!, count: headerPageBytes))
        do { try fd.write(UnsafeRawBufferPointer(page), at: 0) } catch { throw LogError.io("pwrite", path, error) }
    }

    /// Opens an existing segment for recovery and appending. A file shorter than its header says
    /// (truncated by damage) is extended back to full size with zeros; a header that fails its
    /// checks is rewritten from the file name and size. Both repairs are returned as notes.
    static func openExisting(path: String, base: UInt64, notes: inout [String]) throws(LogError) -> Segment {
        let info = try SegmentFileInfo.read(path: path, base: base)
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, .readWrite) } catch { throw LogError.io("open", path, error) }
        do throws(LogError) {
            var header = info.header
            if let h = header, h.base != base {
                notes.append("\(path): header names base \(h.base); rewritten to match the file name")
                header = nil
            }
            let capacity: Int
            if let header {
                capacity = header.capacity
                if info.fileSize < Int64(capacity) {
                    notes.append("\(path): file is \(info.fileSize) bytes, header says \(capacity); extended with zeros")
                }
            } else {
                capacity = max(LogOptions.minimumSegmentSize, Int(info.fileSize) & ~7)
                notes.append("\(path): segment header damaged; rebuilt with capacity \(capacity)")
            }
            if info.fileSize < Int64(capacity) {
                do { try fd.allocate(offset: 0, length: Int64(capacity)) } catch { throw LogError.io("posix_fallocate", path, error) }
            }
            let region: MappedRegion
            do { region = try MappedRegion(file: fd, length: capacity, writable: true) } catch { throw LogError.io("mmap", path, error) }
            let bytes = RawBytes(base: region.baseAddress, count: capacity)
            let isOversized = header?.isOversized ?? false
            if header == nil {
                // Keep the hints area as it is: a sealed end may still be right, and it is checked before use.
                let hints = bytes.array(LogFormat.sealedEndOffset, LogFormat.segmentHeaderLength - LogFormat.sealedEndOffset)
                SegmentHeader(base: base, capacity: capacity, isOversized: false, createdAt: wallClockNanoseconds())
                    .encode(into: bytes)
                hints.withUnsafeBytes { bytes.copy(from: $0, to: LogFormat.sealedEndOffset) }
            }
            // A rebuilt header gets the current version: its records still say their own layout.
            return Segment(path: path, base: base, capacity: capacity, isOversized: isOversized,
                           formatVersion: header?.version ?? LogFormat.version, file: fd, region: region)
        } catch {
            fd.close()
            throw error
        }
    }

    // MARK: Header hints

    var hints: SegmentHints { SegmentHints.load(bytes) }

    /// Marks the segment as taking no more reservations past `end`. Runs under the reservation
    /// lock; settles at once if nothing is in flight.
    func seal(end: Int, nextSequence: UInt64) {
        sealedNextSequence.store(nextSequence, ordering: .relaxed)
        bytes.publishWord(~UInt64(end), at: LogFormat.sealedEndComplementOffset)
        bytes.publishWord(UInt64(end), at: LogFormat.sealedEndOffset)
        isSealed.store(true, ordering: .sequentiallyConsistent)
        if inFlight.load(ordering: .sequentiallyConsistent) == 0 { settle() }
    }

    /// Reopens a sealed, settled segment for appends (recovery, when it is the last one).
    func unseal() {
        bytes.publishWord(0, at: LogFormat.settledOffset)
        bytes.publishWord(0, at: LogFormat.sealedEndOffset)
        bytes.publishWord(0, at: LogFormat.sealedEndComplementOffset)
        isSealed.store(false, ordering: .sequentiallyConsistent)
    }

    /// Called after `count` reservations in this segment were published or voided.
    func finishReservations(_ count: Int) {
        let remaining = inFlight.subtract(count, ordering: .sequentiallyConsistent).newValue
        precondition(remaining >= 0, "segment \(base): more reservations finished than made")
        if remaining == 0 && isSealed.load(ordering: .sequentiallyConsistent) { settle() }
    }

    /// Writes the settled hints. Idempotent: the sealer and the last finisher may both get here.
    private func settle() {
        bytes.publishWord(sealedNextSequence.load(ordering: .relaxed), at: LogFormat.nextSequenceOffset)
        bytes.publishWord(UInt64(bitPattern: newestReceivedAt.load(ordering: .relaxed)), at: LogFormat.newestReceivedAtOffset)
        bytes.publishWord(LogFormat.settledMarker, at: LogFormat.settledOffset)
    }

    /// Records that a record received at `time` was reserved here (under the reservation lock).
    func noteReceived(_ time: Int64) {
        if time > newestReceivedAt.load(ordering: .relaxed) { newestReceivedAt.store(time, ordering: .relaxed) }
    }

    // MARK: Durability

    /// msync of a byte range of this segment (sync policy `batch`).
    func synchronize(offset: Int, count: Int) throws(LogError) {
        do { try region.synchronize(offset: offset, count: count) } catch { throw LogError.io("msync", path, error) }
    }

    /// fdatasync of the whole file (interval syncs, close, recovery).
    func synchronizeAll() throws(LogError) {
        do { try file.synchronizeData() } catch { throw LogError.io("fdatasync", path, error) }
    }

    // MARK: Appending

    /// Writes `source` at `offset` with `pwrite`: the append path (`LogAppender`). Not through
    /// the mapping, because on the reference VM the first store to each page of a shared file
    /// mapping costs a page fault with the file system's write-fault work (2.5-4.5 µs per 4 KiB
    /// page measured, against about 1 µs per page for a `pwrite` of a whole batch); the mapping
    /// (and every reader's) sees the bytes as soon as `pwrite` returns: one page cache.
    func write(_ source: UnsafeRawBufferPointer, at offset: Int) throws(LogError) {
        precondition(bytes.contains(offset, source.count), "write \(offset)+\(source.count) outside segment \(base)")
        guard source.count > 0 else { return }
        do { try file.write(source, at: Int64(offset)) } catch { throw LogError.io("pwrite", path, error) }
    }

    /// Writes zeros over `range` (page-aligned, beyond every reservation: `MessageLog.zeroPass`)
    /// in pieces of at most `zeros.count` bytes, then starts their writeback so that the blocks
    /// are plain written blocks before records land there. Returns false if a write failed (the
    /// range then stays as it was: zeros, possibly unwritten). Zero queue only.
    func writeZeros(_ range: Range<Int>, from zeros: UnsafeRawBufferPointer) -> Bool {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let count = min(zeros.count, range.upperBound - offset)
            do { try file.write(UnsafeRawBufferPointer(rebasing: zeros[0..<count]), at: Int64(offset)) } catch { return false }
            offset += count
        }
        try? file.startWriteback(offset: Int64(range.lowerBound), length: Int64(range.count), wait: false)
        return true
    }

    // MARK: Page cache

    /// Lets the kernel reuse the page-cache pages below `end` (see MessageLog, "Page cache"):
    /// waits for the writeback the previous call started and drops those pages, then starts
    /// writeback up to `end` (page-aligned down). Two steps, so the wait is usually over at
    /// once: the previous call was a step of appends ago. When the disk is slower than the
    /// appends, waiting here (a background thread, never a worker) keeps this log's writeback
    /// in flight to about one step and still drops every page it wrote; without the wait, pages
    /// still under writeback stayed cached and the next appends took fresh pages (measured,
    /// wrk, 6.4 KB summaries, `--sync none`, interleaved: 30.9-34.5 µs of server CPU per
    /// message with the wait, 32.6-35.9 without). The writer's own mapping of a range is
    /// discarded before its writeback starts: writeback write-protects every mapped page it cleans, one TLB shootdown (an IPI to the
    /// workers' cores) per page, where one `madvise` unmaps the whole range with one.
    /// Runs on the log's serial background queue only.
    func releaseCache(below end: Int) {
        let page = MappedRegion.pageSize
        if cacheWritebackTo > cacheDroppedTo {
            try? file.startWriteback(offset: Int64(cacheDroppedTo), length: Int64(cacheWritebackTo - cacheDroppedTo), wait: true)
            file.dropCachedPages(offset: Int64(cacheDroppedTo), length: Int64(cacheWritebackTo - cacheDroppedTo))
            cacheDroppedTo = cacheWritebackTo
        }
        let target = min(capacity, end) / page * page
        if target > cacheWritebackTo {
            region.discardMappings(offset: cacheWritebackTo, count: target - cacheWritebackTo)
            try? file.startWriteback(offset: Int64(cacheWritebackTo), length: Int64(target - cacheWritebackTo), wait: false)
            cacheWritebackTo = target
        }
    }

    /// After the segment was sealed and the log moved on: writes back what is still dirty,
    /// waiting for it, then offers every page but the header's for dropping (a record still in
    /// flight settles the header when it finishes). Background queue only.
    func releaseAllCache() {
        let start = Segment.headerPageBytes
        region.discardMappings(offset: start, count: capacity - start)
        try? file.startWriteback(offset: 0, length: Int64(capacity), wait: true)
        file.dropCachedPages(offset: Int64(start), length: Int64(capacity - start))
        cacheDroppedTo = capacity
        cacheWritebackTo = capacity
    }
}

/// CLOCK_REALTIME in nanoseconds since the Unix epoch.
func wallClockNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
