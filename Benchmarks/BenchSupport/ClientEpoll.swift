#if canImport(Glibc)
import Glibc
#endif
import CLinux
import IngestSystem

/// One client thread's epoll instance.
///
/// Waits use `epoll_pwait2`, whose timeout is a `timespec`: open-loop arrivals are due at exact
/// nanosecond times, and `epoll_wait`'s whole-millisecond timeout would add up to 1 ms of
/// lateness to every measured latency. (Linux 5.11 and later; on older kernels the wait falls
/// back to `epoll_wait` with the timeout rounded up to whole milliseconds.)
///
/// Owned and used by exactly one thread; `close()` once when the thread is done.
/// Registrations are edge-triggered for `IN | OUT | RDHUP`, made once per socket, never
/// modified: the loop always reads and writes until `EAGAIN`, so it needs no interest changes.
struct ClientEpoll {
    let epoll: FileDescriptor
    private var hasPwait2 = true

    init() throws(Errno) {
        epoll = FileDescriptor(rawValue: try syscall { epoll_create1(Int32(EPOLL_CLOEXEC)) })
    }

    /// Registers a socket. The corresponding C function is `epoll_ctl(EPOLL_CTL_ADD)`.
    func add(_ fd: Int32, token: UInt64) throws(Errno) {
        var event = epoll_event()
        event.events = cl_EPOLLIN | cl_EPOLLOUT | cl_EPOLLRDHUP | cl_EPOLLET
        event.data.u64 = token
        _ = try syscall { epoll_ctl(epoll.rawValue, EPOLL_CTL_ADD, fd, &event) }
    }

    /// Waits up to `timeoutNanoseconds` (nil: until an event) and returns how many events are in
    /// `events`. A signal returns 0. The corresponding C function is `epoll_pwait2`.
    mutating func wait(into events: UnsafeMutableBufferPointer<epoll_event>, timeoutNanoseconds: UInt64?) throws(Errno) -> Int {
        var rc: Int32
        if hasPwait2 {
            if let timeout = timeoutNanoseconds {
                var spec = timespec(tv_sec: Int(timeout / 1_000_000_000), tv_nsec: Int(timeout % 1_000_000_000))
                rc = epoll_pwait2(epoll.rawValue, events.baseAddress, Int32(events.count), &spec, nil)
            } else {
                rc = epoll_pwait2(epoll.rawValue, events.baseAddress, Int32(events.count), nil, nil)
            }
            if rc < 0 && Errno.current.rawValue == ENOSYS { hasPwait2 = false }
        } else {
            rc = -1
        }
        if !hasPwait2 {
            let milliseconds = timeoutNanoseconds.map { Int32(min(($0 + 999_999) / 1_000_000, 60_000)) } ?? -1
            rc = epoll_wait(epoll.rawValue, events.baseAddress, Int32(events.count), milliseconds)
        }
        if rc >= 0 { return Int(rc) }
        let error = Errno.current
        if error == .interrupted { return 0 }
        throw error
    }

    func close() { epoll.close() }
}
