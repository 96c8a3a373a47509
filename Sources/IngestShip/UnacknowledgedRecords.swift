/// The records published and not yet below the checkpoint, in publish (= sequence) order, with
/// what the lag figures need. An array used as a queue (head index, compacted when half used),
/// so steady state does not allocate.
struct UnacknowledgedRecords {
    struct Entry {
        var sequence: UInt64
        var receivedAtNanoseconds: Int64
        var bodyBytes: Int
    }

    private var entries: [Entry] = []
    private var head = 0
    private(set) var bodyBytes = 0

    init(capacity: Int) { entries.reserveCapacity(capacity) }

    var count: Int { entries.count - head }
    var oldest: Entry? { head < entries.count ? entries[head] : nil }

    mutating func append(_ entry: Entry) {
        entries.append(entry)
        bodyBytes += entry.bodyBytes
    }

    /// Drops entries whose sequence is below `checkpoint`.
    mutating func dropBelow(_ checkpoint: UInt64) {
        while head < entries.count, entries[head].sequence < checkpoint {
            bodyBytes -= entries[head].bodyBytes
            head += 1
        }
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
