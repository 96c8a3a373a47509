import IngestSystem

/// Where the load goes: a port on this machine's loopback interface, and nowhere else.
///
/// The generator refuses every other destination on purpose: it is a flood tool, and a typo in
/// `--url` must not aim it at a real DocuSign listener or someone else's machine.
public enum LoopbackAddress: Sendable, Equatable, CustomStringConvertible {
    case ipv4(port: UInt16)
    case ipv6(port: UInt16)

    public var port: UInt16 {
        switch self {
        case .ipv4(let port), .ipv6(let port): return port
        }
    }

    public var description: String {
        switch self {
        case .ipv4(let port): return "127.0.0.1:\(port)"
        case .ipv6(let port): return "[::1]:\(port)"
        }
    }

    var socketAddress: SocketAddress {
        switch self {
        case .ipv4(let port): return SocketAddress(host: "127.0.0.1", port: port)!
        case .ipv6(let port): return SocketAddress(host: "::1", port: port)!
        }
    }
}
