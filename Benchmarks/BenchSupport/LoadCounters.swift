/// One thread's (or, merged, the whole run's) counts. The per-message arrays stay per thread,
/// indexed like that thread's `RequestPool`, for the exactly-once check.
public struct LoadCounters: Sendable {
    /// Responses by status code (index = status, 0..<600).
    public var statusCounts = [UInt64](repeating: 0, count: 600)
    public var completed: UInt64 = 0
    /// Body bytes of the requests that got a response.
    public var bodyBytesCompleted: UInt64 = 0
    /// Bytes written to sockets (heads and bodies).
    public var bytesWritten: UInt64 = 0
    /// Errors by stable name (`connect-failed`, `closed-with-requests-in-flight`, ...).
    public var errors: [String: UInt64] = [:]
    /// Requests written (at least partly) whose answer never came.
    public var lostInFlight: UInt64 = 0
    /// Open loop: arrivals that were due but never sent (the target rate was not sustained).
    public var unsentBacklog: UInt64 = 0
    /// Connections opened, including the first ones.
    public var connectionsOpened: UInt64 = 0
    /// `--tls`: handshakes completed, and how many of them resumed a session.
    public var tlsHandshakes: UInt64 = 0
    public var tlsResumed: UInt64 = 0
    /// Connections the server closed (`Connection: close` or end of stream while idle).
    public var serverClosed: UInt64 = 0
    /// Forged signatures answered 2xx: a security failure.
    public var forgedAccepted: UInt64 = 0
    /// Forged signatures answered neither 401 nor 2xx.
    public var forgedOtherStatus: UInt64 = 0
    /// Genuine signatures answered 401: the generator and server disagree on HMAC.
    public var genuineUnauthorized: UInt64 = 0
    public var latency = LatencyHistogram()
    /// Per pool message: how often it was written, and how often answered 200.
    public var sends: [UInt32] = []
    public var oks: [UInt32] = []
    /// When sending started and when the last response arrived (monotonic nanoseconds).
    public var startTime: UInt64 = 0
    public var endTime: UInt64 = 0

    public init() {}

    mutating func count(_ error: String, _ amount: UInt64 = 1) {
        errors[error, default: 0] += amount
    }

    /// Adds `other` (everything except the per-message arrays).
    public mutating func merge(_ other: LoadCounters) {
        for i in 0..<statusCounts.count { statusCounts[i] += other.statusCounts[i] }
        completed += other.completed
        bodyBytesCompleted += other.bodyBytesCompleted
        bytesWritten += other.bytesWritten
        for (k, v) in other.errors { errors[k, default: 0] += v }
        lostInFlight += other.lostInFlight
        unsentBacklog += other.unsentBacklog
        connectionsOpened += other.connectionsOpened
        tlsHandshakes += other.tlsHandshakes
        tlsResumed += other.tlsResumed
        serverClosed += other.serverClosed
        forgedAccepted += other.forgedAccepted
        forgedOtherStatus += other.forgedOtherStatus
        genuineUnauthorized += other.genuineUnauthorized
        latency.merge(other.latency)
        startTime = startTime == 0 ? other.startTime : min(startTime, other.startTime)
        endTime = max(endTime, other.endTime)
    }

    public var totalErrors: UInt64 { errors.values.reduce(0, +) }
}
