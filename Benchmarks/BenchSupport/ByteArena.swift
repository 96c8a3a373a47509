#if canImport(Glibc)
import Glibc
#endif

/// A growable block of raw bytes holding pre-generated requests back to back.
///
/// Why not `[UInt8]`: the client loop hands out pointers into this block for `write(2)` for the
/// whole run; a plain allocation that never moves once generation is over keeps that simple and
/// free of copy-on-write and exclusivity checks on the hot path.
///
/// Ownership: the arena owns its memory and frees it in `deinit`. Pointers from `baseAddress`
/// are valid until the arena is deallocated or grows (only `append` grows it; it is not called
/// after generation). Thread affinity: filled by one thread, then read by exactly one client
/// thread; never shared concurrently.
public final class ByteArena {
    public private(set) var count: Int = 0
    public private(set) var capacity: Int
    private var storage: UnsafeMutableRawPointer

    public init(capacity: Int) {
        self.capacity = max(64, capacity)
        guard let memory = malloc(self.capacity) else { fatalError("ByteArena: out of memory (\(self.capacity) bytes)") }
        self.storage = memory
    }

    deinit { free(storage) }

    /// The first byte. Stable while no `append` grows the arena.
    public var baseAddress: UnsafeRawPointer { UnsafeRawPointer(storage) }

    /// Appends `bytes`, growing (and possibly moving) the block when needed.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Calls `body` with the bytes in `range`; the pointer must not escape.
    public func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "ByteArena: range \(range) outside 0..<\(count)")
        return try body(UnsafeRawBufferPointer(start: storage + range.lowerBound, count: range.count))
    }

    /// A copy of the bytes in `range` (tests and checks; not for the hot path).
    public func bytes(_ range: Range<Int>) -> [UInt8] {
        withBytes(range) { [UInt8]($0) }
    }

    private func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity * 2 }
        guard let memory = realloc(storage, newCapacity) else { fatalError("ByteArena: out of memory (\(newCapacity) bytes)") }
        storage = memory
        capacity = newCapacity
    }
}
