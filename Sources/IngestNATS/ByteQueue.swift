/// A growable FIFO of bytes in one contiguous allocation: bytes are appended at the tail and
/// consumed from the head; the live bytes are moved to the front when the tail runs out of room.
///
/// The one place the NATS client touches raw memory. Invariants: `0 <= head <= tail <= capacity`;
/// the bytes in `head..<tail` are initialized; `consumedTotal` counts every byte ever consumed,
/// so `consumedTotal + i` names the byte at `head + i` for as long as it lives (the client's
/// publish window uses these logical offsets).
final class ByteQueue {
    private var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var head = 0
    private var tail = 0
    /// Bytes consumed since creation: the logical offset of the head.
    private(set) var consumedTotal = 0

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        storage = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var count: Int { tail - head }
    var isEmpty: Bool { tail == head }
    /// The logical offset one past the last byte.
    var endOffset: Int { consumedTotal + count }

    /// The live bytes. Valid until the next mutating call.
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage + head, count: tail - head) }

    /// The live bytes from logical offset `from` (>= consumedTotal) to the end, or to `to`.
    func bytes(from: Int, to: Int? = nil) -> UnsafeRawBufferPointer {
        let start = from - consumedTotal
        let end = (to ?? endOffset) - consumedTotal
        precondition(start >= 0 && start <= end && end <= count, "ByteQueue: range outside the live bytes")
        return UnsafeRawBufferPointer(start: storage + head + start, count: end - start)
    }

    func consume(_ n: Int) {
        precondition(n >= 0 && n <= count)
        head += n
        consumedTotal += n
        if head == tail { head = 0; tail = 0 }
    }

    func removeAll() {
        consumedTotal += count
        head = 0
        tail = 0
    }

    /// Room for at least `minimum` more bytes at the tail: moves live bytes to the front or grows.
    func reserve(_ minimum: Int) {
        if capacity - tail >= minimum { return }
        if head > 0 && capacity - count >= minimum && head >= count {
            // Moving is cheap only when the live part is small compared with what it frees.
            storage.copyMemory(from: storage + head, byteCount: count)
            tail = count
            head = 0
            return
        }
        var newCapacity = capacity
        while newCapacity - count < minimum { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: storage + head, byteCount: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
        tail = count
        head = 0
    }

    /// The free space at the tail (after `reserve`), to be filled and then `commit`ted.
    func writableTail() -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: storage + tail, count: capacity - tail)
    }

    func commit(_ n: Int) {
        precondition(n >= 0 && tail + n <= capacity)
        tail += n
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + tail).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        tail += bytes.count
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    func append(byte: UInt8) {
        reserve(1)
        storage.storeBytes(of: byte, toByteOffset: tail, as: UInt8.self)
        tail += 1
    }

    /// Decimal digits of `value`, without allocating.
    func append(decimal value: UInt64) {
        reserve(20)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of room for at most 20 digits
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[23 - count] = UInt8(truncatingIfNeeded: n % 10) + 0x30
                n /= 10
                count += 1
            } while n > 0
            (storage + tail).copyMemory(from: raw.baseAddress! + (24 - count), byteCount: count)
        }
        tail += count
    }
}
