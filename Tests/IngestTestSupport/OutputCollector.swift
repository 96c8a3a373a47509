import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Collects, in order, what a child process writes into one pipe (its standard error), and
/// tells when everything it wrote has been collected.
///
/// After the child exited, "everything" is: end of file on the pipe; or, when end of file does
/// not come because another process still holds the pipe's write end (a descriptor inherited by
/// a process started at the same moment), an empty pipe while no read is in progress. A read is
/// marked in progress before it takes bytes out of the pipe and until they are appended, so an
/// empty pipe with no read in progress means nothing written is still in flight.
public final class OutputCollector: @unchecked Sendable {
    /// Give this to `Process.standardError` (or `standardOutput`).
    public let pipe = Pipe()
    private let lock = NSLock()
    private var collected = Data()
    private var ended = false
    private var reading = false

    public init() {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            guard let self else { return }
            self.lock.lock(); self.reading = true; self.lock.unlock()
            let chunk = handle.availableData
            self.lock.lock()
            if chunk.isEmpty { self.ended = true } else { self.collected.append(chunk) }
            self.reading = false
            self.lock.unlock()
            if chunk.isEmpty { handle.readabilityHandler = nil }
        }
    }

    deinit { pipe.fileHandleForReading.readabilityHandler = nil }

    /// What was collected so far, as UTF-8 text.
    public var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Call after the writer exited: waits (up to `timeout` seconds) until every byte it wrote
    /// is in `text`.
    public func awaitEverything(timeout: Double = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // The pipe is looked at before the flag: bytes not yet taken show here, bytes taken
            // but not yet appended show as `reading`.
            var unread: Int32 = 0
            let queried = ioctl(pipe.fileHandleForReading.fileDescriptor, UInt(FIONREAD), &unread) == 0
            lock.lock(); let done = ended || (queried && unread == 0 && !reading); lock.unlock()
            if done { return }
            usleep(2_000)
        }
    }
}
