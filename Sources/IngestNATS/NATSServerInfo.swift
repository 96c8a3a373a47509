import Foundation

/// The fields of a server's `INFO` the client uses. Parsed with Foundation: INFO arrives once
/// per connection and on cluster changes, never per message.
public struct NATSServerInfo: Sendable, Equatable {
    public var serverID = ""
    public var serverName = ""
    public var version = ""
    public var maximumPayload = 1 << 20
    public var headers = false
    public var authRequired = false
    public var jetStream = false
    /// Client URLs of the cluster's servers (`connect_urls`), as `host:port`.
    public var connectURLs: [String] = []

    public init() {}

    /// Nil when the bytes are not a JSON object.
    public init?(json: UnsafeRawBufferPointer) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return nil }
        serverID = object["server_id"] as? String ?? ""
        serverName = object["server_name"] as? String ?? ""
        version = object["version"] as? String ?? ""
        if let payload = object["max_payload"] as? Int { maximumPayload = payload }
        headers = object["headers"] as? Bool ?? false
        authRequired = object["auth_required"] as? Bool ?? false
        jetStream = object["jetstream"] as? Bool ?? false
        connectURLs = object["connect_urls"] as? [String] ?? []
    }
}

/// The `CONNECT` line: verbose off (no +OK per publish), headers and no_responders on, and
/// protocol 1 so the server sends cluster updates (`connect_urls`) in later INFOs.
enum NATSConnectLine {
    static func make(credentials: NATSCredentials, name: String, version: String) -> [UInt8] {
        var object: [String: Any] = [
            "verbose": false, "pedantic": false, "tls_required": false, "name": name, "lang": "swift",
            "version": version, "protocol": 1, "headers": true, "no_responders": true, "echo": true,
        ]
        switch credentials {
        case .none: break
        case .userPassword(let user, let password):
            object["user"] = user
            object["pass"] = password
        case .token(let token):
            object["auth_token"] = token
        }
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array("CONNECT ".utf8) + [UInt8](json) + [13, 10]
    }
}
