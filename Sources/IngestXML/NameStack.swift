/// The names of the open elements, innermost last, and the namespace prefixes declared on them:
/// what end tags are matched against and prefixes resolved with.
///
/// Layout: one byte buffer of `XMLLimits.openNameBytes` holding, for each open element, its
/// qualified name followed by the prefixes its start tag declared; a level table (one entry per
/// open element, `maxDepth` entries) and a prefix table (`XMLLimits.maximumPrefixesInScope`
/// entries) index into it. Closing an element drops everything above its name's start, so the
/// buffer is a stack and nothing is ever searched except prefixes (a few, innermost first).
///
/// All memory is allocated in `init`. Appends report `false` instead of writing past the room;
/// the scanner turns that into `.depthLimitExceeded`. Owns its memory (`~Copyable`); one thread.
struct NameStack: ~Copyable {
    struct Level {
        var nameStart: Int32
        var nameLength: UInt16
        /// Bytes before the colon of a prefixed name; 0 for an unprefixed one.
        var prefixLength: UInt16
        /// Prefix-table entries that belong to enclosing elements.
        var prefixBase: UInt16
    }

    private struct Prefix {
        var start: Int32
        var length: UInt16
    }

    private let bytes: UnsafeMutablePointer<UInt8>
    private let levels: UnsafeMutablePointer<Level>
    private let prefixes: UnsafeMutablePointer<Prefix>
    let levelCapacity: Int
    /// Bytes in use.
    private(set) var top = 0
    /// Open elements.
    private(set) var depth = 0
    private(set) var prefixCount = 0

    init(maxDepth: Int) {
        levelCapacity = maxDepth
        // 16 bytes of slack after the room, so 16-byte loads and stores of short names never
        // leave the allocation (`appendShort`, `innermostNameStarts`).
        bytes = .allocate(capacity: XMLLimits.openNameBytes &+ 16)
        bytes.initialize(repeating: 0, count: XMLLimits.openNameBytes &+ 16)
        levels = .allocate(capacity: max(1, maxDepth))
        prefixes = .allocate(capacity: XMLLimits.maximumPrefixesInScope)
    }

    deinit {
        bytes.deallocate()
        levels.deallocate()
        prefixes.deallocate()
    }

    mutating func reset() {
        top = 0
        depth = 0
        prefixCount = 0
    }

    /// Where the name being read starts (names are appended at the top, then pushed).
    var pendingNameStart: Int { top }

    /// Appends `count` bytes of the name being read; false when the room is exhausted.
    @inline(__always)
    mutating func append(_ source: UnsafeRawPointer, _ count: Int) -> Bool {
        guard count <= XMLLimits.openNameBytes &- top else { return false }
        copyName(to: bytes + top, from: source, count)
        top &+= count
        return true
    }

    /// Appends a name of `count` (at most 16) bytes with one 16-byte copy: the caller has checked
    /// the room, and that 16 bytes are readable at `source`. The bytes after the name are
    /// overwritten, which is harmless: they are beyond `top`.
    @inline(__always)
    mutating func appendShort(_ source: UnsafeRawPointer, _ count: Int) {
        assert(count <= 16 && count <= XMLLimits.openNameBytes &- top)
        UnsafeMutableRawPointer(bytes + top).storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        top &+= count
    }

    /// Whether the innermost element's name (at most 16 bytes) is at `source`, which must have 16
    /// readable bytes.
    @inline(__always)
    func innermostNameStarts(_ source: UnsafeRawPointer, length: Int) -> Bool {
        NameRun.equalPrefix(source, UnsafeRawPointer(bytes + Int(levels[depth &- 1].nameStart)), length: length)
    }

    /// The name appended since `pendingNameStart` becomes the innermost open element's (the
    /// caller checked `depth < levelCapacity`).
    @inline(__always)
    mutating func push(nameStart: Int, prefixLength: Int) {
        assert(depth < levelCapacity)
        levels[depth] = Level(nameStart: Int32(truncatingIfNeeded: nameStart),
                              nameLength: UInt16(truncatingIfNeeded: top &- nameStart),
                              prefixLength: UInt16(truncatingIfNeeded: prefixLength),
                              prefixBase: UInt16(truncatingIfNeeded: prefixCount))
        depth &+= 1
    }

    /// Closes the innermost element: its name and prefixes are forgotten.
    @inline(__always)
    mutating func pop() {
        depth &-= 1
        let level = levels[depth]
        top = Int(level.nameStart)
        prefixCount = Int(level.prefixBase)
    }

    /// The innermost open element (the caller checked `depth > 0`).
    @inline(__always)
    var innermost: Level { levels[depth &- 1] }

    /// Bytes of the innermost element's name from `index` on, for comparing a run of an end tag.
    @inline(__always)
    func innermostNameMatches(_ source: UnsafeRawPointer, count: Int, from index: Int) -> Int {
        let name = UnsafeRawPointer(bytes + (Int(levels[depth &- 1].nameStart) &+ index))
        var matched = 0
        while matched < count
            && source.load(fromByteOffset: matched, as: UInt8.self) == name.load(fromByteOffset: matched, as: UInt8.self) {
            matched &+= 1
        }
        return matched
    }

    /// The innermost element's prefix bytes (empty when unprefixed); valid only inside `body`.
    func withInnermostPrefix<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let level = levels[depth &- 1]
        return body(UnsafeRawBufferPointer(start: bytes + Int(level.nameStart), count: Int(level.prefixLength)))
    }

    /// Whether `bytes[start..<start+length]` spell `expected`.
    func bytesEqual(_ start: Int, _ length: Int, _ expected: StaticString) -> Bool {
        guard length == expected.utf8CodeUnitCount else { return false }
        let name = expected.utf8Start
        for index in 0..<length where bytes[start &+ index] != name[index] { return false }
        return true
    }

    /// Declares `prefix` on the innermost element; false when the room is exhausted.
    mutating func declare(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard prefixCount < XMLLimits.maximumPrefixesInScope, let source = prefix.baseAddress else { return false }
        let start = top
        guard append(source, prefix.count) else { return false }
        prefixes[prefixCount] = Prefix(start: Int32(truncatingIfNeeded: start), length: UInt16(truncatingIfNeeded: prefix.count))
        prefixCount &+= 1
        return true
    }

    /// `prefix` is declared by an open element (`xml` is always declared).
    func isDeclared(_ prefix: UnsafeRawBufferPointer) -> Bool {
        if prefix.count == 3 && prefix[0] == 0x78 && prefix[1] == 0x6D && prefix[2] == 0x6C { return true }  // "xml"
        var index = prefixCount
        while index > 0 {
            index &-= 1
            let entry = prefixes[index]
            guard Int(entry.length) == prefix.count else { continue }
            if UnsafeRawBufferPointer(start: bytes + Int(entry.start), count: prefix.count).elementsEqual(prefix) { return true }
        }
        return false
    }
}
