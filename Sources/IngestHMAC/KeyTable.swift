/// The prepared HMAC keys of one configuration, laid out for per-message selection without
/// allocation, reference counting or hashing of strings.
///
/// Layout: one contiguous block of ``PreparedKey``s, the keys for every account first
/// (`0..<globalCount`), then each account's keys as one run. An open-addressing index over the
/// 128-bit account ids (power-of-two capacity, at most half full, linear probing) maps an
/// account to its run. GUIDs from the header are chosen by the sender, but the index is fixed at
/// load and at most half full, so a probe for an absent id ends at the first empty slot of a
/// short cluster; no sender can make a lookup expensive.
///
/// Immutable after `init`, so any number of threads may read it. Unsafe pointer code stays
/// inside this type; ``MessageAuthenticator`` receives plain pointers into it and keeps the table
/// alive with one strong reference for as long as it uses them.
final class KeyTable: @unchecked Sendable {
    /// One account's run of keys. `count == 0` marks an empty index slot.
    struct AccountRun {
        var high: UInt64 = 0
        var low: UInt64 = 0
        /// First key of the run in ``keys``.
        var start: UInt32 = 0
        /// Number of keys in the run (> 0 for an occupied slot).
        var count: UInt32 = 0
        /// The account's dense number, `0..<accountCount` in configuration order (metrics).
        var ordinal: UInt32 = 0
    }

    /// All prepared keys: global ones first, then each account's run.
    let keys: UnsafeMutablePointer<PreparedKey>
    let totalCount: Int
    let globalCount: Int
    /// Account id → run of keys; points into memory this table owns.
    let accountIndex: AccountIndex
    /// The accounts in configuration order (for metrics labels and tests).
    let accounts: [AccountID]
    /// The most keys any one message is checked against: the global keys plus the largest run.
    let maximumKeysPerMessage: Int

    /// Prepares `global` keys and each account's keys. Precondition: the accounts are distinct
    /// and each has at least one key (``SigningKeys`` guarantees both).
    init(global: [[UInt8]], accounts accountKeys: [(account: AccountID, secrets: [[UInt8]])]) {
        let total = global.count + accountKeys.reduce(0) { $0 + $1.secrets.count }
        totalCount = total
        globalCount = global.count
        let keys = UnsafeMutablePointer<PreparedKey>.allocate(capacity: max(1, total))
        var next = 0
        for secret in global {
            (keys + next).initialize(to: secret.withUnsafeBytes { PreparedKey(secret: $0) })
            next += 1
        }
        var capacity = 4
        while capacity < accountKeys.count * 2 { capacity <<= 1 }
        let indexMask = capacity - 1
        let index = UnsafeMutablePointer<AccountRun>.allocate(capacity: capacity)
        index.initialize(repeating: AccountRun(), count: capacity)
        var largestRun = 0
        for (ordinal, entry) in accountKeys.enumerated() {
            precondition(!entry.secrets.isEmpty, "an account in the key table needs a key")
            let run = AccountRun(high: entry.account.high, low: entry.account.low, start: UInt32(next),
                                 count: UInt32(entry.secrets.count), ordinal: UInt32(ordinal))
            for secret in entry.secrets {
                (keys + next).initialize(to: secret.withUnsafeBytes { PreparedKey(secret: $0) })
                next += 1
            }
            largestRun = max(largestRun, entry.secrets.count)
            var slot = AccountIndex.slot(of: entry.account, mask: indexMask)
            while index[slot].count != 0 {
                precondition(index[slot].high != run.high || index[slot].low != run.low, "account listed twice in the key table")
                slot = (slot + 1) & indexMask
            }
            index[slot] = run
        }
        self.keys = keys
        accountIndex = AccountIndex(slots: index, mask: indexMask)
        accounts = accountKeys.map(\.account)
        maximumKeysPerMessage = global.count + largestRun
    }

    deinit {
        // Prepared states are key-equivalent secrets: wipe before freeing.
        ConstantTime.wipe(keys, count: totalCount * MemoryLayout<PreparedKey>.stride)
        keys.deinitialize(count: totalCount)
        keys.deallocate()
        accountIndex.slots.deinitialize(count: accountIndex.mask + 1)
        accountIndex.slots.deallocate()
    }

    /// The run of `account`'s keys, or nil when the account has none. No allocation.
    func run(of account: AccountID) -> AccountRun? { accountIndex.run(of: account) }
}

/// A view of a ``KeyTable``'s account index: plain pointers, copied into each authenticator so a
/// per-message lookup touches no reference (no retain/release). Valid while the table lives.
struct AccountIndex {
    /// `mask + 1` slots (a power of two), at most half occupied.
    let slots: UnsafeMutablePointer<KeyTable.AccountRun>
    let mask: Int

    /// The run of `account`'s keys, or nil when the account has none. No allocation.
    @inline(__always)
    func run(of account: AccountID) -> KeyTable.AccountRun? {
        var slot = AccountIndex.slot(of: account, mask: mask)
        while true {
            let candidate = slots[slot]
            if candidate.count == 0 { return nil }
            if candidate.high == account.high && candidate.low == account.low { return candidate }
            slot = (slot + 1) & mask
        }
    }

    /// Mixes the 128 bits (a multiply-xorshift finalizer) so that ids differing in any bit land
    /// in unrelated slots, whatever their structure (v4 GUIDs have fixed version bits).
    @inline(__always)
    static func slot(of account: AccountID, mask: Int) -> Int {
        var x = account.high ^ (account.low &* 0x9E37_79B9_7F4A_7C15)
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        return Int(truncatingIfNeeded: x) & mask
    }
}
