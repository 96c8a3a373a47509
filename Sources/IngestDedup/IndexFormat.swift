// THE DUPLICATE INDEX FILE (version 1)
// ====================================
//
// One file, `dedup.index`, in the log's folder, written only by the process that holds the log's
// writer lock. All integers little-endian. It maps a message id to the sequence number of the
// message's first copy, for the messages received in the last `--dedup-window`.
//
// Layout: a 4096-byte header, then `slot count` slots of 32 bytes (preallocated with
// posix_fallocate, mapped MAP_SHARED, prefaulted at start).
//
// Header
//   offset size
//     0     8   magic "CIDEDUP\0"
//     8     4   version = 1
//    12     4   header length = 4096
//    16     8   slot count
//    24     8   capacity: messages per window (the slot count is 1.5 times it, see below)
//    32     8   bucket length in nanoseconds (window / 15)
//    40     4   buckets per window = 15
//    44     4   CRC32C of bytes 0..<44
//   -- state, updated while the index is open --
//    64     8   "RUNNING\0" while a writer has it open, "CLOSED\0\0" after a clean close
//    72    16   boot id (Linux /proc/sys/kernel/random/boot_id, as 16 bytes) of the boot that opened it
//    88     8   applied-through: every log record with a smaller sequence number that carries a
//               message id has been shown to the index (kept up to date with every call)
//    96     4   current bucket
//   100     4   early-expiry floor: buckets below it were expired early because the index was full
//   104     8   early expiries so far (lifetime)
//   112     8   entries expired early so far (lifetime)
//   120     4   CRC32C of bytes 64..<120, written by a clean close (checked only in state CLOSED)
//
// Slot (32 bytes; all zero = empty)
//     0    16   message id (high word, then low word)
//    16     8   sequence number of the first copy
//    24     4   bucket: the time bucket the entry belongs to (never 0)
//    28     4   CRC32C of bytes 0..<28
//
// TIME BUCKETS. Time is cut into buckets of window/15 (one day for the default 15-day window),
// numbered floor(receivedAt / bucket length) + 1. The current bucket is the newest one any
// message has been received in (it only moves forward). An entry belongs to the bucket that was
// current when it was inserted and is live while current - bucket <= 15 and bucket >= the
// early-expiry floor: so every entry lives at least a whole window. Expiry is one comparison:
// nothing is rewritten when a bucket expires; dead entries are removed lazily (below).
//
// THE TABLE is open addressing with linear probing: an id's home slot is (m * slot count) >> 64,
// where m is SplitMix64's finalizer applied to low ^ (high * 0x9E3779B97F4A7C15) (z ^= z >> 30;
// z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31), and its entry
// is in the first slot from home on that holds it;
// no empty slot lies between an entry's home and the entry. A lookup walks from home to the first
// empty slot. Dead entries it meets on the way are deleted there and then (backward-shift
// deletion: later entries of the cluster move back toward their homes, keeping the rule above),
// and a sweep cursor deletes dead entries a fixed number of slots per insertion, enough to pass
// over the whole table once per bucket at full load. So there are no tombstones, and with at most
// `capacity` live entries in 1.5 x capacity slots, plus about one bucket of dead entries awaiting
// the sweep, the table stays under ~72% full.
//
// FULL. When an insertion would make more than `capacity` entries live, the oldest live bucket
// expires early (the floor moves past it); if the current bucket is the only one live, the current
// bucket is closed and a new one begins. Nothing is ever refused.
//
// CRASHES. The log is the truth. An insertion happens under the log's reservation lock just before
// the record is copied and published, so after kill -9 the index may hold entries for records
// that were never published (recovery voids them); these all lie at or after the first segment
// recovery walks, and are checked against the log at the next start and removed. kill -9 can also
// tear the one slot being written (the only writer holds the log's lock): a bad slot in state
// RUNNING is removed and its cluster re-seated; any other damage, a header that does not check
// out, a changed capacity or window, or a RUNNING index from an earlier boot of the machine (its
// pages may not all have reached the disk) makes the start rebuild the index from the log.
import IngestLog

enum IndexFormat {
    static let magic: UInt64 = 0x0050_5544_4544_4943 // "CIDEDUP\0"
    static let version: UInt32 = 1
    static let headerLength = 4096
    static let fixedChecksummedLength = 44
    static let fixedChecksumOffset = 44
    static let stateOffset = 64
    static let bootIdOffset = 72
    static let appliedThroughOffset = 88
    static let currentBucketOffset = 96
    static let earlyFloorOffset = 100
    static let earlyExpiriesOffset = 104
    static let earlyExpiredEntriesOffset = 112
    static let stateChecksumOffset = 120
    static let stateChecksummedRange = 64..<120
    static let running: UInt64 = 0x0047_4E49_4E4E_5552 // "RUNNING\0"
    static let closed: UInt64 = 0x0000_4445_534F_4C43 // "CLOSED\0\0"

    static let slotLength = 32
    static let slotChecksummedLength = 28
    /// Slots per 4 KiB page: the slot count is a multiple of it.
    static let slotsPerPage = 128
    static let bucketsPerWindow: UInt32 = 15
    /// Slots per unit of capacity (numerator/denominator): 1.5.
    static let slotsPerEntry = (3, 2)

    /// The slot count for a capacity: 1.5 x capacity, rounded up to whole pages.
    static func slotCount(capacity: Int) -> Int {
        let raw = (capacity * slotsPerEntry.0 + slotsPerEntry.1 - 1) / slotsPerEntry.1
        return (raw + slotsPerPage - 1) / slotsPerPage * slotsPerPage
    }

    /// The file size for a slot count.
    static func fileLength(slotCount: Int) -> Int { headerLength + slotCount * slotLength }

    static let fileName = "dedup.index"
}
