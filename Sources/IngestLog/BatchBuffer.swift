/// An appender's staging memory: records are encoded here, back to back, exactly as they will
/// lie in the segment, then written into the segment in one copy per chunk (`pwrite` or a copy
/// into the mapping: `LogAppender.copyAndPublish`).
///
/// Growth: doubles when a batch needs more, and is kept for the next batch, so a warm appender
/// does not allocate. A batch bigger than `retainLimit` (someone staged a very large body instead
/// of streaming it) is not kept: after such a commit the buffer shrinks back to its initial size,
/// which bounds a worker's idle memory.
///
/// Ownership and thread affinity: owned by one `LogAppender`, used on its thread only.
final class BatchBuffer {
    static let initialCapacity = 64 << 10
    static let retainLimit = 4 << 20

    private var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes of encoded records so far in the current batch.
    var used = 0

    init() {
        capacity = BatchBuffer.initialCapacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// The buffer's memory; valid until the next `reserve` or `reset`.
    var bytes: RawBytes { RawBytes(base: storage, count: capacity) }

    /// Makes room for `count` more bytes after `used`.
    func reserve(_ count: Int) {
        let needed = used + count
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: storage, byteCount: used)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    /// Empties the buffer for the next batch, shrinking it if it grew past `retainLimit`.
    func reset() {
        used = 0
        if capacity > BatchBuffer.retainLimit {
            storage.deallocate()
            capacity = BatchBuffer.initialCapacity
            storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        }
    }
}
