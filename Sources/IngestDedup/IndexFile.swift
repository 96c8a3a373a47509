#if canImport(Glibc)
import Glibc
#endif
import CLinux
import IngestSystem

/// The fixed part of the index header: what the file was made for.
struct IndexGeometry: Equatable, Sendable {
    var slotCount: Int
    var capacity: Int
    var bucketLength: Int64
    var bucketsPerWindow: UInt32

    init(options: DedupOptions) {
        slotCount = IndexFormat.slotCount(capacity: options.capacity)
        capacity = options.capacity
        bucketLength = options.bucketLength
        bucketsPerWindow = IndexFormat.bucketsPerWindow
    }

    init(slotCount: Int, capacity: Int, bucketLength: Int64, bucketsPerWindow: UInt32) {
        self.slotCount = slotCount
        self.capacity = capacity
        self.bucketLength = bucketLength
        self.bucketsPerWindow = bucketsPerWindow
    }
}

/// The index file: created or opened, preallocated, mapped shared, and its header fields.
///
/// Ownership: owns the descriptor and the mapping; `table` and the header accessors are views
/// valid while this object lives. Header words are read and written at fixed offsets inside the
/// first page only (checked by preconditions); the slots are reached only through `table`.
final class IndexFile: @unchecked Sendable {
    let path: String
    let geometry: IndexGeometry
    private let file: FileDescriptor
    private let region: MappedRegion
    /// The header words and the slots, as plain views (no reference counting on the hot path).
    let mapped: MappedIndex

    var table: SlotTable { mapped.table }

    private init(path: String, geometry: IndexGeometry, file: FileDescriptor, region: consuming MappedRegion) {
        self.path = path
        self.geometry = geometry
        self.file = file
        mapped = MappedIndex(header: HeaderWords(base: region.baseAddress),
                             table: SlotTable(base: region.baseAddress + IndexFormat.headerLength, count: geometry.slotCount))
        self.region = region
    }

    deinit {
        file.close()
    }

    enum OpenOutcome {
        case opened(IndexFile)
        case missing
        /// The file exists but cannot be used as it is: why.
        case unusable(String)
    }

