/// The kinds (object or array) of the open containers, one byte per nesting level, preallocated
/// for the scanner's whole depth limit so scanning never allocates.
///
/// Owns its memory (freed in `deinit`); `~Copyable` so it cannot be duplicated or freed twice.
/// Indices are checked only in debug builds: the scanner refuses to nest deeper than `capacity`
/// before it ever writes here.
struct ContainerStack: ~Copyable {
    private let kinds: UnsafeMutablePointer<Bool>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        kinds = .allocate(capacity: max(1, capacity))
    }

    deinit { kinds.deallocate() }

    /// Records the kind of the container at nesting level `level` (0 = the top-level value).
    @inline(__always)
    func set(_ level: Int, isObject: Bool) {
        assert(level >= 0 && level < capacity, "container level \(level) outside 0..<\(capacity)")
        kinds[level] = isObject
    }

    @inline(__always)
    func isObject(_ level: Int) -> Bool {
        assert(level >= 0 && level < capacity, "container level \(level) outside 0..<\(capacity)")
        return kinds[level]
    }
}
