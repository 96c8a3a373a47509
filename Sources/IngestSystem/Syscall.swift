#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// Runs a syscall wrapper that returns -1 on failure, retrying on `EINTR`.
///
/// This is the one place `EINTR` is handled. `EAGAIN` comes back as `Errno.wouldBlock` for
/// the caller to treat as a value. `EBADF` and `EFAULT` mean the program passed a closed
/// descriptor or a bad pointer: they are bugs, not conditions, and trap.
@inline(__always)
public func syscall<T: FixedWidthInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = Errno.current
        if error == .interrupted { continue }
        precondition(error != .badFileDescriptor && error != .badAddress,
                     "syscall failed with \(error): this is a bug, not an I/O condition")
        throw error
    }
}

/// Like `syscall(_:)` but returns `nil` for `EAGAIN`/`EWOULDBLOCK` instead of throwing,
/// for the non-blocking paths where "not now" is the common answer.
@inline(__always)
public func nonBlockingSyscall<T: FixedWidthInteger>(_ body: () -> T) throws(Errno) -> T? {
    do {
        return try syscall(body)
    } catch {
        if error == .wouldBlock || error.rawValue == EWOULDBLOCK { return nil }
        throw error
    }
}
