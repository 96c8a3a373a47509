#if canImport(Glibc)
import Glibc
#endif

/// Directory operations: listing, creating, renaming, unlinking, and making a directory's
/// entries durable. Paths are plain strings; these are cold-path calls (start-up, segment
/// roll-over, retention), so they allocate freely.
public enum Directory {
    /// Creates `path` and any missing parents (`mkdir -p`). An existing directory is fine.
    /// The corresponding C function is `mkdir`.
    public static func create(_ path: String, mode: mode_t = 0o755) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += component
            if Glibc.mkdir(prefix, mode) != 0 {
                let error = Errno.current
                if error != .fileExists { throw error }
            }
            prefix += "/"
        }
    }

    /// The names in `path` (without "." and ".."), in no particular order.
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    public static func entries(_ path: String) throws(Errno) -> [String] {
        guard let stream = opendir(path) else { throw Errno.current }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Atomically replaces `to` with `from` (same file system). The corresponding C function is `rename`.
    public static func rename(_ from: String, to: String) throws(Errno) {
        _ = try syscall { Glibc.rename(from, to) }
    }

    /// Removes a file name. The corresponding C function is `unlink`.
    public static func unlink(_ path: String) throws(Errno) {
        _ = try syscall { Glibc.unlink(path) }
    }

    /// Makes the directory's entries (files created, renamed or removed in it) durable.
    /// The corresponding C functions are `open(O_DIRECTORY)` and `fsync`.
    public static func synchronize(_ path: String) throws(Errno) {
        let fd = try FileDescriptor.open(path, [.readOnly, .directory])
        defer { fd.close() }
        try fd.synchronize()
    }

    /// Whether `path` names an existing file or directory. The corresponding C function is `access`.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

extension FileDescriptor {
    /// Takes an advisory whole-file lock without waiting: exclusive for a writer, shared for an
    /// observer. Returns false if another open file description holds a conflicting lock.
    ///
    /// `flock` locks belong to the open file description, so two descriptors opened separately
    /// conflict even inside one process (tests rely on this), and the lock vanishes when the
    /// holder's descriptor is closed, including when the process is killed.
    /// The corresponding C function is `flock`.
    public func tryLock(exclusive: Bool) throws(Errno) -> Bool {
        let operation = (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB
        while true {
            if flock(rawValue, operation) == 0 { return true }
            let error = Errno.current
            if error == .interrupted { continue }
            if error == .wouldBlock { return false }
            throw error
        }
    }

    /// Releases a lock taken with `tryLock`. The corresponding C function is `flock(LOCK_UN)`.
    public func unlock() {
        _ = flock(rawValue, LOCK_UN)
    }
}
