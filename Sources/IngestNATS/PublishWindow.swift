/// The publishes not yet acknowledged, in the order they were queued: their encoded frames
/// (`HPUB ... \r\n headers payload \r\n`, each with its own reply token) back to back in one
/// byte queue, and one entry per frame in a ring.
///
/// Invariants: entries are in token order with consecutive tokens starting at `frontToken`;
/// entry i's frame is the byte range `start..<end` (logical offsets of `frames`) and entry
/// i + 1 starts where entry i ends; the queue's head is the front entry's start. `sendCursor`
/// is how far the current connection has been written, `sentCount` how many entries from the
/// front it has written whole. A frame is resent byte for byte after a rewind (same reply token,
/// same `Nats-Msg-Id`), so an acknowledgement of either copy completes it.
final class PublishWindow {
    struct Entry {
        var token: UInt64 = 0
        var start = 0
        var end = 0
        var context: UInt64 = 0
        var payloadBytes = 0
        var acknowledged = false
        /// Monotonic ns when the whole frame was last written; 0 while not written since a rewind.
        var sentAt: Int64 = 0
    }

    let frames: ByteQueue
    private var ring: [Entry]
    private var front = 0
    private(set) var count = 0
    private(set) var frontToken: UInt64 = 1
    private(set) var sendCursor = 0
    private(set) var sentCount = 0
    /// Sum of `payloadBytes` over the entries.
    private(set) var payloadBytes = 0

    init(maximumEntries: Int, initialBytes: Int) {
        ring = Array(repeating: Entry(), count: max(1, maximumEntries))
        frames = ByteQueue(capacity: initialBytes)
    }

    var capacity: Int { ring.count }
    var isFull: Bool { count == ring.count }
    var isEmpty: Bool { count == 0 }
    var nextToken: UInt64 { frontToken + UInt64(count) }

    @inline(__always) private func slot(_ index: Int) -> Int {
        let position = front + index
        return position >= ring.count ? position - ring.count : position
    }

    func entry(at index: Int) -> Entry { ring[slot(index)] }
    var frontEntry: Entry? { count > 0 ? ring[front] : nil }

    /// Records the frame just appended to `frames` (from `start` to the queue's end).
    func add(start: Int, context: UInt64, payloadBytes: Int) {
        precondition(!isFull, "PublishWindow: add while full")
        ring[slot(count)] = Entry(token: nextToken, start: start, end: frames.endOffset, context: context,
                                  payloadBytes: payloadBytes, acknowledged: false, sentAt: 0)
        count += 1
        self.payloadBytes += payloadBytes
    }

    /// The ring index of `token`, if it is still in the window.
    func index(of token: UInt64) -> Int? {
        guard token >= frontToken, token < frontToken + UInt64(count) else { return nil }
        return Int(token - frontToken)
    }

    /// Marks `token` acknowledged; returns its entry the first time, nil for unknown tokens or
    /// a second acknowledgement. Then drops acknowledged entries from the front.
    func acknowledge(_ token: UInt64) -> Entry? {
        guard let index = index(of: token) else { return nil }
        let position = slot(index)
        guard !ring[position].acknowledged else { return nil }
        ring[position].acknowledged = true
        let entry = ring[position]
        dropAcknowledgedFront()
        return entry
    }

    /// Pops acknowledged entries at the front, but never one the connection is in the middle of
    /// writing (its remaining bytes must still go out). An acknowledged front entry not yet
    /// written since a rewind is skipped by moving the cursor over it.
    private func dropAcknowledgedFront() {
        while count > 0 {
            let entry = ring[front]
            guard entry.acknowledged else { return }
            if sendCursor > entry.start && sendCursor < entry.end { return }
            frames.consume(entry.end - entry.start)
            if sendCursor < entry.end { sendCursor = entry.end }
            if sentCount > 0 { sentCount -= 1 }
            payloadBytes -= entry.payloadBytes
            front = front + 1 == ring.count ? 0 : front + 1
            count -= 1
            frontToken += 1
        }
        if count == 0 { sendCursor = frames.endOffset }
    }

    /// True when the cursor is between two frames (another protocol line may be written).
    var atFrameBoundary: Bool {
        sentCount < count ? sendCursor == entry(at: sentCount).start : sendCursor == frames.endOffset
    }

    /// Bytes to write next, up to `limit` (a logical offset).
    func unsentBytes(limit: Int) -> UnsafeRawBufferPointer? {
        guard limit > sendCursor else { return nil }
        return frames.bytes(from: sendCursor, to: limit)
    }

    /// Moves the cursor after `n` bytes were written; stamps entries written whole.
    func advance(by n: Int, now: Int64) {
        sendCursor += n
        while sentCount < count {
            let position = slot(sentCount)
            guard ring[position].end <= sendCursor else { break }
            ring[position].sentAt = now
            sentCount += 1
        }
        dropAcknowledgedFront()
    }

    /// Everything not acknowledged will be written again from the front (a new connection, or
    /// recovery after a failed publish).
    func rewind() {
        sendCursor = count > 0 ? ring[front].start : frames.endOffset
        sentCount = 0
        for index in 0..<count { ring[slot(index)].sentAt = 0 }
        dropAcknowledgedFront()
    }
}
