/// How a `MessageLog` is laid out, made durable and trimmed. Built once from the flags.
public struct LogOptions: Sendable {
    /// The size of each new segment file, preallocated in full (`--segment-size`). A record that
    /// does not fit in a segment of this size gets a segment of its own (flagged oversized).
    /// Existing segments keep the size they were created with.
    public var segmentSize: Int
    /// `--sync`. The default is `.batch`: a 200 tells DocuSign to forget the message (it will
    /// never resend it), so the answer should survive a power cut, not only a process crash.
    /// Group commit makes that cheap per message: a worker syncs once per event-loop pass, for
    /// every request that finished in it, and the kernel merges concurrent syncs into one
    /// journal commit. `.none` is several times faster per batch but acknowledges records a
    /// machine crash can lose; `.interval` bounds that loss to a time window.
    public var sync: SyncPolicy
    /// `--retain-bytes`: delete the oldest whole segments while the log's files total more.
    public var retainBytes: Int64?
    /// `--retain-age` in seconds: delete the oldest whole segments whose newest record is older.
    public var retainAgeSeconds: Int64?

    /// How much of the log behind the append position the writer leaves in the page cache;
    /// older pages are written back and handed back to the kernel (see `MessageLog`, "page
    /// cache"). Not a flag: the default suits every deployment; tests make it small.
    public var cacheWindow: Int = 64 << 20
    /// Under durable sync policies, how far beyond the append position zeros are written ahead
    /// of the records, and in steps of how many bytes (see `MessageLog`, "Zeros ahead"). Not
    /// flags; tests make them small. 0 turns it off.
    public var zeroAhead: Int = 4 << 20
    public var zeroStep: Int = 512 << 10
    /// Zeros ahead pause while sync rounds average more bytes than this: past it the extra
    /// writeback costs a round more than the extent conversion the zeros save.
    public var zeroAheadMaxRoundBytes: Int = 64 << 10

    public static let defaultSegmentSize = 128 << 20
    /// Segments smaller than this are not useful; `MessageLog.open` raises smaller values to it.
    public static let minimumSegmentSize = 4096

    public init(segmentSize: Int = 128 << 20, sync: SyncPolicy = .batch,
                retainBytes: Int64? = nil, retainAgeSeconds: Int64? = nil) {
        self.segmentSize = segmentSize
        self.sync = sync
        self.retainBytes = retainBytes
        self.retainAgeSeconds = retainAgeSeconds
    }
}
