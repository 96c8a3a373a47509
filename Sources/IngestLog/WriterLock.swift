#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// The `LOCK` file of a log directory, held with `flock(LOCK_EX)` by the one writer process for
/// as long as it runs. The kernel drops it when the process dies however it dies, so readers
/// use it to tell "a record still being written" from "a record abandoned by a crash".
///
/// Ownership: the writer's `MessageLog` owns one and releases it in `close()` (or deinit).
final class WriterLock: @unchecked Sendable {
    private let fd: FileDescriptor
    private var held = true

    private init(fd: FileDescriptor) { self.fd = fd }

    static func path(_ directory: String) -> String { directory + "/LOCK" }

    /// Takes the lock, retrying for about two seconds: a reader checking for a writer holds a
    /// shared lock for a few microseconds, which must not make a starting server fail.
    static func acquire(directory: String) throws(LogError) -> WriterLock {
        let path = path(directory)
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, [.readWrite, .create], mode: 0o644) } catch {
            throw LogError.io("open", path, error)
        }
        for _ in 0..<200 {
            let locked: Bool
            do { locked = try fd.tryLock(exclusive: true) } catch {
                fd.close()
                throw LogError.io("flock", path, error)
            }
            if locked { return WriterLock(fd: fd) }
            usleep(10_000)
        }
        fd.close()
        throw LogError.logInUse(directory: directory)
    }

    func release() {
        guard held else { return }
        held = false
        fd.unlock()
        fd.close()
    }

    deinit { release() }
}

/// A reader's way to ask whether a writer process currently holds a log's `LOCK`.
///
/// Thread affinity: one reader's, like the reader itself.
final class WriterPresence {
    private let path: String
    private var fd: FileDescriptor?

    init(directory: String) { self.path = WriterLock.path(directory) }

    deinit { fd?.close() }

    /// True while some process holds the writer lock. Takes and drops a shared lock to find out.
    func writerIsAlive() -> Bool {
        if fd == nil {
            fd = try? FileDescriptor.open(path, .readOnly)
            if fd == nil { return false }   // no LOCK file: no writer has ever run here
        }
        guard let fd, let acquired = try? fd.tryLock(exclusive: false) else { return false }
        if acquired { fd.unlock() }
        return !acquired
    }
}