    /// Opens an existing index made for `geometry`.
    static func open(path: String, geometry wanted: IndexGeometry) throws(DedupError) -> OpenOutcome {
        guard Directory.exists(path) else { return .missing }
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, .readWrite) } catch { throw DedupError.io("open", path, error) }
        var keep = false
        defer { if !keep { fd.close() } }
        let size: Int64
        do { size = try fd.size() } catch { throw DedupError.io("fstat", path, error) }
        guard size >= Int64(IndexFormat.headerLength) else { return .unusable("file is \(size) bytes, shorter than its header") }
        var header = [UInt8](repeating: 0, count: IndexFormat.fixedChecksummedLength + 4)
        let got: Int
        do {
            got = try header.withUnsafeMutableBytes { buffer throws(Errno) -> Int in try fd.read(into: buffer, at: 0) }
        } catch let error as Errno {
            throw DedupError.io("pread", path, error)
        } catch {
            throw DedupError.log("pread \(path): \(error)")
        }
        guard got == header.count else { return .unusable("header unreadable") }
        let found: IndexGeometry
        switch header.withUnsafeBytes({ IndexFile.decodeFixed($0) }) {
        case .failure(let reason): return .unusable(reason.description)
        case .success(let geometry): found = geometry
        }
        guard found == wanted else {
            return .unusable("it was made for capacity \(found.capacity) and buckets of \(found.bucketLength / 1_000_000_000) s; "
                             + "now capacity \(wanted.capacity), buckets of \(wanted.bucketLength / 1_000_000_000) s")
        }
        let length = IndexFormat.fileLength(slotCount: found.slotCount)
        guard size == Int64(length) else { return .unusable("file is \(size) bytes, its header says \(length)") }
        let region: MappedRegion
        do { region = try MappedRegion(file: fd, length: length, writable: true) } catch { throw DedupError.io("mmap", path, error) }
        keep = true
        return .opened(IndexFile(path: path, geometry: found, file: fd, region: region))
    }

    /// Creates (or replaces) an empty index for `geometry`: every slot zero, state RUNNING.
    static func create(path: String, geometry: IndexGeometry) throws(DedupError) -> IndexFile {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, [.readWrite, .create, .truncate]) } catch { throw DedupError.io("create", path, error) }
        do throws(DedupError) {
            let length = IndexFormat.fileLength(slotCount: geometry.slotCount)
            do { try fd.allocate(offset: 0, length: Int64(length)) } catch { throw DedupError.io("posix_fallocate", path, error) }
            let region: MappedRegion
            do { region = try MappedRegion(file: fd, length: length, writable: true) } catch { throw DedupError.io("mmap", path, error) }
            let index = IndexFile(path: path, geometry: geometry, file: fd, region: region)
            index.writeFixed()
            return index
        } catch {
            fd.close()
            throw error
        }
    }

    // MARK: Header

    private static func decodeFixed(_ bytes: UnsafeRawBufferPointer) -> Result<IndexGeometry, FixedHeaderProblem> {
        func load<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T { T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        guard load(0, UInt64.self) == IndexFormat.magic else { return .failure("not an index file (bad magic)") }
        guard load(8, UInt32.self) == IndexFormat.version else { return .failure("unknown version \(load(8, UInt32.self))") }
        guard load(12, UInt32.self) == UInt32(IndexFormat.headerLength),
              cl_crc32c(0, bytes.baseAddress!, IndexFormat.fixedChecksummedLength) == load(IndexFormat.fixedChecksumOffset, UInt32.self)
        else { return .failure("header checksum does not match") }
        let slots = load(16, UInt64.self), capacity = load(24, UInt64.self), bucket = load(32, Int64.self)
        guard slots >= 2, slots <= 1 << 40, capacity <= 1 << 40, bucket > 0 else { return .failure("header values out of range") }
        return .success(IndexGeometry(slotCount: Int(slots), capacity: Int(capacity), bucketLength: bucket,
                                      bucketsPerWindow: load(40, UInt32.self)))
    }

    private func writeFixed() {
        store(IndexFormat.magic, at: 0)
        store(IndexFormat.version, at: 8)
        store(UInt32(IndexFormat.headerLength), at: 12)
        store(UInt64(geometry.slotCount), at: 16)
        store(UInt64(geometry.capacity), at: 24)
        store(geometry.bucketLength, at: 32)
        store(geometry.bucketsPerWindow, at: 40)
        store(cl_crc32c(0, region.baseAddress, IndexFormat.fixedChecksummedLength), at: IndexFormat.fixedChecksumOffset)
    }

    func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T { mapped.header.load(offset, as: type) }
    func store<T: FixedWidthInteger>(_ value: T, at offset: Int) { mapped.header.store(value, at: offset) }

    /// CRC32C of the header's state part (bytes 64..<120).
    func stateChecksum() -> UInt32 {
        let range = IndexFormat.stateChecksummedRange
        return cl_crc32c(0, region.baseAddress + range.lowerBound, range.count)
    }

    // MARK: Memory and durability

    /// Faults every page of the table in, writable, in pieces of 128 KiB (so the process's
    /// memory-map lock is never held long), before the log takes commits: page-cache pages are
    /// allocated (zeroed, for a new file) or read from disk, and marked dirty, so the calls under
    /// the log's lock take no page fault. (Prefaulting for reading only, as the log does for its
    /// segments, leaves a write-protect fault on the first write to each page: with a
    /// 10-million-entry index reopened, nearly every insertion took one, under the lock; see
    /// `connect-bench micro --only dedup`.) The price is I/O: every page is dirty, so the kernel
    /// writes the whole file back after a start, and a clean close waits for that. After
    /// write-back the kernel write-protects a page again, so a page that keeps changing takes one
    /// light fault per write-back interval (~30 s).
    func prefault() {
        let end = region.length
        var position = IndexFormat.headerLength
        while position < end {
            let piece = min(128 << 10, end - position)
            if !region.populateForWriting(offset: position, count: piece) {
                // Kernels before 5.14: touch one byte per page (a read fault, then a write fault).
                var page = position
                while page < position + piece {
                    let byte = region.baseAddress.load(fromByteOffset: page, as: UInt8.self)
                    region.baseAddress.storeBytes(of: byte, toByteOffset: page, as: UInt8.self)
                    page += MappedRegion.pageSize
                }
            }
            position += piece
        }
    }

    /// Writes the header page to disk and waits.
    func synchronizeHeader() throws(DedupError) {
        do { try region.synchronize(offset: 0, count: IndexFormat.headerLength) } catch { throw DedupError.io("msync", path, error) }
    }

    /// Writes every dirty page to disk and waits.
    func synchronizeAll() throws(DedupError) {
        do { try file.synchronizeData() } catch { throw DedupError.io("fdatasync", path, error) }
    }
}

/// The words of the index header (first page of the mapping), read and written at fixed offsets
/// checked against the header's length. A non-owning view: `IndexFile` keeps the mapping alive.
struct HeaderWords: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    @inline(__always)
    func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= IndexFormat.headerLength, "header offset \(offset)")
        return T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= IndexFormat.headerLength, "header offset \(offset)")
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}

/// The two views of a loaded index that the calls use.
struct MappedIndex: @unchecked Sendable {
    let header: HeaderWords
    let table: SlotTable
}

/// A header problem, as the reason a start rebuilds the index.
struct FixedHeaderProblem: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation, CustomStringConvertible {
    let description: String
    init(stringLiteral value: String) { description = value }
    init(stringInterpolation: DefaultStringInterpolation) { description = String(stringInterpolation: stringInterpolation) }
}

/// A failure of the index's file operations (`serve` reports it and stops).
public enum DedupError: Error, CustomStringConvertible {
    case io(String, String, Errno)
    case log(String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let errno): "\(operation) \(path): \(errno)"
        case .log(let text): text
        }
    }
}
