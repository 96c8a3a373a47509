/// The attribute names of the start tag being read: for rejecting duplicates, and for resolving
/// their prefixes once the tag is complete (a declaration may follow the attribute that uses it).
///
/// Bounded: at most `XMLLimits.maximumAttributes` names, `XMLLimits.attributeNameBytes` bytes of
/// names together, both allocated once in `init`. A duplicate is found by comparing the new
/// name's 32-bit FNV-1a hash with each earlier one's and the bytes only when hashes are equal:
/// at most 64 integer compares per attribute, so a tag costs at most 64 × 64 compares however
/// its names are chosen (no hash table to flood).
///
/// Owns its memory (`~Copyable`); one thread. Appends report `false` instead of writing past
/// the room; the scanner turns that into `.tooManyAttributes`.
struct AttributeTable: ~Copyable {
    struct Entry {
        var start: UInt16
        var length: UInt16
        var prefixLength: UInt16
        var hash: UInt32
    }

    private let bytes: UnsafeMutablePointer<UInt8>
    private let entries: UnsafeMutablePointer<Entry>
    private(set) var count = 0
    private var top = 0
    /// Where the name being read starts.
    private var pendingStart = 0

    init() {
        bytes = .allocate(capacity: XMLLimits.attributeNameBytes)
        entries = .allocate(capacity: XMLLimits.maximumAttributes)
    }

    deinit {
        bytes.deallocate()
        entries.deallocate()
    }

    /// Starts a new start tag.
    @inline(__always)
    mutating func reset() {
        count = 0
        top = 0
    }

    /// Starts reading one more name; false when the tag already has the most attributes allowed.
    @inline(__always)
    mutating func beginName() -> Bool {
        pendingStart = top
        return count < XMLLimits.maximumAttributes
    }

    /// Appends `count` bytes of the name being read; false when the room is exhausted.
    @inline(__always)
    mutating func append(_ source: UnsafeRawPointer, _ byteCount: Int) -> Bool {
        guard byteCount <= XMLLimits.attributeNameBytes &- top else { return false }
        copyName(to: bytes + top, from: source, byteCount)
        top &+= byteCount
        return true
    }

    /// Bytes the name being read may still take.
    var pendingRoom: Int { XMLLimits.attributeNameBytes &- top }

    /// The name being read so far; valid only inside `body`.
    func withPendingName<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: bytes + pendingStart, count: top &- pendingStart))
    }

    /// The name being read is complete: records it, or returns false (and records nothing) when
    /// an earlier attribute of this tag has the same name.
    mutating func finishName(prefixLength: Int) -> Bool {
        let length = top &- pendingStart
        var hash: UInt32 = 0x811C_9DC5
        for index in pendingStart..<top { hash = (hash ^ UInt32(bytes[index])) &* 0x0100_0193 }
        for index in 0..<count {
            let entry = entries[index]
            guard entry.hash == hash, Int(entry.length) == length else { continue }
            if memoryEqual(bytes + Int(entry.start), bytes + pendingStart, length) {
                top = pendingStart
                return false
            }
        }
        entries[count] = Entry(start: UInt16(truncatingIfNeeded: pendingStart), length: UInt16(truncatingIfNeeded: length),
                               prefixLength: UInt16(truncatingIfNeeded: prefixLength), hash: hash)
        count &+= 1
        return true
    }

    /// Attribute `index`'s prefix (empty when unprefixed); valid only inside `body`.
    func withPrefix<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let entry = entries[index]
        return body(UnsafeRawBufferPointer(start: bytes + Int(entry.start), count: Int(entry.prefixLength)))
    }

    /// Attribute `index`'s local part (the whole name when unprefixed); valid only inside `body`.
    func withLocalName<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let entry = entries[index]
        let skip = entry.prefixLength == 0 ? 0 : Int(entry.prefixLength) &+ 1
        return body(UnsafeRawBufferPointer(start: bytes + (Int(entry.start) &+ skip), count: Int(entry.length) &- skip))
    }

    @inline(__always)
    private func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        for index in 0..<count where a[index] != b[index] { return false }
        return true
    }
}
