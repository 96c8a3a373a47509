import IngestHMAC
import IngestOAuth

/// What one worker checks webhooks against: the credentials snapshot it adopted, copied into
/// plain values where the per-request path reads them, and its bearer-token gate (with the
/// worker's own cache of verified tokens).
///
/// A worker adopts a new snapshot at the start of a request, when the store's generation moved
/// (one atomic load per request, a lock only when it changed). Each connection then rebinds its
/// authenticator to the adopted key table before its own next request (see
/// `Worker.bindCredentials`), so a request in flight finishes against the keys it started with.
///
/// Thread affinity: owned and used by one worker thread.
final class WorkerCredentials {
    private(set) var snapshot: CredentialsSnapshot
    private(set) var generation: UInt64
    /// The snapshot's Basic credentials (a plain value: reading it retains nothing).
    private(set) var basic: BasicCredentials?
    /// Present when bearer tokens are configured (whether they are cannot change on reload:
    /// the sources are fixed at start-up).
    let bearerGate: BearerGate?
    /// Outcome counters of this worker (HMAC, bearer), for /metrics.
    let counters: CredentialCounters
    /// Where new snapshots are published. `unowned(unsafe)`: the store belongs to `ServerState`,
    /// which outlives every worker, and a strong or checked reference here cost a retain and a
    /// release per request (seen with callgrind).
    private unowned(unsafe) let store: CredentialStore

    init(store: CredentialStore, counters: CredentialCounters) {
        let snapshot = store.snapshot()
        self.store = store
        self.counters = counters
        self.snapshot = snapshot
        generation = snapshot.generation
        basic = snapshot.credentials.basic
        bearerGate = snapshot.credentials.bearer.map { BearerGate(verifier: $0) }
    }

    /// Adopts the store's current snapshot if a newer one was published.
    @inline(__always)
    func refresh() {
        if store.generation.load(ordering: .acquiring) != generation { adopt(store.snapshot()) }
    }

    private func adopt(_ newer: CredentialsSnapshot) {
        snapshot = newer
        generation = newer.generation
        basic = newer.credentials.basic
        if let bearerGate, let verifier = newer.credentials.bearer { bearerGate.rebind(to: verifier) }
    }
}
