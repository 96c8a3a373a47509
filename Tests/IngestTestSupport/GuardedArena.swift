#if canImport(Glibc)
import Glibc
#endif

/// Memory for feeding the scanner one piece at a time with an inaccessible (`PROT_NONE`) page
/// right after the piece's last byte, or right before its first byte, so any read outside the
/// piece crashes the test instead of passing silently (picohttpparser's guard-page trick).
///
/// One arena is reused for every piece (copying the piece in), so feeding byte by byte costs no
/// system calls. Owns its mapping; unmapped in `deinit`. Used by the JSON and XML scanner tests.
public final class GuardedArena {
    public enum Guard: Sendable { case after, before }

    private let base: UnsafeMutableRawPointer
    private let mappedBytes: Int
    private let page: Int
    /// Usable bytes between the two guard pages.
    public let capacity: Int

    /// - Parameter capacity: the largest piece it can hold (rounded up to whole pages).
    public init(capacity: Int) {
        page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let usable = (capacity + page - 1) / page * page
        self.capacity = usable
        mappedBytes = usable + 2 * page
        let mapped = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(mapped != MAP_FAILED, "mmap failed")
        base = mapped!
        precondition(mprotect(base, page, PROT_NONE) == 0, "mprotect failed")
        precondition(mprotect(base + page + usable, page, PROT_NONE) == 0, "mprotect failed")
    }

    deinit { munmap(base, mappedBytes) }

    /// Copies `piece` next to a guard page and calls `body` with it.
    public func withGuarded<R>(_ piece: ArraySlice<UInt8>, _ where: Guard, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(piece.count <= capacity, "piece of \(piece.count) bytes exceeds arena capacity \(capacity)")
        let start = `where` == .after ? base + page + capacity - piece.count : base + page
        piece.withUnsafeBytes { start.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(start), byteCount: piece.count) }
        return body(UnsafeRawBufferPointer(start: start, count: piece.count))
    }
}
