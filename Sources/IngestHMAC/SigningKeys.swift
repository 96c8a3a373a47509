/// The configured HMAC secrets, keyed once at start-up and shared (read-only) by every worker.
///
/// Each secret is the UTF-8 bytes of the key string exactly as DocuSign's admin page shows it. It
/// looks like base64 but is never decoded: decoding it is a classic listener bug that makes every
/// signature fail. Several keys are normal: during rotation DocuSign signs with the old and the new
/// key, and a message is genuine if any configured key matches any of its signatures.
///
/// Only the prepared HMAC states are kept, not the secrets. Those states are as sensitive as the
/// keys, so the description and mirror show only the count: printing or dumping a `SigningKeys`
/// never prints key material.
public struct SigningKeys: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// One prepared state pair per secret, in configuration order.
    let prepared: [PreparedKey]

    /// Keys each secret (RFC 2104: a secret longer than 64 bytes is hashed first). Secrets are
    /// used as given: no trimming, no de-duplication (``load(keyFiles:environmentValue:)`` does
    /// both), and an empty secret is a valid, if useless, HMAC key.
    public init(secrets: [[UInt8]]) {
        prepared = secrets.map { secret in secret.withUnsafeBytes { PreparedKey(secret: $0) } }
    }

    /// The number of keys.
    public var count: Int { prepared.count }

    /// True when no key is configured: nothing can verify (`serve` then needs `--allow-unsigned`).
    public var isEmpty: Bool { prepared.isEmpty }

    public var description: String { "SigningKeys(\(count) key\(count == 1 ? "" : "s"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["count": count], displayStyle: .struct) }
}
