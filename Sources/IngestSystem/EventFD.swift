#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// A counter descriptor another thread writes to wake a loop blocked in `epoll_wait`.
///
/// `signal()` may be called from any thread; `drain()` only by the loop that owns it.
public final class EventFD: @unchecked Sendable {
    public let descriptor: FileDescriptor

    /// The corresponding C function is `eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)`.
    public init() throws(Errno) {
        let fd = try syscall { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
        descriptor = FileDescriptor(rawValue: fd)
    }

    deinit { descriptor.close() }

    /// Wakes the owning loop. Safe from any thread; never blocks (a saturated counter already wakes).
    public func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(descriptor.rawValue, $0.baseAddress, 8) }
    }

    /// Resets the counter so the descriptor stops being readable.
    public func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(descriptor.rawValue, $0.baseAddress, 8) }
    }
}
