#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// Turns a server's host into a socket address: numeric addresses directly, names through the
/// system resolver (`getaddrinfo`, first TCP result). Called once per connection attempt.
enum HostResolver {
    static func resolve(_ address: NATSServerAddress) -> SocketAddress? {
        if let numeric = SocketAddress(host: address.host, port: address.port) { return numeric }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        var socketAddress = SocketAddress()
        let length = Int(first.pointee.ai_addrlen)
        guard let source = first.pointee.ai_addr, length <= MemoryLayout<sockaddr_storage>.size else { return nil }
        withUnsafeMutableBytes(of: &socketAddress.storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: source, count: length))
        }
        socketAddress.length = socklen_t(length)
        return socketAddress
    }
}
