#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// What a registration waits for.
public struct EpollInterest: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readable = EpollInterest(rawValue: cl_EPOLLIN)
    public static let writable = EpollInterest(rawValue: cl_EPOLLOUT)
    /// The peer closed its sending side.
    public static let peerClosed = EpollInterest(rawValue: cl_EPOLLRDHUP)
    public static let error = EpollInterest(rawValue: cl_EPOLLERR)
    public static let hangUp = EpollInterest(rawValue: cl_EPOLLHUP)
}

/// One epoll instance and its preallocated event array.
///
/// Not thread-safe: owned by the one worker thread that waits on it. Registrations carry a
/// 64-bit token chosen by the owner (the loop uses the descriptor number, so lookups are an
/// array index and no object pointer goes through the kernel).
public final class Epoll {
    public let descriptor: FileDescriptor
    private let events: UnsafeMutableBufferPointer<epoll_event>

    /// The corresponding C function is `epoll_create1(EPOLL_CLOEXEC)`.
    public init(maxEventsPerWait: Int = 512) throws(Errno) {
        let fd = try syscall { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        descriptor = FileDescriptor(rawValue: fd)
        events = .allocate(capacity: maxEventsPerWait)
    }

    deinit {
        events.deallocate()
        descriptor.close()
    }

    /// The corresponding C function is `epoll_ctl(EPOLL_CTL_ADD)`.
    public func add(_ fd: FileDescriptor, interest: EpollInterest, token: UInt64) throws(Errno) {
        try control(EPOLL_CTL_ADD, fd, interest, token)
    }

    /// The corresponding C function is `epoll_ctl(EPOLL_CTL_MOD)`.
    public func modify(_ fd: FileDescriptor, interest: EpollInterest, token: UInt64) throws(Errno) {
        try control(EPOLL_CTL_MOD, fd, interest, token)
    }

    /// The corresponding C function is `epoll_ctl(EPOLL_CTL_DEL)`. Closing a descriptor also
    /// removes it, so this is needed only for descriptors that stay open.
    public func remove(_ fd: FileDescriptor) throws(Errno) {
        var event = epoll_event()
        _ = try syscall { epoll_ctl(descriptor.rawValue, EPOLL_CTL_DEL, fd.rawValue, &event) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and returns how many events are ready;
    /// read them with `token(at:)` and `interest(at:)`. EINTR returns 0 (a signal is not an error
    /// for a loop that re-checks its state each pass). The corresponding C function is `epoll_wait`.
    public func wait(timeoutMilliseconds: Int32) throws(Errno) -> Int {
        let n = epoll_wait(descriptor.rawValue, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        if n >= 0 { return Int(n) }
        let error = Errno.current
        if error == .interrupted { return 0 }
        throw error
    }

    @inline(__always) public func token(at index: Int) -> UInt64 { events[index].data.u64 }
    @inline(__always) public func interest(at index: Int) -> EpollInterest { EpollInterest(rawValue: events[index].events) }

    private func control(_ op: Int32, _ fd: FileDescriptor, _ interest: EpollInterest, _ token: UInt64) throws(Errno) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        _ = try syscall { epoll_ctl(descriptor.rawValue, op, fd.rawValue, &event) }
    }
}
