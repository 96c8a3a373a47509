#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// A temporary file for a chunked body too large to stage in memory. It is unlinked as soon as
/// it is created, so closing the descriptor (or a crash) deletes it.
enum SpillFile {
    static func create(in directory: String) throws(Errno) -> FileDescriptor {
        var template = Array("\(directory)/.spill-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw Errno.current }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        return FileDescriptor(rawValue: fd)
    }
}
