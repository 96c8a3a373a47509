import IngestHMAC
import IngestHTTP
import IngestLog
import IngestTLS

/// Everything `serve` can be told, built once from flags and environment and passed down.
/// Immutable after start-up; shared read-only by every worker.
public struct ServerConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port: UInt16 = 8080
    public var workers = 1
    /// The webhook path (compared with the request path, query string ignored).
    public var webhookPath = "/webhooks/docusign"
    public var limits = HTTPLimits()
    /// A partially received request older than this gets 408 and the connection is closed.
    public var requestTimeoutNanoseconds: Int64 = 30_000_000_000
    /// An idle keep-alive connection is closed after this.
    public var idleTimeoutNanoseconds: Int64 = 60_000_000_000
    /// Connections over this, across all workers, are closed as soon as they are accepted.
    public var maxConnections = 10_000
    /// Bodies with a Content-Length above this stream straight into the log instead of being
    /// staged in memory; chunked bodies that grow beyond it spill to a temporary file.
    public var streamThreshold = 256 * 1024
    public var logDirectory = "./connect-log"
    public var logOptions = LogOptions()
    /// The credentials at start-up (HMAC keys, Basic, bearer verifier).
    public var credentials = Credentials()
    /// Where SIGHUP re-reads the credentials from; nil: they are not reloadable.
    public var credentialSources: CredentialSources?
    /// `--metrics-accounts`: /metrics also counts verifications per account (one series per
    /// account with keys; off by default because of the label cardinality).
    public var metricsAccounts = false
    /// The start-up HMAC keys (the same as `credentials.keys`).
    public var keys: SigningKeys {
        get { credentials.keys }
        set { credentials.keys = newValue }
    }
    /// The start-up Basic credentials (the same as `credentials.basic`).
    public var basicCredentials: BasicCredentials? {
        get { credentials.basic }
        set { credentials.basic = newValue }
    }
    /// Accept messages without verifying signatures (only when no key is configured).
    public var allowUnsigned = false
    /// `/readyz` fails and webhooks get 503 when the log folder's file system has less free space.
    public var minFreeBytes: Int64 = 256 << 20
    /// `--sync batch`: a commit running longer than this makes new webhooks get 503.
    public var commitStallTimeoutNanoseconds: Int64 = 2_000_000_000
    /// `--sync batch`: more body bytes than this staged per worker while a commit runs makes new
    /// webhooks get 503 (bounds memory when the disk cannot keep up).
    public var maxUnsyncedBytes = 64 << 20
    /// See `ServerState.stallHookFile`. Tests only.
    public var testStallHookFile: String?
    /// Native TLS on the main listener (`--tls-cert`/`--tls-key`); nil serves plain HTTP.
    public var tls: TLSServerSettings?
    /// A TLS handshake not finished this long after the connection was accepted is closed.
    public var tlsHandshakeTimeoutNanoseconds: Int64 = 10_000_000_000
    /// With TLS: a second, plain-HTTP listener for `/healthz`, `/readyz` and `/metrics` only
    /// (`--plain-port`, on `--plain-host`); nil = none.
    public var plainPort: UInt16?
    public var plainHost = "127.0.0.1"
    public var logFormat = LogFormat.text
    public var logLevel = LogLevel.info

    public init() {}
}
