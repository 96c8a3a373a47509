/// `--url`, parsed and restricted to this machine.
///
/// Accepted: `http://HOST[:PORT][/PATH]` with HOST one of `127.0.0.1`, `localhost` (taken as
/// 127.0.0.1, never looked up) or `[::1]`. Anything else is refused with an error naming the
/// host: the generator floods, and must never be pointed at another machine by mistake.
public struct TargetURL: Sendable, Equatable {
    public let address: LoopbackAddress
    public let path: String
    /// The `Host` header: the URL's host and port as written.
    public let hostHeader: String

    public init(address: LoopbackAddress, path: String, hostHeader: String) {
        self.address = address
        self.path = path
        self.hostHeader = hostHeader
    }

    public static func parse(_ text: String) throws(BenchOptionError) -> TargetURL {
        guard text.hasPrefix("http://") else {
            throw BenchOptionError("--url: give an http:// URL on this machine (add --tls for HTTPS), got '\(text)'")
        }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty { path = "/" }
        if path.hasPrefix("?") { path = "/" + path }
        guard !path.contains(" ") else { throw BenchOptionError("--url: the path must not contain spaces") }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw BenchOptionError("--url: unclosed '[' in '\(text)'") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw BenchOptionError("--url: unexpected '\(after)' after the host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        var port: UInt16 = 80
        if let portText {
            guard let value = UInt16(portText), value > 0 else { throw BenchOptionError("--url: bad port '\(portText)'") }
            port = value
        }
        let address: LoopbackAddress
        switch host.lowercased() {
        case "127.0.0.1", "localhost": address = .ipv4(port: port)
        case "::1": address = .ipv6(port: port)
        default:
            throw BenchOptionError("--url: refusing host '\(host)': connect-bench only sends to 127.0.0.1, ::1 or localhost")
        }
        return TargetURL(address: address, path: path, hostHeader: String(authority))
    }
}
