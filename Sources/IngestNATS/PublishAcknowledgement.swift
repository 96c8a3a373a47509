/// What a JetStream publish acknowledgement says, read without Foundation (one per publish).
///
/// The server answers on the publish's reply subject with `{"stream":"S","seq":N}` (plus
/// `"duplicate":true` when the `Nats-Msg-Id` was already in the stream's duplicate window), or
/// `{"error":{"code":C,"description":"..."}}`, or, when nothing listens on the subject, an
/// empty message with header status 503.
public enum PublishAcknowledgement: Equatable, Sendable {
    /// Stored (or recognised as a duplicate) by the stream whose name is at `stream` in the bytes.
    case stored(duplicate: Bool, stream: Range<Int>?)
    case noResponders
    /// An error reply or an unexpected status; `code` is the error or status code (0 unknown).
    case failed(code: Int)

    public static func read(_ bytes: UnsafeRawBufferPointer, _ delivery: NATSDelivery) -> PublishAcknowledgement {
        if let headers = delivery.headers, let status = NATSHeaderBlock.status(bytes, headers) {
            return status == 503 ? .noResponders : .failed(code: status)
        }
        let payload = delivery.payload
        if let at = find(bytes, payload, "\"error\"") {
            if let code = find(bytes, at..<payload.upperBound, "\"code\":") {
                var value = 0
                var index = code + 7
                while index < payload.upperBound, bytes[index] == 0x20 { index += 1 }
                while index < payload.upperBound, bytes[index] &- 0x30 < 10, value < 100_000 {
                    value = value * 10 + Int(bytes[index] &- 0x30)
                    index += 1
                }
                return .failed(code: value)
            }
            return .failed(code: 0)
        }
        guard find(bytes, payload, "\"seq\"") != nil else { return .failed(code: 0) }
        let duplicate = find(bytes, payload, "\"duplicate\":true") != nil || find(bytes, payload, "\"duplicate\": true") != nil
        var stream: Range<Int>? = nil
        if let at = find(bytes, payload, "\"stream\":\"") {
            let start = at + 10
            var end = start
            while end < payload.upperBound, bytes[end] != UInt8(ascii: "\"") { end += 1 }
            if end < payload.upperBound { stream = start..<end }
        }
        return .stored(duplicate: duplicate, stream: stream)
    }

    /// The offset of `needle` in `bytes[range]`, or nil.
    static func find(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ needle: StaticString) -> Int? {
        let n = needle.utf8CodeUnitCount
        guard range.count >= n else { return nil }
        let first = needle.utf8Start[0]
        var index = range.lowerBound
        let last = range.upperBound - n
        outer: while index <= last {
            if bytes[index] == first {
                for k in 1..<n where bytes[index + k] != needle.utf8Start[k] {
                    index += 1
                    continue outer
                }
                return index
            }
            index += 1
        }
        return nil
    }
}
