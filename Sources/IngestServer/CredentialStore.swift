import CLinux
import IngestHMAC
import Synchronization

/// One published credentials set: immutable, numbered by generation.
///
/// Workers hold the snapshot they adopted, and each connection holds the key table of the
/// snapshot it bound at the start of its current request, so a request is checked against one
/// snapshot from head to last byte, whatever is published meanwhile.
final class CredentialsSnapshot: Sendable {
    let generation: UInt64
    let credentials: Credentials
    /// `--metrics-accounts`: verification outcomes per account of this snapshot's key table.
    let accountCounters: AccountCounters?

    init(generation: UInt64, credentials: Credentials, workerCount: Int, countAccounts: Bool) {
        self.generation = generation
        self.credentials = credentials
        accountCounters = countAccounts
            ? AccountCounters(accounts: credentials.keys.accounts, workerCount: workerCount) : nil
    }
}

/// Verified/refused counts per (worker, account) for one snapshot's accounts: each worker writes
/// only its own row (single-writer counters, no atomics read-modify-write), `/metrics` sums them.
final class AccountCounters: @unchecked Sendable {
    static let outcomes = 2   // 0: verified, 1: refused
    let accounts: [AccountID]
    private let cells: UnsafeMutablePointer<UInt64>
    private let rowWidth: Int
    private let workerCount: Int

    init(accounts: [AccountID], workerCount: Int) {
        self.accounts = accounts
        self.workerCount = workerCount
        rowWidth = accounts.count * AccountCounters.outcomes
        cells = .allocate(capacity: max(1, rowWidth * workerCount))
        cells.initialize(repeating: 0, count: max(1, rowWidth * workerCount))
    }

    deinit { cells.deallocate() }

    /// Worker `worker`'s row: `2 * ordinal` verified, `2 * ordinal + 1` refused. Valid while
    /// this object lives (the connection that writes through it keeps the snapshot alive).
    func row(worker: Int) -> UnsafeMutablePointer<UInt64> { cells + worker * rowWidth }

    /// (verified, refused) for each account, summed over workers.
    func totals() -> [(AccountID, UInt64, UInt64)] {
        accounts.enumerated().map { ordinal, account in
            var verified: UInt64 = 0
            var refused: UInt64 = 0
            for worker in 0..<workerCount {
                verified &+= cl_counter_load(cells + worker * rowWidth + 2 * ordinal)
                refused &+= cl_counter_load(cells + worker * rowWidth + 2 * ordinal + 1)
            }
            return (account, verified, refused)
        }
    }
}

/// The current credentials, published by the reloader (main thread) and adopted by workers.
///
/// Workers read ``generation`` (one atomic load per request) and take the lock only when it
/// changed, to fetch the new snapshot: no lock and no reference counting per request.
final class CredentialStore: Sendable {
    private let current: Mutex<CredentialsSnapshot>
    /// The generation of `current`; stored after `current` is replaced (release), loaded by
    /// workers (acquire), so a worker that sees a new number finds that snapshot or a newer one.
    let generation: Atomic<UInt64>
    private let workerCount: Int
    private let countAccounts: Bool
    /// `--metrics-accounts`: counters of earlier snapshots. An entry whose snapshot is gone (no
    /// worker or connection holds it, so nothing can count into it any more) is folded into
    /// `retired` and dropped, which keeps this bounded however many reloads happen.
    private let history: Mutex<(live: [(snapshot: WeakSnapshot, counters: AccountCounters)], retired: [AccountID: (UInt64, UInt64)])>
    /// Reloads that succeeded / failed (for /metrics).
    let reloadsSucceeded = Atomic<UInt64>(0)
    let reloadsFailed = Atomic<UInt64>(0)

    init(initial: Credentials, workerCount: Int, countAccounts: Bool) {
        let snapshot = CredentialsSnapshot(generation: 1, credentials: initial, workerCount: workerCount, countAccounts: countAccounts)
        current = Mutex(snapshot)
        generation = Atomic(1)
        self.workerCount = workerCount
        self.countAccounts = countAccounts
        history = Mutex((snapshot.accountCounters.map { [(WeakSnapshot(snapshot), $0)] } ?? [], [:]))
    }

    /// The snapshot in force.
    func snapshot() -> CredentialsSnapshot {
        current.withLock { $0 }
    }

    /// Makes `credentials` the set in force; returns its generation.
    @discardableResult
    func publish(_ credentials: Credentials) -> UInt64 {
        let next = current.withLock { snapshot -> CredentialsSnapshot in
            let next = CredentialsSnapshot(generation: snapshot.generation + 1, credentials: credentials,
                                           workerCount: workerCount, countAccounts: countAccounts)
            snapshot = next
            return next
        }
        if let counters = next.accountCounters {
            history.withLock { $0.live.append((WeakSnapshot(next), counters)) }
        }
        generation.store(next.generation, ordering: .releasing)
        return next.generation
    }

    /// (account, verified, refused) over every snapshot so far, for `--metrics-accounts`.
    func accountTotals() -> [(AccountID, UInt64, UInt64)] {
        history.withLock { history in
            var sums = history.retired
            var live: [(snapshot: WeakSnapshot, counters: AccountCounters)] = []
            for entry in history.live {
                let totals = entry.counters.totals()
                if entry.snapshot.value == nil {
                    for (account, verified, refused) in totals {
                        let old = history.retired[account] ?? (0, 0)
                        history.retired[account] = (old.0 &+ verified, old.1 &+ refused)
                    }
                } else {
                    live.append(entry)
                }
                for (account, verified, refused) in totals {
                    let old = sums[account] ?? (0, 0)
                    sums[account] = (old.0 &+ verified, old.1 &+ refused)
                }
            }
            history.live = live
            return sums.map { ($0.key, $0.value.0, $0.value.1) }.sorted { ($0.0.high, $0.0.low) < ($1.0.high, $1.0.low) }
        }
    }
}

/// A weak reference to a snapshot, to learn when nothing holds it any more.
struct WeakSnapshot: @unchecked Sendable {
    weak var value: CredentialsSnapshot?
    init(_ value: CredentialsSnapshot) { self.value = value }
}
