#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer that owns its memory and reuses it: `removeAll()` keeps the
/// capacity, so a connection's buffers stop allocating once they have seen their largest input.
///
/// Invariant: `0 <= count <= capacity`; bytes `[0, count)` are initialized. Not thread-safe:
/// owned by one connection, on one worker thread.
final class OwnedBytes {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity: Int = 0
    private(set) var count: Int = 0

    init(capacity: Int = 0) {
        if capacity > 0 { reserve(capacity) }
    }

    deinit { free(base) }

    var isEmpty: Bool { count == 0 }

    /// Makes room for at least `capacity` bytes in total, keeping the contents.
    func reserve(_ capacity: Int) {
        guard capacity > self.capacity else { return }
        let newCapacity = max(capacity, self.capacity * 2, 256)
        guard let grown = realloc(base, newCapacity) else { fatalError("out of memory growing a buffer to \(newCapacity) bytes") }
        base = grown
        self.capacity = newCapacity
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(count + bytes.count)
        memcpy(base! + count, bytes.baseAddress!, bytes.count)
        count += bytes.count
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    func removeFirst(_ n: Int) {
        precondition(n <= count, "removing \(n) of \(count) bytes")
        if n < count { memmove(base!, base! + n, count - n) }
        count -= n
    }

    func removeAll() { count = 0 }

    /// Frees the memory if it grew beyond `limit`, so one huge request does not pin memory for
    /// the connection's whole life.
    func shrink(ifAbove limit: Int) {
        if capacity > limit {
            free(base)
            base = nil
            capacity = 0
            count = 0
        }
    }

    /// The initialized bytes. The pointer must not escape `body`.
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
