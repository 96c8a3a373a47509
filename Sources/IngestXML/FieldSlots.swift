/// The scanner-owned storage that the three field values are decoded into.
///
/// Each slot is a fixed buffer of `XMLLimits.fieldValueBytes`, allocated once in `init`; a longer
/// value is cut there (it never grows, so scanning never allocates). The `event` slot starts every
/// value with `envelope-` and lower-cases ASCII letters as they arrive.
///
/// Text arrives raw (straight from the document) or decoded (a reference's character). Raw text
/// gets XML's end-of-line handling: CR LF and a lone CR become LF, as every XML parser reports
/// them; a CR written as `&#13;` stays a CR. The scanner calls `breakRawRun` wherever markup
/// interrupts the raw bytes, since a CR and an LF only merge when adjacent in the document.
///
/// Ownership: owns its memory and frees it in `deinit`; `~Copyable` so it cannot be duplicated.
/// Bytes are handed out only inside `withValue`, whose pointer must not escape. One thread.
struct FieldSlots: ~Copyable {
    enum Slot: Int {
        case event = 0
        case envelopeId = 1
        case generatedDateTime = 2
    }

    private struct Storage {
        var count: Int
        /// A complete value was read into this slot and not cleared since.
        var present: Bool
        /// The last raw byte appended was a CR (turned into LF): a raw LF right after it is dropped.
        var afterCR: Bool
    }

    static let slotCount = 3
    static let eventPrefix: StaticString = "envelope-"
    let capacity = XMLLimits.fieldValueBytes
    private let bytes: UnsafeMutablePointer<UInt8>
    private let slots: UnsafeMutablePointer<Storage>

    init() {
        bytes = .allocate(capacity: Self.slotCount * XMLLimits.fieldValueBytes)
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Storage(count: 0, present: false, afterCR: false), count: Self.slotCount)
    }

    deinit {
        slots.deallocate()
        bytes.deallocate()
    }

    @inline(__always)
    private func base(_ slot: Slot) -> UnsafeMutablePointer<UInt8> { bytes + slot.rawValue &* capacity }

    /// Empties a slot to read a new value into it; it is absent until `commit`.
    func begin(_ slot: Slot) {
        let s = slots + slot.rawValue
        s.pointee = Storage(count: 0, present: false, afterCR: false)
        if slot == .event {
            let prefix = Self.eventPrefix
            base(slot).update(from: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            s.pointee.count = prefix.utf8CodeUnitCount
        }
    }

    /// Marks the value read since `begin` as complete: from now on it is reported.
    @inline(__always)
    func commit(_ slot: Slot) { slots[slot.rawValue].present = true }

    /// Appends raw document text (`count` readable bytes at `source`), with end-of-line handling.
    func appendRaw(_ slot: Slot, _ source: UnsafeRawPointer, _ count: Int) {
        let s = slots + slot.rawValue
        let target = base(slot)
        var used = s.pointee.count
        var afterCR = s.pointee.afterCR
        let lower = slot == .event
        for index in 0..<count {
            var b = source.load(fromByteOffset: index, as: UInt8.self)
            if b == 0x0A && afterCR {
                afterCR = false
                continue
            }
            afterCR = b == 0x0D
            if afterCR { b = 0x0A }
            if lower && b &- 0x41 < 26 { b |= 0x20 }
            if used < capacity {
                target[used] = b
                used &+= 1
            }
        }
        s.pointee.count = used
        s.pointee.afterCR = afterCR
    }

    /// Appends one decoded character's UTF-8 bytes (`count` 1...4, low byte first in `encoded`),
    /// from a reference: no end-of-line handling.
    func appendDecoded(_ slot: Slot, _ encoded: UInt32, count: Int) {
        let s = slots + slot.rawValue
        let target = base(slot)
        var used = s.pointee.count
        var value = encoded
        for _ in 0..<count {
            var b = UInt8(truncatingIfNeeded: value)
            if slot == .event && b &- 0x41 < 26 { b |= 0x20 }
            if used < capacity {
                target[used] = b
                used &+= 1
            }
            value >>= 8
        }
        s.pointee.count = used
        s.pointee.afterCR = false
    }

    /// Markup (a reference, comment, processing instruction, CDATA boundary) came between two
    /// runs of raw text: a CR before it and an LF after it are two line ends.
    @inline(__always)
    func breakRawRun(_ slot: Slot) { slots[slot.rawValue].afterCR = false }

    /// The committed value of `slot`, or nil when absent; valid only inside `body`.
    func withValue<R>(_ slot: Slot, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        let s = slots[slot.rawValue]
        if !s.present { return body(nil) }
        return body(UnsafeRawBufferPointer(start: base(slot), count: s.count))
    }

    func resetAll() {
        for index in 0..<Self.slotCount { slots[index] = Storage(count: 0, present: false, afterCR: false) }
    }
}
