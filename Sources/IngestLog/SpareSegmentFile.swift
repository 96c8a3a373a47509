import Glibc
import IngestSystem

/// The next segment's file, made ahead of need on a background queue so that a roll-over (which
/// runs under the reservation lock, every worker waiting) only writes a header and names it.
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
/// Unnamed: opened with `O_TMPFILE` in the log folder, so it has no directory entry until
/// `Segment.create(..., spare:)` links it under the segment's name. A process that dies leaves
/// no file behind (the kernel frees an unnamed file at its last close; after a system crash the
/// file system reclaims it when mounted or checked). Why unnamed: a named create holds the
/// folder's lock while the file system allocates the inode, which can wait for a disk read; on the reference VM under 200 MB/s of
/// log writes, a roll-over's `rename` of the former named spare waited 1.03 s for the folder
/// behind the next spare's create, with every worker waiting on the reservation lock.
/// Ownership: `MessageLog` holds at most `MessageLog.sparesAhead`; `Segment.create(..., spare:)`
/// takes one's descriptor, or `discard()` closes it (the file system frees an unnamed file at
/// its last close).
final class SpareSegmentFile: @unchecked Sendable {
    let file: FileDescriptor
    let capacity: Int

    private init(file: FileDescriptor, capacity: Int) {
        self.file = file
        self.capacity = capacity
    }

    /// Creates and preallocates the unnamed file.
    static func prepare(directory: String, capacity: Int) throws(LogError) -> SpareSegmentFile {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.openUnnamed(inDirectory: directory) } catch { throw LogError.io("open(O_TMPFILE)", directory, error) }
        do { try fd.allocate(offset: 0, length: Int64(capacity)) } catch {
            fd.close()
            throw LogError.io("posix_fallocate", directory + " (unnamed spare)", error)
        }
        return SpareSegmentFile(file: fd, capacity: capacity)
    }

    /// Whether an unnamed file can be linked here: `FileDescriptor.link(to:)` needs `/proc`.
    static let canBeNamed = Directory.exists("/proc/self/fd")

    /// Whether `prepare` failed because the log folder's file system has no unnamed files
    /// (`O_TMPFILE`: ext4, XFS, Btrfs and tmpfs have them; some network file systems do not).
    static func isUnsupported(_ error: LogError) -> Bool {
        guard case .io(let operation, _, let errno) = error, operation == "open(O_TMPFILE)" else { return false }
        return errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL
    }

    /// Closes the file, which frees it (the log closed without needing it).
    func discard() {
        file.close()
    }
}
