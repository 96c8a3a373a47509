import IngestLog
import IngestTLS
import Synchronization

/// What every worker shares. Everything here is immutable or atomic: workers never take a lock
/// on the per-request path.
final class ServerState: Sendable {
    let configuration: ServerConfiguration
    let log: MessageLog
    let operatorLog: OperatorLog
    /// Open client connections across all workers (checked once per accept, not per request).
    let openConnections = Atomic<Int>(0)
    /// Set when a shutdown signal arrived: stop accepting, finish what was received, exit.
    let stopping = Atomic<Bool>(false)
    /// Set while the log's file system has less free space than `minFreeBytes`, or the log
    /// folder is not writable: webhooks get 503 and /readyz fails.
    let notReadyReason = Mutex<String?>(nil)
    let isReady = Atomic<Bool>(true)
    /// Every worker's counters, for /metrics.
    let counters: [WorkerCounters]
    /// `--sync batch`: the shared group commit; nil otherwise.
    let groupSync: GroupSync?
    /// The credentials in force (replaced on SIGHUP).
    let credentialStore: CredentialStore
    /// Every worker's authentication outcome counters, for /metrics.
    let credentialCounters: [CredentialCounters]
    /// Native TLS (`--tls-cert`): the current context and its reload; nil for plain HTTP.
    let tls: TLSRuntime?
    /// Every worker's connection-mode and TLS counters, for /metrics.
    let transport: [TransportCounters]

    init(configuration: ServerConfiguration, log: MessageLog, operatorLog: OperatorLog, workerCount: Int,
         groupSync: GroupSync?, tls: TLSRuntime? = nil) {
        self.groupSync = groupSync
        self.tls = tls
        transport = (0..<workerCount).map { _ in TransportCounters() }
        self.configuration = configuration
        self.log = log
        self.operatorLog = operatorLog
        counters = (0..<workerCount).map { _ in WorkerCounters() }
        credentialCounters = (0..<workerCount).map { _ in CredentialCounters() }
        credentialStore = CredentialStore(initial: configuration.credentials, workerCount: workerCount,
                                          countAccounts: configuration.metricsAccounts)

    }
}
