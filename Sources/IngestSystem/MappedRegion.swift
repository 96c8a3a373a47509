#if canImport(Glibc)
import Glibc
#endif

/// A `MAP_SHARED` mapping of a file, unmapped exactly once when the owner goes away.
///
/// Ownership: `~Copyable`, so a mapping cannot be unmapped twice or used after `munmap`; the
/// owning type (a log segment, a reader's view of one) decides its lifetime. The base address
/// is handed out raw because the owner builds its own bounds-checked view on top; nothing
/// else should keep it past the owner's lifetime.
///
/// Crash behaviour: with `MAP_SHARED`, every store is in the kernel's page cache as soon as it
/// is made, so it survives `kill -9` of the process. Surviving power loss needs `synchronize`.
///
/// SIGBUS: touching a page that lies wholly beyond the file's end raises SIGBUS, so callers map
/// no more than the file's current size and never shrink a file that someone has mapped.
public struct MappedRegion: ~Copyable, @unchecked Sendable {
    /// The first byte of the mapping (page-aligned).
    public let baseAddress: UnsafeMutableRawPointer
    /// The mapped length in bytes, as requested (the kernel rounds up to whole pages).
    public let length: Int
    public let isWritable: Bool

    /// The kernel's page size (`sysconf(_SC_PAGESIZE)`), read once.
    public static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `length` bytes of `file` from offset 0, shared with every other mapping of the file.
    /// The corresponding C function is `mmap`.
    public init(file: FileDescriptor, length: Int, writable: Bool) throws(Errno) {
        precondition(length > 0, "cannot map an empty region")
        let protection = writable ? (PROT_READ | PROT_WRITE) : PROT_READ
        let address = mmap(nil, length, protection, MAP_SHARED, file.rawValue, 0)
        guard let address, Int(bitPattern: address) != -1 else { throw Errno.current }
        self.baseAddress = address
        self.length = length
        self.isWritable = writable
    }

    deinit {
        munmap(baseAddress, length)
    }

    /// Writes the pages covering `offset ..< offset + count` to stable storage and waits
    /// (`msync(MS_SYNC)`), including the file metadata needed to read them back (on Linux this is
    /// `fdatasync` limited to the range). The range is widened to whole pages.
    /// The corresponding C function is `msync`.
    public func synchronize(offset: Int, count: Int) throws(Errno) {
        precondition(offset >= 0 && count >= 0 && offset + count <= length, "msync range outside the mapping")
        if count == 0 { return }
        let page = MappedRegion.pageSize
        let start = offset / page * page
        let end = min(length, offset + count)
        _ = try syscall { msync(baseAddress + start, end - start, MS_SYNC) }
    }

    /// Prefaults the pages covering the range as writable without changing their contents
    /// (`MADV_POPULATE_WRITE`, Linux 5.14+), so the page faults happen here rather than later under
    /// a lock (the duplicate index). Returns false when the kernel does not support it (nothing
    /// happened). The corresponding C function is `madvise`.
    @discardableResult
    public func populateForWriting(offset: Int, count: Int) -> Bool {
        adviseRange(offset: offset, count: count, advice: 23 /* MADV_POPULATE_WRITE */)
    }

    /// Turns off readahead for page faults in this mapping (`MADV_RANDOM`): a fault then brings in
    /// only the page touched. For a writer that fills the file with `pwrite` and stores only a
    /// few words through the mapping, readahead would allocate and zero the pages ahead of the
    /// write position (unwritten blocks read as zeros), work the next `pwrite` makes useless.
    /// The corresponding C function is `madvise`.
    public func adviseRandomAccess() {
        _ = adviseRange(offset: 0, count: length, advice: MADV_RANDOM)
    }

    /// Drops this mapping's page-table entries for the range (`MADV_DONTNEED`). For a shared file
    /// mapping nothing is lost: the data stays in the page cache (and the file), and the next
    /// access maps it again. Done so that page-cache pages nobody maps any more can be dropped
    /// (`FileDescriptor.dropCachedPages`); the kernel keeps a page cached while any mapping has
    /// it. The corresponding C function is `madvise`.
    public func discardMappings(offset: Int, count: Int) {
        _ = adviseRange(offset: offset, count: count, advice: MADV_DONTNEED)
    }

    private func adviseRange(offset: Int, count: Int, advice: Int32) -> Bool {
        precondition(offset >= 0 && count >= 0 && offset + count <= length, "madvise range outside the mapping")
        let page = MappedRegion.pageSize
        let start = offset / page * page
        let end = min((offset + count + page - 1) / page * page, (length + page - 1) / page * page)
        if end <= start { return true }
        while true {
            if madvise(baseAddress + start, end - start, advice) == 0 { return true }
            if Errno.current == .interrupted || Errno.current == .wouldBlock { continue }
            return false
        }
    }
}
