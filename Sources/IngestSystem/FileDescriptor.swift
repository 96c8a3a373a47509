#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// An open file descriptor. A plain value: whoever created it closes it exactly once.
///
/// The owner types above this layer (connections, segments, listeners) hold one and close it
/// in exactly one place; this type itself does not track ownership.
public struct FileDescriptor: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public struct OpenFlags: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readOnly = OpenFlags([])
        public static let writeOnly = OpenFlags(rawValue: O_WRONLY)
        public static let readWrite = OpenFlags(rawValue: O_RDWR)
        public static let create = OpenFlags(rawValue: O_CREAT)
        public static let exclusive = OpenFlags(rawValue: O_EXCL)
        public static let truncate = OpenFlags(rawValue: O_TRUNC)
        public static let append = OpenFlags(rawValue: O_APPEND)
        public static let directory = OpenFlags(rawValue: O_DIRECTORY)
        public static let closeOnExec = OpenFlags(rawValue: O_CLOEXEC)
    }

    /// The corresponding C function is `open`. `O_CLOEXEC` is always added.
    public static func open(_ path: String, _ flags: OpenFlags, mode: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        let fd = try syscall { Glibc.open(path, flags.union(.closeOnExec).rawValue, mode) }
        return FileDescriptor(rawValue: fd)
    }

    /// Opens an unnamed regular file in `directory` for reading and writing (`O_TMPFILE`): no
    /// directory entry is made, so the directory is not locked while the file system allocates
    /// the inode; `link(to:)` names it later. Fails with `EOPNOTSUPP` (or `EISDIR`, `EINVAL`)
    /// on file systems without unnamed files. The corresponding C function is `open`.
    public static func openUnnamed(inDirectory directory: String, mode: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Swift does not import the composite macro.
        let unnamed: Int32 = 0o20000000 | O_DIRECTORY
        let fd = try syscall { Glibc.open(directory, unnamed | O_RDWR | O_CLOEXEC, mode) }
        return FileDescriptor(rawValue: fd)
    }

    /// Gives a file opened with `openUnnamed` the name `path` (in the same file system); fails
    /// with `EEXIST` if the name is taken. Through `/proc/self/fd`, which needs no privilege
    /// (`AT_EMPTY_PATH` would). The corresponding C function is `linkat`.
    public func link(to path: String) throws(Errno) {
        _ = try syscall { Glibc.linkat(AT_FDCWD, "/proc/self/fd/\(rawValue)", AT_FDCWD, path, AT_SYMLINK_FOLLOW) }
    }

    /// The corresponding C function is `close`. `EINTR` is not retried: on Linux the
    /// descriptor is released even when `close` reports it.
    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Reads up to `buffer.count` bytes. Returns 0 at end of file, `nil` if it would block.
    /// The corresponding C function is `read`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        try nonBlockingSyscall { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes up to `buffer.count` bytes; returns how many, or `nil` if it would block.
    /// The corresponding C function is `write`.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        try nonBlockingSyscall { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes all of `buffer` to a blocking descriptor (files, pipes in tools).
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < buffer.count {
            let n = try syscall { Glibc.write(rawValue, buffer.baseAddress! + offset, buffer.count - offset) }
            offset += n
        }
    }

    /// Positional read; the corresponding C function is `pread`.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(Errno) -> Int {
        try syscall { Glibc.pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Positional write of all of `buffer` at `offset` (retrying short writes and `EINTR`); the
    /// corresponding C function is `pwrite`. Other descriptors sharing the file see the bytes at
    /// once, including every `MAP_SHARED` mapping of it (one page cache).
    public func write(_ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(Errno) {
        var done = 0
        while done < buffer.count {
            let n = try syscall { Glibc.pwrite(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done)) }
            if n == 0 { throw Errno.noSpace }
            done += n
        }
    }

    /// The corresponding C function is `fstat`; returns the size in bytes.
    public func size() throws(Errno) -> Int64 {
        var st = stat()
        _ = try syscall { fstat(rawValue, &st) }
        return Int64(st.st_size)
    }

    /// Sets the file's size; the corresponding C function is `ftruncate`.
    public func truncate(to size: Int64) throws(Errno) {
        _ = try syscall { ftruncate(rawValue, off_t(size)) }
    }

    /// Reserves disk blocks so later writes through a mapping cannot fail with `SIGBUS` for lack
    /// of space. The corresponding C function is `posix_fallocate` (which returns the error
    /// instead of setting `errno`).
    public func allocate(offset: Int64, length: Int64) throws(Errno) {
        while true {
            let rc = posix_fallocate(rawValue, off_t(offset), off_t(length))
            if rc == 0 { return }
            if rc == EINTR { continue }
            throw Errno(rawValue: rc)
        }
    }

    /// Flushes file data (and the metadata needed to read it) to stable storage.
    /// The corresponding C function is `fdatasync`.
    public func synchronizeData() throws(Errno) {
        _ = try syscall { fdatasync(rawValue) }
    }

    /// Starts writing back the dirty pages of a range (`SYNC_FILE_RANGE_WRITE`), and with `wait`
    /// also waits for writeback already in progress there before and for the new writeback after
    /// (`SYNC_FILE_RANGE_WAIT_BEFORE | _WRITE | _WAIT_AFTER`). No durability promise: no disk
    /// cache flush, no metadata. The corresponding C function is `sync_file_range`.
    public func startWriteback(offset: Int64, length: Int64, wait: Bool) throws(Errno) {
        let flags: UInt32 = wait ? 7 : 2   // WAIT_BEFORE 1 | WRITE 2 | WAIT_AFTER 4
        _ = try syscall { cl_sync_file_range(rawValue, offset, length, flags) }
    }

    /// Asks the kernel to drop the range's clean page-cache pages that no process maps
    /// (`POSIX_FADV_DONTNEED`); dirty, locked and mapped pages stay. A hint: never an error.
    /// The corresponding C function is `posix_fadvise`.
    public func dropCachedPages(offset: Int64, length: Int64) {
        _ = posix_fadvise(rawValue, off_t(offset), off_t(length), POSIX_FADV_DONTNEED)
    }

    /// The corresponding C function is `fsync`.
    public func synchronize() throws(Errno) {
        _ = try syscall { fsync(rawValue) }
    }

    /// Makes the descriptor non-blocking (`fcntl(F_SETFL, O_NONBLOCK)`).
    public func setNonBlocking() throws(Errno) {
        let flags = try syscall { fcntl(rawValue, F_GETFL) }
        _ = try syscall { fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) }
    }
}
