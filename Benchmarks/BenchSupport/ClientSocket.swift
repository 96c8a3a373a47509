#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// One non-blocking TCP client socket to a loopback address, over IngestSystem's `Socket`
/// helpers. A plain value over the descriptor; the owning `ClientConnection` closes it exactly
/// once (`close()`), from the one thread that owns it.
///
/// `EBADF`/`EFAULT` trap (bugs, see `syscall`); every other failure is an `Errno` the loop
/// counts and recovers from by replacing the connection.
struct ClientSocket {
    let descriptor: FileDescriptor

    /// Starts a connect; completion (or failure) is signalled by `EPOLLOUT`/`EPOLLERR` once the
    /// socket is registered (a connect that already completed reports `EPOLLOUT` at once).
    /// Nagle is off: requests are written whole and must not wait for an ACK.
    static func connect(to address: LoopbackAddress) throws(Errno) -> ClientSocket {
        let descriptor = try Socket.connect(to: address.socketAddress)
        try? Socket.setNoDelay(descriptor)
        return ClientSocket(descriptor: descriptor)
    }

    /// The outcome of a non-blocking connect, once `EPOLLOUT` or `EPOLLERR` arrived (`SO_ERROR`).
    func connectResult() -> Errno? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &value, &length) != 0 { return Errno.current }
        return value == 0 ? nil : Errno(rawValue: value)
    }

    /// Reads what is there: the count, 0 at end of stream, nil if it would block.
    @inline(__always)
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        try descriptor.read(into: buffer)
    }

    /// Writes what fits: the count, or nil if it would block. A peer that closed gives `EPIPE`
    /// here (`MSG_NOSIGNAL`) instead of killing the process with `SIGPIPE`.
    @inline(__always)
    func write(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        try Socket.send(descriptor, buffer)
    }

    func close() { descriptor.close() }
}
