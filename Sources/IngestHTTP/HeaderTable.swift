/// One header line of the current head: name and OWS-trimmed value, as spans into the caller's bytes.
struct HeaderEntry {
    var name: ByteSpan
    var value: ByteSpan
}

/// The preallocated header slots of one `RequestParser`.
///
/// Owns its memory: allocated once in `init` (capacity = `HTTPLimits.maxHeaderCount`, at least 1),
/// freed in `deinit`, never resized, so parsing a request never allocates. `~Copyable` so the
/// pointer has exactly one owner and cannot be freed twice. All methods are non-mutating (the
/// pointer is a `let`), which keeps exclusivity checks off the hot path.
/// Not thread-safe; used only by its parser's thread.
struct HeaderTable: ~Copyable {
    private let slots: UnsafeMutablePointer<HeaderEntry>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        slots = .allocate(capacity: self.capacity)
        slots.initialize(repeating: HeaderEntry(name: ByteSpan(), value: ByteSpan()), count: self.capacity)
    }

    deinit {
        slots.deallocate()
    }

    /// Crashes on an index outside the table (a parser bug: the count is checked before storing).
    @inline(__always)
    func store(_ entry: HeaderEntry, at index: Int) {
        precondition(index >= 0 && index < capacity, "header slot \(index) outside the table")
        slots[index] = entry
    }

    @inline(__always)
    func entry(at index: Int) -> HeaderEntry {
        precondition(index >= 0 && index < capacity, "header slot \(index) outside the table")
        return slots[index]
    }
}
