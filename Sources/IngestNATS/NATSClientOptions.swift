/// How a `NATSClient` connects, authenticates, pipelines and recovers.
public struct NATSClientOptions: Sendable {
    /// Servers to try, in order; the cluster's advertised `connect_urls` are added as they arrive.
    public var servers: [NATSServerAddress]
    /// Explicit credentials; when `.none`, credentials written in a server URL are used.
    public var credentials: NATSCredentials = .none
    /// The connection name shown by the server's monitoring.
    public var name = "connect-ingest"
    /// Publishes written but not yet acknowledged, at most.
    public var maximumInFlight = 4096
    /// Bytes of frames held for those publishes, at most (a single larger publish is still taken
    /// when nothing else is in flight).
    public var maximumInFlightBytes = 64 << 20
    /// How long one TCP connect plus handshake may take.
    public var connectTimeoutMilliseconds = 2000
    /// Reconnect and publish-retry delays grow from the minimum, doubling, up to the maximum,
    /// each multiplied by a random factor in 0.5...1 (jitter, so many clients do not retry in step).
    public var minimumBackoffMilliseconds = 50
    public var maximumBackoffMilliseconds = 2000
    /// A PING is sent this often; a connection with more than `maximumOutstandingPings`
    /// unanswered is dropped as stale.
    public var pingIntervalMilliseconds = 5000
    public var maximumOutstandingPings = 2
    /// A written publish with no acknowledgement after this long counts as failed (republished).
    public var acknowledgementTimeoutMilliseconds = 5000
    /// When set, an acknowledgement from any other stream counts as a failed publish (the
    /// subject belongs to another stream) and is reported as `.acknowledgedByOtherStream`.
    public var expectedStream: String?
    /// Add the servers the cluster advertises (`connect_urls`) to the list.
    public var useAdvertisedServers = true

    public init(servers: [NATSServerAddress]) {
        self.servers = servers
    }
}

/// Something the operator may want to see; the client never prints by itself.
public enum NATSClientEvent: Sendable, Equatable {
    case connected(server: String, serverName: String)
    case connectFailed(server: String, reason: String)
    case disconnected(server: String, reason: String)
    /// A publish failed (no responders, an error reply, or no acknowledgement in time); the
    /// client stops writing new publishes and republishes from the oldest unacknowledged one
    /// after a delay.
    case publishFailed(reason: String)
    /// A publish was stored by another stream than `expectedStream`: their subjects overlap.
    /// Publishing pauses as after a failure.
    case acknowledgedByOtherStream(stream: String, subject: String)
    /// A republished message was acknowledged again: pipelining resumes.
    case publishRecovered
    /// `-ERR` from the server on an established connection.
    case serverError(String)
    /// New servers learned from the cluster.
    case discoveredServers([String])
}

/// What `publish` did with a message.
public enum PublishOutcome: Equatable, Sendable {
    case queued
    /// The in-flight window is full: poll until acknowledgements free room.
    case windowFull
    /// Subject, headers and payload exceed the server's `max_payload`; never sendable there.
    case tooLarge(limit: Int)
}
