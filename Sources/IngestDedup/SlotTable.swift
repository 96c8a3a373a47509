import CLinux
import IngestLog

/// One index entry: a message id, the sequence number of its first copy, and its time bucket.
struct IndexEntry: Equatable, Sendable {
    var id: MessageID
    var sequence: UInt64
    var bucket: UInt32
}

/// The slots of the index file (see IndexFormat.swift), as a linear-probing hash table over
/// mapped memory. This is the one place in IngestDedup where pointers are dereferenced.
///
/// Ownership: a non-owning view. `IndexFile` owns the mapping and keeps it alive for as long as
/// any `SlotTable` of it is used. Bounds: every slot index is reduced modulo `count` by the
/// operations below (`home`, `next`) or checked by a precondition; no input from disk is used as
/// an address (a slot's contents never steer where the table reads).
///
/// Concurrency: none. The index calls it from one thread at a time (under the log's reservation
/// lock, or before the log takes commits). `prefetch` is a hint and touches no data.
struct SlotTable: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int

    init(base: UnsafeMutableRawPointer, count: Int) {
        precondition(count > 1, "a table needs at least two slots")
        self.base = base
        self.count = count
    }

    @inline(__always)
    private func address(_ slot: Int) -> UnsafeMutableRawPointer {
        precondition(slot >= 0 && slot < count, "slot \(slot) outside 0..<\(count)")
        return base + slot &* IndexFormat.slotLength
    }

    /// The home slot of an id: both words mixed (SplitMix64's finalizer), then mapped onto
    /// 0..<count by multiply-shift. Ids the server computes are BLAKE2b digests, uniform already;
    /// the mixing keeps ids made any other way (tools, tests, other writers of a log: `MessageID`
    /// is a plain value) from piling into one cluster, which would make every probe walk it.
    @inline(__always)
    func home(of id: MessageID) -> Int {
        var z = id.low ^ (id.high &* 0x9E37_79B9_7F4A_7C15)
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z &>> 31
        return Int(truncatingIfNeeded: z.multipliedFullWidth(by: UInt64(count)).high)
    }

    @inline(__always)
    func next(_ slot: Int) -> Int {
        let n = slot &+ 1
        return n == count ? 0 : n
    }

    /// Cyclic distance from `from` forward to `to`.
    @inline(__always)
    func distance(from: Int, to: Int) -> Int {
        to >= from ? to &- from : to &+ count &- from
    }

    // MARK: Reading slots

    /// The slot's bucket; 0 means empty (for a slot that is not damaged).
    @inline(__always)
    func bucket(at slot: Int) -> UInt32 {
        UInt32(littleEndian: address(slot).loadUnaligned(fromByteOffset: 24, as: UInt32.self))
    }

    @inline(__always)
    func holds(_ id: MessageID, at slot: Int) -> Bool {
        let p = address(slot)
        return UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) == id.low
            && UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) == id.high
    }

    @inline(__always)
    func sequence(at slot: Int) -> UInt64 {
        UInt64(littleEndian: address(slot).loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    }

    func entry(at slot: Int) -> IndexEntry {
        let p = address(slot)
        return IndexEntry(id: MessageID(high: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)),
                                        low: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))),
                          sequence: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                          bucket: bucket(at: slot))
    }

    /// What a slot holds: nothing (all 32 bytes zero), an entry whose checksum matches, or
    /// damage (anything else, including a torn write).
    enum Content: Equatable {
        case empty
        case entry(IndexEntry)
        case damaged
    }

    func content(at slot: Int) -> Content {
        let p = UnsafeRawPointer(address(slot))
        let stored = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: IndexFormat.slotChecksummedLength, as: UInt32.self))
        if bucket(at: slot) == 0 {
            var any: UInt64 = 0
            for word in 0..<4 { any |= p.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self) }
            return any == 0 ? .empty : .damaged
        }
        guard cl_crc32c(0, p, IndexFormat.slotChecksummedLength) == stored else { return .damaged }
        return .entry(entry(at: slot))
    }

    // MARK: Writing slots

    @inline(__always)
    func store(_ entry: IndexEntry, at slot: Int) {
        precondition(entry.bucket != 0, "bucket 0 marks an empty slot")
        let p = address(slot)
        p.storeBytes(of: entry.id.high.littleEndian, as: UInt64.self)
        p.storeBytes(of: entry.id.low.littleEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: entry.sequence.littleEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: entry.bucket.littleEndian, toByteOffset: 24, as: UInt32.self)
        let check = cl_crc32c(0, UnsafeRawPointer(p), IndexFormat.slotChecksummedLength)
        p.storeBytes(of: check.littleEndian, toByteOffset: IndexFormat.slotChecksummedLength, as: UInt32.self)
    }

    @inline(__always)
    func clear(_ slot: Int) {
        address(slot).initializeMemory(as: UInt64.self, repeating: 0, count: 4)
    }

    @inline(__always)
    private func copy(from source: Int, to target: Int) {
        address(target).copyMemory(from: address(source), byteCount: IndexFormat.slotLength)
    }

    // MARK: Operations

    /// Deletes the entry at `slot` by backward shift: each later entry of the cluster that may
    /// live at the hole (its home is not cyclically after the hole) moves back into it, and the
    /// last hole is cleared. Keeps "no empty slot between an entry's home and the entry". A
    /// crash half-way leaves an entry in two slots (harmless: lookups find the first), never a gap.
    func delete(at slot: Int) {
        var hole = slot
        var probe = slot
        while true {
            probe = next(probe)
            if bucket(at: probe) == 0 { break }
            let home = home(of: MessageID(high: UInt64(littleEndian: address(probe).loadUnaligned(as: UInt64.self)),
                                          low: UInt64(littleEndian: address(probe).loadUnaligned(fromByteOffset: 8, as: UInt64.self))))
            // The entry may move back iff its home is not in the cyclic range (hole, probe].
            if distance(from: home, to: probe) >= distance(from: hole, to: probe) {
                copy(from: probe, to: hole)
                hole = probe
            }
        }
        clear(hole)
    }

    /// Hints the CPU to fetch the line of an id's home slot. Reads nothing (safe from any thread
    /// at any time): a prefetch instruction never faults and has no visible effect.
    @inline(__always)
    func prefetch(_ id: MessageID) {
        cl_prefetch_for_write(base + home(of: id) &* IndexFormat.slotLength)
    }
}
