import CLinux
import Synchronization

/// A bounds-checked view of raw memory: a segment's mapping or an appender's batch buffer.
///
/// This is the one place in IngestLog where pointers are dereferenced. Every access checks its
/// range with a precondition (a failed check is a bug in the log, never bad input: callers
/// validate offsets read from disk against `count` first, with `contains`).
///
/// Ownership: the view does not own the memory. Its creator (a `Segment`, a `ReaderSegment`,
/// a `BatchBuffer`) keeps the memory alive for as long as views of it are used, and a view is
/// never stored beyond its owner's lifetime.
///
/// Concurrency: plain loads and stores are not atomic. The only word touched by several threads
/// (or processes) at once is a record's state word, through `loadState`/`publishState`, which
/// use acquire/release ordering; all other bytes of a record are written before its state is
/// published and never change afterwards (recovery aside, which runs while no writer does).
struct RawBytes: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int

    init(base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    @inline(__always)
    func contains(_ offset: Int, _ length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= count && length <= count - offset
    }

    @inline(__always)
    private func check(_ offset: Int, _ length: Int) {
        precondition(contains(offset, length), "log memory access \(offset)+\(length) outside 0..<\(count)")
    }

    // MARK: Little-endian integers

    @inline(__always)
    func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        check(offset, MemoryLayout<T>.size)
        return T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        check(offset, MemoryLayout<T>.size)
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    // MARK: Cross-thread / cross-process words

    /// Loads a record's state word with acquire ordering: if it is nonzero, every byte the
    /// writer stored before publishing it is visible to the loads that follow.
    @inline(__always)
    func loadState(_ offset: Int) -> UInt32 {
        check(offset, 4)
        precondition(offset & 3 == 0, "state word must be 4-byte aligned")
        let word = (base + offset).assumingMemoryBound(to: Atomic<UInt32>.self)
        return UInt32(littleEndian: word.pointee.load(ordering: .acquiring))
    }

    /// Stores a record's state word with release ordering: the publication point.
    @inline(__always)
    func publishState(_ value: UInt32, at offset: Int) {
        check(offset, 4)
        precondition(offset & 3 == 0, "state word must be 4-byte aligned")
        let word = (base + offset).assumingMemoryBound(to: Atomic<UInt32>.self)
        word.pointee.store(value.littleEndian, ordering: .releasing)
    }

    /// Loads an 8-byte segment-header hint with acquire ordering.
    @inline(__always)
    func loadWord(_ offset: Int) -> UInt64 {
        check(offset, 8)
        precondition(offset & 7 == 0, "header word must be 8-byte aligned")
        let word = (base + offset).assumingMemoryBound(to: Atomic<UInt64>.self)
        return UInt64(littleEndian: word.pointee.load(ordering: .acquiring))
    }

    /// Stores an 8-byte segment-header hint with release ordering.
    @inline(__always)
    func publishWord(_ value: UInt64, at offset: Int) {
        check(offset, 8)
        precondition(offset & 7 == 0, "header word must be 8-byte aligned")
        let word = (base + offset).assumingMemoryBound(to: Atomic<UInt64>.self)
        word.pointee.store(value.littleEndian, ordering: .releasing)
    }

    // MARK: Byte ranges

    /// The bytes `offset ..< offset + length`; valid only while the owner keeps the memory.
    @inline(__always)
    func buffer(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
        check(offset, length)
        return UnsafeRawBufferPointer(start: base + offset, count: length)
    }

    @inline(__always)
    func copy(from source: UnsafeRawBufferPointer, to offset: Int) {
        guard source.count > 0 else { return }
        check(offset, source.count)
        (base + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
    }

    @inline(__always)
    func zero(_ offset: Int, _ length: Int) {
        guard length > 0 else { return }
        check(offset, length)
        (base + offset).initializeMemory(as: UInt8.self, repeating: 0, count: length)
    }

    /// A copy of the bytes, for readers handing records out.
    func array(_ offset: Int, _ length: Int) -> [UInt8] {
        Array(buffer(offset, length))
    }

    /// CRC32C of the bytes, continuing from `crc` (0 to start).
    @inline(__always)
    func crc32c(_ offset: Int, _ length: Int, continuing crc: UInt32 = 0) -> UInt32 {
        check(offset, length)
        return cl_crc32c(crc, base + offset, length)
    }

    /// The first offset in `from...through`, stepping by 8 from `from`, whose 4 bytes at +4 are a
    /// record magic of either layout: the candidate record starts when scanning for a header.
    func nextRecordMagic(from: Int, through: Int) -> Int? {
        guard from <= through else { return nil }
        check(from, through - from + 8)
        let v1 = RecordLayout.v1.magic.littleEndian
        let v2 = RecordLayout.v2.magic.littleEndian
        var position = from
        while position <= through {
            let magic = base.load(fromByteOffset: position + 4, as: UInt32.self)
            if magic == v2 || magic == v1 { return position }
            position += 8
        }
        return nil
    }

    /// Whether every byte in the range is zero.
    func isZero(_ offset: Int, _ length: Int) -> Bool {
        check(offset, length)
        var position = offset
        let end = offset + length
        while position < end && position & 7 != 0 {
            if base.load(fromByteOffset: position, as: UInt8.self) != 0 { return false }
            position += 1
        }
        while position + 64 <= end {
            var acc: UInt64 = 0
            for k in stride(from: 0, to: 64, by: 8) { acc |= base.load(fromByteOffset: position + k, as: UInt64.self) }
            if acc != 0 { return false }
            position += 64
        }
        while position < end {
            if base.load(fromByteOffset: position, as: UInt8.self) != 0 { return false }
            position += 1
        }
        return true
    }

    /// The offset one past the last nonzero byte in the range, or `offset` if all are zero.
    /// Reads the range once, front to back.
    func endOfNonzero(_ offset: Int, _ length: Int) -> Int {
        check(offset, length)
        var last = offset
        var position = offset
        let end = offset + length
        let chunk = 4096
        while position < end {
            let n = min(chunk, end - position)
            if !isZero(position, n) {
                var k = position + n
                while k > position && base.load(fromByteOffset: k - 1, as: UInt8.self) == 0 { k -= 1 }
                last = k
            }
            position += n
        }
        return last
    }
}
