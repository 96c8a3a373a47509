import Foundation

/// One server to connect to: host (name or numeric address) and port, from a URL such as
/// `nats://h1:4222`, `h1:4222`, `nats://user:pass@h1`, `nats://token@h1` or `[::1]:4222`.
public struct NATSServerAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Credentials written in the URL (`user:password@` or `token@`), if any.
    public var user: String?
    public var password: String?

    public static let defaultPort: UInt16 = 4222

    public init(host: String, port: UInt16 = NATSServerAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Parses one URL; nil when it is not `[nats://][userinfo@]host[:port]`.
    public init?(url text: String) {
        var rest = Substring(text)
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "nats" else { return nil }
            rest = rest[scheme.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                user = String(userinfo[..<colon])
                password = String(userinfo[userinfo.index(after: colon)...])
            } else {
                user = String(userinfo)
            }
        }
        var portText: Substring? = nil
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        guard !host.isEmpty, !host.contains("/") else { return nil }
        if let portText {
            guard let value = UInt16(portText), value > 0 else { return nil }
            port = value
        } else {
            port = NATSServerAddress.defaultPort
        }
    }

    /// A comma-separated list; nil when any entry is malformed (or the list is empty).
    public static func list(_ text: String) -> [NATSServerAddress]? {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        var result: [NATSServerAddress] = []
        for part in parts {
            guard let address = NATSServerAddress(url: part) else { return nil }
            result.append(address)
        }
        return result
    }

    /// `host:port` (IPv6 hosts in brackets); never shows credentials.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Equality for de-duplicating advertised URLs: host and port only.
    func sameEndpoint(_ other: NATSServerAddress) -> Bool { host == other.host && port == other.port }
}

