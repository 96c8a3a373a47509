/// A message's 128-bit identity: the key under which redeliveries of one Connect message are
/// recognised (computed by the server, see the README's "Message identity"), stored with each
/// record and printed by `read` as 32 lower-case hex digits, high word first.
public struct MessageID: Hashable, Sendable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 lower-case hex digits, high word first.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            let word = index < 16 ? high : low
            out[index] = digits[Int((word >> UInt64(60 - 4 * (index % 16))) & 15)]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    /// Parses 32 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        for (index, byte) in bytes.enumerated() {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if index < 16 { words.0 = words.0 << 4 | UInt64(nibble) } else { words.1 = words.1 << 4 | UInt64(nibble) }
        }
        self.init(high: words.0, low: words.1)
    }
}

/// Decides, in commit order, whether a record is a copy of one committed before (see
/// "DUPLICATES" in RecordFormat.swift). Installed with `MessageLog.open(...duplicateDetector:)`.
public protocol DuplicateDetector: AnyObject, Sendable {
    /// Called with the log's reservation lock held, once per committed record that carries a
    /// message id, in the order records are committed (sequence order within a batch; a streamed
    /// record when it is published). Returns the sequence number of an earlier copy, or nil when
    /// this is the first copy (which the detector then remembers as `sequence`).
    ///
    /// Runs under a lock every worker takes per commit: it must not block, allocate or fault.
    func firstCopy(of id: MessageID, sequence: UInt64, receivedAtNanoseconds: Int64) -> UInt64?
}
