#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// An IPv4 or IPv6 socket address, stored inline (no allocation).
public struct SocketAddress: Sendable, CustomStringConvertible {
    public var storage = sockaddr_storage()
    public var length: socklen_t = 0
    public init() {}

    /// Parses a numeric IPv4 or IPv6 host ("0.0.0.0", "127.0.0.1", "::1", "::"). No DNS: a
    /// listener binds to addresses, not names ("localhost" is accepted as 127.0.0.1).
    public init?(host: String, port: UInt16) {
        let host = host == "localhost" ? "127.0.0.1" : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeBytes(of: v4) { src in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            return
        }
        var v6 = sockaddr_in6()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET6, bare, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeBytes(of: v6) { src in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            return
        }
        return nil
    }

    public var family: Int32 { Int32(storage.ss_family) }

    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
                : UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }

    /// The numeric host, e.g. "127.0.0.1" or "::1".
    public var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                var a = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &a, &text, socklen_t(text.count))
            } else {
                var a = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &a, &text, socklen_t(text.count))
            }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "HOST:PORT", with IPv6 hosts in brackets.
    public var description: String {
        family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

/// Socket syscalls on a `FileDescriptor`. Every socket made here is non-blocking and close-on-exec.
public enum Socket {
    /// A listening TCP socket bound to `address`. With `reusePort`, several sockets (one per
    /// worker) may bind the same address and the kernel spreads new connections across them.
    /// The corresponding C functions are `socket`, `setsockopt`, `bind`, `listen`.
    public static func listen(on address: SocketAddress, reusePort: Bool, backlog: Int32 = 4096) throws(Errno) -> FileDescriptor {
        let fd = try syscall { socket(address.family, cl_SOCK_STREAM | cl_SOCK_NONBLOCK | cl_SOCK_CLOEXEC, 0) }
        let descriptor = FileDescriptor(rawValue: fd)
        do throws(Errno) {
            try setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort { try setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1) }
            if address.family == AF_INET6 { try setOption(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 0) }
            let bound = address.withSockaddr { sa, len in bind(fd, sa, len) }
            if bound != 0 { throw Errno.current }
            _ = try syscall { Glibc.listen(fd, backlog) }
        } catch {
            descriptor.close()
            throw error
        }
        return descriptor
    }

    /// Accepts one pending connection as a non-blocking socket, or `nil` when none is pending.
    /// The corresponding C function is `accept4`.
    public static func accept(_ listener: FileDescriptor) throws(Errno) -> (FileDescriptor, SocketAddress)? {
        var peer = SocketAddress()
        peer.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = try withUnsafeMutableBytes(of: &peer.storage) { raw throws(Errno) in
            try nonBlockingSyscall {
                cl_accept4(listener.rawValue, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                        &peer.length, cl_SOCK_NONBLOCK | cl_SOCK_CLOEXEC)
            }
        }
        guard let fd else { return nil }
        return (FileDescriptor(rawValue: fd), peer)
    }

    /// A non-blocking TCP connection to `address` (for clients and tests). The connect may still
    /// be in progress when this returns. The corresponding C function is `connect`.
    public static func connect(to address: SocketAddress) throws(Errno) -> FileDescriptor {
        let fd = try syscall { socket(address.family, cl_SOCK_STREAM | cl_SOCK_NONBLOCK | cl_SOCK_CLOEXEC, 0) }
        let descriptor = FileDescriptor(rawValue: fd)
        let rc = address.withSockaddr { sa, len in Glibc.connect(fd, sa, len) }
        if rc != 0 {
            let error = Errno.current
            if error != .inProgress && error != .interrupted {
                descriptor.close()
                throw error
            }
        }
        return descriptor
    }

    /// The address a socket is bound to. The corresponding C function is `getsockname`.
    public static func localAddress(_ socket: FileDescriptor) throws(Errno) -> SocketAddress {
        var address = SocketAddress()
        address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutableBytes(of: &address.storage) { raw throws(Errno) in
            try syscall { getsockname(socket.rawValue, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &address.length) }
        }
        return address
    }

    /// Disables Nagle's algorithm: responses are written whole, once per loop pass, and must
    /// not wait for an ACK.
    public static func setNoDelay(_ socket: FileDescriptor) throws(Errno) {
        try setOption(socket, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Stops further sends (`shutdown(SHUT_WR)`), so the peer sees end of stream after the
    /// bytes already queued.
    public static func shutdownWrite(_ socket: FileDescriptor) {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_WR))
    }

    /// Writes from several buffers at once; returns bytes written or `nil` if it would block.
    /// The corresponding C function is `writev`.
    public static func write(_ socket: FileDescriptor, vectors: UnsafeBufferPointer<iovec>) throws(Errno) -> Int? {
        try nonBlockingSyscall { writev(socket.rawValue, vectors.baseAddress, Int32(vectors.count)) }
    }

    /// Sends without raising SIGPIPE on a closed peer (`send` with `MSG_NOSIGNAL`).
    public static func send(_ socket: FileDescriptor, _ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        try nonBlockingSyscall { Glibc.send(socket.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    static func setOption(_ socket: FileDescriptor, _ level: Int32, _ name: Int32, _ value: Int32) throws(Errno) {
        var value = value
        _ = try syscall { setsockopt(socket.rawValue, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }
}
