/// The configured HMAC secrets, keyed once at load and shared (read-only) by every worker.
///
/// Each secret is the UTF-8 bytes of the key string exactly as DocuSign's admin page shows it. It
/// looks like base64 but is never decoded: decoding it is a classic listener bug that makes every
/// signature fail. Several keys are normal: during rotation DocuSign signs with the old and the new
/// key, and a message is genuine if any key tried for it matches any of its signatures.
///
/// Keys have a scope. A *global* key (a bare `KEY` line) is tried for every message. An *account*
/// key (an `ACCOUNT-GUID KEY` line) is tried only for messages whose `X-DocuSign-AccountId` names
/// that account, so a key of account A can never make a message claiming account B genuine, and
/// a message costs one hash pass per key actually tried (its account's keys plus the global ones),
/// not one per configured key.
///
/// Only the prepared HMAC states are kept, not the secrets. Those states are as sensitive as the
/// keys, so the description and mirror show only counts: printing or dumping a `SigningKeys`
/// never prints key material.
public struct SigningKeys: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The prepared keys and the account index (shared, immutable).
    let table: KeyTable

    /// Global keys only (RFC 2104: a secret longer than 64 bytes is hashed first). Secrets are
    /// used as given: no trimming, no de-duplication (``load(keyFiles:environmentValue:)`` does
    /// both), and an empty secret is a valid, if useless, HMAC key.
    public init(secrets: [[UInt8]]) {
        table = KeyTable(global: secrets, accounts: [])
    }

    /// Global keys plus keys per account. Several entries for one account are merged (in order);
    /// an account entry with no secret adds nothing.
    public init(global: [[UInt8]], accounts: [(account: AccountID, secrets: [[UInt8]])]) {
        var order: [AccountID] = []
        var merged: [AccountID: [[UInt8]]] = [:]
        for entry in accounts where !entry.secrets.isEmpty {
            if merged[entry.account] == nil { order.append(entry.account) }
            merged[entry.account, default: []] += entry.secrets
        }
        table = KeyTable(global: global, accounts: order.map { ($0, merged[$0]!) })
    }

    /// The number of keys, global and per account.
    public var count: Int { table.totalCount }

    /// Keys tried for every message.
    public var globalKeyCount: Int { table.globalCount }

    /// Accounts that have keys of their own.
    public var accountCount: Int { table.accounts.count }

    /// Keys that belong to one account.
    public var accountKeyCount: Int { table.totalCount - table.globalCount }

    /// The accounts that have keys of their own, in configuration order (their position is the
    /// account's ``MessageAuthenticator/selectedAccountOrdinal``).
    public var accounts: [AccountID] { table.accounts }

    /// The number of keys a message for `account` (nil: no usable header) is checked against.
    public func keysTried(for account: AccountID?) -> Int {
        guard let account, let run = table.run(of: account) else { return table.globalCount }
        return table.globalCount + Int(run.count)
    }

    /// True when no key is configured: nothing can verify (`serve` then needs `--allow-unsigned`).
    public var isEmpty: Bool { table.totalCount == 0 }

    public var description: String {
        if accountCount == 0 { return "SigningKeys(\(count) key\(count == 1 ? "" : "s"))" }
        return "SigningKeys(\(globalKeyCount) global, \(accountKeyCount) for \(accountCount) account\(accountCount == 1 ? "" : "s"))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["count": count, "accounts": accountCount], displayStyle: .struct)
    }
}
