import IngestSystem

/// One segment file mapped read-only by a reader (`LogReader`, `verifyLog`), possibly while a
/// writer process appends to it.
///
/// The mapping covers the file's size when it was opened (never more, so a damaged, shortened
/// file cannot raise SIGBUS). A file is never shortened while the log is in use: recovery
/// zeroes bytes instead of truncating, and retention deletes whole files, which leaves an
/// existing mapping valid.
final class ReaderSegment {
    let path: String
    let base: UInt64
    /// The header's immutable part, or nil if it is damaged (then `base` comes from the name).
    let header: SegmentHeader?
    /// Bytes mapped: the header's capacity, or less if the file is shorter.
    let length: Int
    let bytes: RawBytes
    private let region: MappedRegion

    private init(path: String, base: UInt64, header: SegmentHeader?, length: Int, region: consuming MappedRegion) {
        self.path = path
        self.base = base
        self.header = header
        self.length = length
        self.bytes = RawBytes(base: region.baseAddress, count: length)
        self.region = region
    }

    var name: String { LogFormat.segmentName(base: base) }

    /// Maps the segment; nil if the file no longer exists (retention deleted it) or is too short
    /// to hold a header. Problems with the header go to `notes`.
    static func open(path: String, base: UInt64, notes: inout [String]) throws(LogError) -> ReaderSegment? {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, .readOnly) } catch {
            if error == .noSuchFile { return nil }
            throw LogError.io("open", path, error)
        }
        defer { fd.close() }
        let size: Int
        do { size = Int(try fd.size()) } catch { throw LogError.io("fstat", path, error) }
        let name = LogFormat.segmentName(base: base)
        guard size >= LogFormat.segmentHeaderLength else {
            notes.append("\(name): file is only \(size) bytes, no segment header")
            return nil
        }
        let region: MappedRegion
        do { region = try MappedRegion(file: fd, length: size, writable: false) } catch { throw LogError.io("mmap", path, error) }
        var header = SegmentHeader.decode(RawBytes(base: region.baseAddress, count: size))
        if let h = header, h.base != base {
            notes.append("\(name): header names base \(h.base)")
            header = nil
        } else if header == nil {
            notes.append("\(name): segment header damaged")
        }
        var length = size
        if let h = header {
            if size < h.capacity { notes.append("\(name): file is \(size) bytes, header says \(h.capacity)") }
            length = min(size, h.capacity)
        }
        length &= ~7
        return ReaderSegment(path: path, base: base, header: header, length: length, region: region)
    }

    /// Hands the pages of this segment to the kernel once a reader has read past it: drops
    /// this mapping's pages, then the page-cache pages nobody else maps (clean ones only: the
    /// kernel never drops data it has not written back). Every page but the header's, which a
    /// writer still finishing a record may store into (see `Segment.releaseAllCache`).
    ///
    /// Why: a reader over a long log (`read`, `verify`) otherwise fills the
    /// page cache with the whole log, and the next appends or reads take fresh pages instead of
    /// reusing these. On a VM whose balloon reports free memory to the host, that memory then
    /// goes back to the host in bursts, and those bursts stall the virtual disk: measured on the
    /// reference VM, freeing 3 GiB right before a `--sync batch` run made fdatasync rounds of
    /// 77-256 ms every ~2 s (p99.9 275-310 ms, against 10-17 ms after a run that freed
    /// little). Reading a passed segment again later comes from the disk, which is correct,
    /// only slower.
    func releaseCache() {
        let start = Segment.headerPageBytes
        guard length > start else { return }
        region.discardMappings(offset: start, count: length - start)
        guard let fd = try? FileDescriptor.open(path, .readOnly) else { return }
        fd.dropCachedPages(offset: Int64(start), length: Int64(length - start))
        fd.close()
    }

    /// Where records end for now: the sealed end if the segment is sealed (and the value is
    /// plausible), else the mapped length. `isSealed` says which.
    func currentLimit() -> (limit: Int, isSealed: Bool) {
        let hints = SegmentHints.load(bytes)
        if let sealed = hints.validSealedEnd(capacity: length) { return (sealed, true) }
        return (length, false)
    }
}
