/// How big the duplicate index is and how long it remembers (`--dedup-capacity`, `--dedup-window`).
public struct DedupOptions: Sendable, Equatable {
    /// Messages the index holds per window; beyond it the oldest bucket expires early. Disk and
    /// memory: 48 bytes per message of capacity (1.5 slots of 32 bytes each), plus 4 KiB.
    public var capacity: Int
    /// How long a message is remembered, in nanoseconds (at least this long; at most one bucket,
    /// a fifteenth of it, longer).
    public var windowNanoseconds: Int64

    public static let defaultCapacity = 1_000_000
    public static let defaultWindowNanoseconds: Int64 = 15 * 86_400 * 1_000_000_000
    public static let minimumCapacity = 1024
    /// The window is cut into 15 buckets of at least a second each.
    public static let minimumWindowNanoseconds: Int64 = 15 * 1_000_000_000

    public init(capacity: Int = DedupOptions.defaultCapacity,
                windowNanoseconds: Int64 = DedupOptions.defaultWindowNanoseconds) {
        self.capacity = capacity
        self.windowNanoseconds = windowNanoseconds
    }

    /// The index file's size in bytes for these options.
    public var fileBytes: Int { IndexFormat.fileLength(slotCount: IndexFormat.slotCount(capacity: capacity)) }

    /// The values `serve` accepts.
    public static let capacityRange = minimumCapacity...(1 << 36)
    public static let windowRange = minimumWindowNanoseconds...(3650 * 86_400 * 1_000_000_000)

    var bucketLength: Int64 { windowNanoseconds / Int64(IndexFormat.bucketsPerWindow) }
}
