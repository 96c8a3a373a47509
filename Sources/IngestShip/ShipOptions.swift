import IngestNATS

/// Everything `connect-ingest ship` is told (see the README's "Shipping to NATS JetStream").
public struct ShipOptions: Sendable {
    public var logDirectory: String
    public var servers: [NATSServerAddress]
    public var credentials: NATSCredentials = .none
    public var stream: String
    public var subject: SubjectTemplate
    public var messageIDSource: ShipHeaders.MessageIDSource = .message
    /// Names this listener's log in `Nats-Msg-Id` (records without a message id), the
    /// `Connect-Instance` header and `{instance}`.
    public var instance: String
    public var filter = RecordFilter()
    public var maximumInFlight = 4096
    /// Default: `<log-dir>/ship-<stream>.checkpoint`.
    public var checkpointPath: String
    /// Create the stream when it does not exist (and check it when it does).
    public var createStream = false
    /// The stream's subjects when created; default: the template's `streamSubjectFilter`.
    public var streamSubjects: [String]?
    public var replicas = 1
    public var duplicateWindowNanoseconds: Int64 = 24 * 3_600_000_000_000
    public var maximumAgeNanoseconds: Int64 = 0
    /// Refuse to ship into a stream whose duplicate window is shorter than this.
    public var minimumDuplicateWindowNanoseconds: Int64 = 3_600_000_000_000
    /// On stop: how long to wait for in-flight acknowledgements.
    public var stopTimeoutMilliseconds = 10_000
    public var summaryIntervalMilliseconds = 1000
    public var checkpointIntervalMilliseconds = 100
    public var acknowledgementTimeoutMilliseconds = 5000
    public var connectTimeoutMilliseconds = 2000

    public init(logDirectory: String, servers: [NATSServerAddress], stream: String, subject: SubjectTemplate, instance: String) {
        self.logDirectory = logDirectory
        self.servers = servers
        self.stream = stream
        self.subject = subject
        self.instance = instance
        checkpointPath = Self.defaultCheckpointPath(logDirectory: logDirectory, stream: stream)
    }

    public static func defaultCheckpointPath(logDirectory: String, stream: String) -> String {
        logDirectory + "/ship-" + stream + ".checkpoint"
    }
}

/// Why `ship` could not start or go on. Each names what to fix; none contains a secret.
public enum ShipError: Error, CustomStringConvertible {
    case unreachable(String)
    case authorization(String)
    case streamMissing(String)
    case streamRefused(String)
    case jetStream(String)
    case checkpoint(String)
    case log(String)

    public var description: String {
        switch self {
        case .unreachable(let text), .authorization(let text), .streamMissing(let text), .streamRefused(let text),
             .jetStream(let text), .checkpoint(let text), .log(let text):
            return text
        }
    }
}

/// The operator log the shipper writes to: level, event name, key/value fields.
public enum ShipLogLevel: Sendable { case debug, info, warn, error }
public typealias ShipLogger = (ShipLogLevel, String, [(String, String)]) -> Void
