import Foundation

/// What the duplicate check needs of one stored record: its sequence number, message id and
/// duplicate mark, read from a `connect-ingest read --format jsonl` line.
public struct LoggedCopy: Sendable, Equatable {
    public var sequence: UInt64
    /// 32 hex digits, or nil for a record without one.
    public var messageId: String?
    /// The first copy's sequence number, for a record flagged `duplicate`.
    public var duplicateOf: UInt64?

    public init(sequence: UInt64, messageId: String?, duplicateOf: UInt64?) {
        self.sequence = sequence
        self.messageId = messageId
        self.duplicateOf = duplicateOf
    }

    /// Reads the `seq`, `messageId` and `duplicateOf` keys. The reader writes them before the
    /// body as a number, a hex string or null, and null; a key in a JSON string cannot match
    /// (its quotes would be escaped), so plain byte searches in the part before `"flags"` are
    /// exact. Falls back to Foundation's parser if they are not found there.
    public static func parse(line: some Collection<UInt8>) -> LoggedCopy? {
        let bytes = Array(line)
        let end = find(Array("\"flags\":".utf8), in: bytes[...]) ?? bytes.count
        let head = bytes[..<end]
        if let sequence = number(after: "\"seq\":", in: head),
           let idStart = find(Array("\"messageId\":".utf8), in: head),
           let dupStart = find(Array("\"duplicateOf\":".utf8), in: head) {
            let idValue = head[(idStart + 12)...]
            var messageId: String? = nil
            if idValue.first == UInt8(ascii: "\"") {
                let text = idValue.dropFirst().prefix { $0 != UInt8(ascii: "\"") }
                messageId = String(decoding: text, as: UTF8.self)
            } else if !idValue.starts(with: "null".utf8) {
                return slow(bytes)
            }
            let dupValue = head[(dupStart + 14)...]
            let duplicateOf = dupValue.starts(with: "null".utf8) ? nil : number(after: "\"duplicateOf\":", in: head)
            if duplicateOf == nil && !dupValue.starts(with: "null".utf8) { return slow(bytes) }
            return LoggedCopy(sequence: sequence, messageId: messageId, duplicateOf: duplicateOf)
        }
        return slow(bytes)
    }

    private static func slow(_ bytes: [UInt8]) -> LoggedCopy? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let sequence = (object["seq"] as? NSNumber)?.uint64Value else { return nil }
        return LoggedCopy(sequence: sequence, messageId: object["messageId"] as? String,
                          duplicateOf: (object["duplicateOf"] as? NSNumber)?.uint64Value)
    }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func number(after key: String, in bytes: ArraySlice<UInt8>) -> UInt64? {
        let k = Array(key.utf8)
        guard let start = find(k, in: bytes) else { return nil }
        let digits = bytes[(start + k.count)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        return digits.isEmpty ? nil : UInt64(String(decoding: digits, as: UTF8.self))
    }
}
