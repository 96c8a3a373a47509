#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import IngestSystem

/// Whether this machine can move TLS record encryption into the kernel (kTLS).
///
/// Two things are needed: a libssl built with kTLS (Debian's OpenSSL 3 is), and the kernel's
/// `tls` upper-layer protocol (module `tls`, `CONFIG_TLS`). The kernel part is probed the way
/// libssl will use it: a loopback TCP connection is made and `setsockopt(TCP_ULP, "tls")` tried
/// on it. Whether a given connection then uses kTLS also depends on its cipher and version;
/// `TLSSession.kernelSend`/`kernelReceive` say so per connection after the handshake.
public enum KernelTLS {
    public enum Availability: Equatable, Sendable {
        case available
        case unavailable(reason: String)
    }

    public static func probe() -> Availability {
        if ci_OPENSSL_NO_KTLS() == 1 { return .unavailable(reason: "libssl was built without kTLS") }
        guard let any = SocketAddress(host: "127.0.0.1", port: 0) else { return .unavailable(reason: "no loopback address") }
        do {
            let listener = try Socket.listen(on: any, reusePort: false, backlog: 1)
            defer { listener.close() }
            let address = try Socket.localAddress(listener)
            let client = try Socket.connect(to: address)
            defer { client.close() }
            var accepted: (FileDescriptor, SocketAddress)?
            for _ in 0..<200 {
                accepted = try Socket.accept(listener)
                if accepted != nil { break }
                usleep(1_000)
            }
            guard let (server, _) = accepted else { return .unavailable(reason: "loopback probe connection not accepted") }
            defer { server.close() }
            let ulp = "tls"
            let rc = ulp.withCString { setsockopt(server.rawValue, Int32(IPPROTO_TCP), TCP_ULP, $0, socklen_t(ulp.utf8.count)) }
            if rc == 0 { return .available }
            let error = Errno.current
            return .unavailable(reason: "the kernel has no tls ULP (setsockopt TCP_ULP \"tls\": \(error))")
        } catch {
            return .unavailable(reason: "loopback probe failed: \(error)")
        }
    }
}
