// TEMPORARY stand-in for the lead's "log format v2" API (FORMAT-V2.md), so the dedup branch
// builds before v2 is on main. Deleted when main is merged; the shapes below are copied from the
// contract, not invented here.

/// A message's 128-bit identity (see IngestDedup's MessageIdentity for how it is computed).
public struct MessageID: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lower-case hex digits, high word first.
    public var hex: String {
        func digits(_ word: UInt64) -> String {
            let text = String(word, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return digits(high) + digits(low)
    }

    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 32, utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }),
              let high = UInt64(String(decoding: utf8[0..<16], as: UTF8.self), radix: 16),
              let low = UInt64(String(decoding: utf8[16..<32], as: UTF8.self), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }
}

/// Duplicate detection hook (the dedup work implements it; the log calls it).
public protocol DuplicateDetector: AnyObject, Sendable {
    /// Called with the log's reservation lock held, once per committed record that carries a
    /// message id, in the order records are committed (sequence order within a batch).
    /// Returns the sequence number of an earlier copy, or nil when this is the first copy (which
    /// the detector then remembers as `sequence`).
    func firstCopy(of id: MessageID, sequence: UInt64, receivedAtNanoseconds: Int64) -> UInt64?
}
