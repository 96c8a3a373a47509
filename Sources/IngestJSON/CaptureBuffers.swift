/// The scanner-owned storage that field values (and the key being matched) are copied into.
///
/// Slots are small byte buffers allocated once, in `init`. A value slot grows (doubling) only when
/// a value is longer than its room, which real Connect messages never need; `shrinkOversized()`
/// gives such memory back when the scanner is reset, so one odd message does not pin it for the
/// life of the connection. The key slot never grows: a key longer than it cannot be one of the
/// names we look for, so it is only marked `overflowed`.
///
/// Ownership: owns every slot's bytes and frees them in `deinit`; `~Copyable` so ownership
/// cannot be duplicated. Bytes are handed out only inside `withBytes`, whose pointer must not
/// escape. Not thread-safe: it belongs to one scanner, used by one thread at a time.
struct CaptureBuffers: ~Copyable {
    /// Slot numbers. `key` holds the key being read; the others hold values by their path.
    enum Slot: UInt8 {
        case key = 0
        case event = 1
        case configurationId = 2
        /// Top-level `envelopeId` (legacy JSON format).
        case envelopeId = 3
        case generatedDateTime = 4
        /// `data.envelopeId` (Connect 2.0).
        case dataEnvelopeId = 5
    }

    private struct Storage {
        var base: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var count: Int
        /// A complete value was read into this slot and not cleared since.
        var present: Bool
        /// Key slot only: the key did not fit (and is therefore none of ours).
        var overflowed: Bool
    }

    static let slotCount = 6
    static let keyCapacity = 32
    let valueCapacity: Int
    private let slots: UnsafeMutablePointer<Storage>

    init(valueCapacity: Int) {
        self.valueCapacity = valueCapacity
        slots = .allocate(capacity: Self.slotCount)
        for index in 0..<Self.slotCount {
            let capacity = index == 0 ? Self.keyCapacity : valueCapacity
            (slots + index).initialize(to: Storage(base: .allocate(capacity: capacity), capacity: capacity,
                                                   count: 0, present: false, overflowed: false))
        }
    }

    deinit {
        for index in 0..<Self.slotCount { slots[index].base.deallocate() }
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    /// Empties a slot to start reading a value (or key) into it; it is absent until `commit`.
    @inline(__always)
    func begin(_ slot: Slot) {
        let s = slots + Int(slot.rawValue)
        s.pointee.count = 0
        s.pointee.present = false
        s.pointee.overflowed = false
    }

    /// Marks the value read since `begin` as complete: from now on it is reported.
    @inline(__always)
    func commit(_ slot: Slot) { slots[Int(slot.rawValue)].present = true }

    /// Forgets a slot's value (a later duplicate key replaces it, whatever its type).
    @inline(__always)
    func clear(_ slot: Slot) {
        slots[Int(slot.rawValue)].present = false
        slots[Int(slot.rawValue)].count = 0
    }

    @inline(__always)
    func isPresent(_ slot: Slot) -> Bool { slots[Int(slot.rawValue)].present }

    /// Appends `count` bytes from `source` (which must be readable for that many bytes).
    @inline(__always)
    func append(_ slot: Slot, _ source: UnsafeRawPointer, _ count: Int) {
        let s = slots + Int(slot.rawValue)
        let used = s.pointee.count
        if count <= s.pointee.capacity &- used {
            UnsafeMutableRawPointer(s.pointee.base + used).copyMemory(from: source, byteCount: count)
            s.pointee.count = used &+ count
        } else {
            appendSlow(slot, source, count)
        }
    }

    @inline(__always)
    func append(_ slot: Slot, byte: UInt8) {
        withUnsafePointer(to: byte) { append(slot, UnsafeRawPointer($0), 1) }
    }

    /// Room ran out: grow a value slot, or mark the key slot overflowed.
    @inline(never)
    private func appendSlow(_ slot: Slot, _ source: UnsafeRawPointer, _ count: Int) {
        let s = slots + Int(slot.rawValue)
        if slot == .key {
            s.pointee.overflowed = true
            return
        }
        let needed = s.pointee.count + count
        var capacity = s.pointee.capacity
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: s.pointee.base, count: s.pointee.count)
        s.pointee.base.deallocate()
        s.pointee.base = grown
        s.pointee.capacity = capacity
        UnsafeMutableRawPointer(grown + s.pointee.count).copyMemory(from: source, byteCount: count)
        s.pointee.count = needed
    }

    /// The bytes read into `slot` so far (present or not); nil for an overflowed key. The
    /// pointer is valid only inside `body` and until the slot is next written.
    @inline(__always)
    func withCurrentBytes<R>(_ slot: Slot, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let s = slots[Int(slot.rawValue)]
        if s.overflowed { return body(nil) }
        return body(UnsafeRawBufferPointer(start: s.base, count: s.count))
    }

    /// The committed value of `slot`, or nil when absent.
    @inline(__always)
    func withValue<R>(_ slot: Slot, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let s = slots[Int(slot.rawValue)]
        if !s.present { return body(nil) }
        return body(UnsafeRawBufferPointer(start: s.base, count: s.count))
    }

    /// Clears every slot, and gives back memory of slots that grew past 64 KiB.
    func resetAll() {
        for index in 0..<Self.slotCount {
            let s = slots + index
            s.pointee.count = 0
            s.pointee.present = false
            s.pointee.overflowed = false
            if index != 0 && s.pointee.capacity > 64 * 1024 {
                s.pointee.base.deallocate()
                s.pointee.base = .allocate(capacity: valueCapacity)
                s.pointee.capacity = valueCapacity
            }
        }
    }
}
