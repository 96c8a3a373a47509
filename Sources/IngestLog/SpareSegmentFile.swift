import IngestSystem

/// The next segment's file, made ahead of need on a background queue so that a roll-over (which
/// runs under the reservation lock, every worker waiting) only writes a header and renames it.
///
/// Preallocated only, never filled with zeros. An earlier version wrote zeros over it through
/// `O_DIRECT` under durable sync policies, so that `fdatasync` would find written extents (no
/// extent conversion and journal commit per round: a lone pwrite+fdatasync took 250 µs instead
/// of 300-400 µs). In the server it cost more than it saved: a page of a written extent that is
/// not cached must be read from the disk before a store into the mapping or a partial-page
/// `pwrite` can change it, while a page of an unwritten extent is simply zeroed in memory; and
/// the 128 MiB of zeros competed with the group's flushes. Measured on the reference VM, 2
/// workers, 64 connections, `--sync batch`, segments of 32-64 MiB so that several spares were
/// used: small events 26,812-27,677 msgs/s with zeros, 33,852-36,571 without; 6.4 KB summaries
/// 14,620-15,523 with, 16,851-17,932 without; p99 7.8-8.1 ms against 3.8-4.4 ms. What the
/// zero-fill was for is now done a few MiB ahead of the head, through the page cache
/// (`MessageLog`, "Zeros ahead").
///
/// Names: `spare.log.tmp` and `spare-1.log.tmp` in the log folder, which readers ignore and
/// recovery deletes (they end in `.log.tmp`, like a segment whose creation was cut short).
/// Ownership: `MessageLog` holds at most `MessageLog.sparesAhead`; `Segment.create(..., spare:)`
/// takes one's descriptor, or `discard()` deletes it.
final class SpareSegmentFile: @unchecked Sendable {
    /// The oldest ready spare has the first name whenever it was free when the spare was made.
    static let names = ["spare.log.tmp", "spare-1.log.tmp"]
    static var name: String { names[0] }

    let name: String
    let path: String
    let file: FileDescriptor
    let capacity: Int

    private init(name: String, path: String, file: FileDescriptor, capacity: Int) {
        self.name = name
        self.path = path
        self.file = file
        self.capacity = capacity
    }

    /// Creates and preallocates the file.
    static func prepare(directory: String, name: String, capacity: Int) throws(LogError) -> SpareSegmentFile {
        let path = directory + "/" + name
        try? Directory.unlink(path)
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, [.readWrite, .create, .truncate]) } catch { throw LogError.io("create", path, error) }
        do { try fd.allocate(offset: 0, length: Int64(capacity)) } catch {
            fd.close()
            try? Directory.unlink(path)
            throw LogError.io("posix_fallocate", path, error)
        }
        return SpareSegmentFile(name: name, path: path, file: fd, capacity: capacity)
    }

    /// Deletes the file (the log closed without needing it).
    func discard() {
        file.close()
        try? Directory.unlink(path)
    }
}
