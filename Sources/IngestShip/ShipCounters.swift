/// What the shipper has done since it started, for the summary lines.
public struct ShipCounters: Sendable, Equatable {
    /// Records handed to the client (a record republished after a reconnect counts once).
    public var published: UInt64 = 0
    public var publishedBytes: UInt64 = 0
    /// Acknowledged by the stream, of which `duplicates` were already in it.
    public var acknowledged: UInt64 = 0
    public var duplicates: UInt64 = 0
    /// Left out by the filters.
    public var filtered: UInt64 = 0
    /// Records that could not be shipped (larger than the server's max_payload) and sequence
    /// ranges lost to retention before they were shipped.
    public var unshippable: UInt64 = 0
    public var missingRanges: UInt64 = 0
    public var reconnects = 0
    /// The checkpoint: every record below it is acknowledged or filtered out.
    public var checkpoint: UInt64 = 0

    public init() {}
}
