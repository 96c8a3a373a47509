/// Sequence numbers a reader passed that are not valid records: VOID records (failed signatures,
/// reservations a crash left unfinished, voided by recovery) and numbers missing between two
/// records of a segment (fillers over holes carry no number of their own). Kept as ascending,
/// coalesced ranges; only the most recent `capacity` ranges are remembered.
///
/// Why a reader needs it: a record flagged duplicate names its first copy (`duplicateOf`). In one
/// crash window (README, "Duplicates") that first copy was never published and recovery voided
/// it, so the copy is the only one in the log; `--unique` must keep such a copy. Sequence numbers
/// are one total order in file order, so a first copy the reader passed as absent is known here.
struct AbsentSequences {
    private(set) var ranges: [Range<UInt64>] = []
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        ranges.reserveCapacity(capacity)
    }

    /// Adds `range`, which must not start below anything added before.
    mutating func add(_ range: Range<UInt64>) {
        guard !range.isEmpty else { return }
        if let last = ranges.last, last.upperBound >= range.lowerBound {
            ranges[ranges.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            return
        }
        if ranges.count == capacity { ranges.removeFirst(capacity / 4) }
        ranges.append(range)
    }

    func contains(_ sequence: UInt64) -> Bool { index(of: sequence) != nil }

    /// Takes `sequence` out (it is absent no more for later questions). False if it was not in.
    mutating func remove(_ sequence: UInt64) -> Bool {
        guard let i = index(of: sequence) else { return false }
        let range = ranges[i]
        let before = range.lowerBound..<sequence, after = sequence + 1..<range.upperBound
        switch (before.isEmpty, after.isEmpty) {
        case (true, true): ranges.remove(at: i)
        case (false, true): ranges[i] = before
        case (true, false): ranges[i] = after
        case (false, false):
            ranges[i] = before
            ranges.insert(after, at: i + 1)
            if ranges.count > capacity { ranges.removeFirst(ranges.count - capacity) }
        }
        return true
    }

    private func index(of sequence: UInt64) -> Int? {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound <= sequence { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].contains(sequence) ? low : nil
    }
}
