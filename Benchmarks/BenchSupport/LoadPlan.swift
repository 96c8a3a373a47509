import IngestTLS

/// What one client thread does: its share of the connections, messages and arrival rate.
public struct LoadPlan: Sendable {
    public var address: LoopbackAddress
    /// Keep-alive connections this thread opens (replaced when the server closes one).
    public var connections: Int
    /// Requests in flight per connection (1 = no pipelining).
    public var pipeline: Int
    /// Stop sending this long after `startTime` (nanoseconds); nil with `messages`.
    public var duration: UInt64?
    /// Stop after sending this many; nil with `duration`.
    public var messages: Int?
    /// Open loop: this thread's arrivals per second on a fixed schedule. nil: closed loop.
    public var rate: Double?
    /// Open loop: the first arrival's offset after `startTime` (spreads threads' schedules).
    public var firstArrivalOffset: UInt64
    /// When sending starts (absolute monotonic nanoseconds); connections open before it.
    public var startTime: UInt64
    /// Give up after this long without any progress (no response, no connect), nanoseconds.
    public var stallTimeout: UInt64
    /// `--tls`: every connection makes a TLS handshake with this client context (which resumes
    /// sessions when built with `resume`); nil: plain HTTP.
    public var tls: TLSClientContext?

    public init(address: LoopbackAddress, connections: Int, pipeline: Int, duration: UInt64?, messages: Int?,
                rate: Double?, firstArrivalOffset: UInt64 = 0, startTime: UInt64, stallTimeout: UInt64,
                tls: TLSClientContext? = nil) {
        self.tls = tls
        self.address = address
        self.connections = connections
        self.pipeline = pipeline
        self.duration = duration
        self.messages = messages
        self.rate = rate
        self.firstArrivalOffset = firstArrivalOffset
        self.startTime = startTime
        self.stallTimeout = stallTimeout
    }
}
