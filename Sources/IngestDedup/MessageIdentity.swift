import IngestLog

/// How a message's 128-bit id (`MessageID`) is computed. This text is the specification; the
/// README repeats it for downstream systems. It must never change: ids are stored in the log and
/// compared across instances and over time.
///
/// The id is the 16-byte BLAKE2b digest (RFC 7693, digest length 16, no key, no salt, no
/// personalization) of one of two byte strings. `MessageID.high` is digest bytes 0..<8 read
/// big-endian and `low` bytes 8..<16, so the id's hex text is the digest's hex text.
///
/// FIELDS FORM, used when `event`, `envelopeId` and `generatedDateTime` are all present (the
/// values that stay the same when DocuSign redelivers a message):
///
///     0x01
///     then for each of accountId, configurationId, event, envelopeId, generatedDateTime, in this order:
///         absent:  FF FF FF FF
///         present: its length in bytes as 4 bytes little-endian, then its bytes
///
/// The values are the ones the server extracts and stores in the record: the
/// `X-DocuSign-AccountId` header text as sent (present only when it is a well-formed GUID); for
/// JSON, string values with escapes decoded to UTF-8 and `configurationId`'s literal text when it
/// is a number; for XML, the element text. An empty value is present with length 0, so absent and
/// empty never collide, and the length prefixes make the split between fields unambiguous.
///
/// BODY FORM, used otherwise:
///
///     0x02
///     the offset of the left-out range as 8 bytes little-endian, or FF FF FF FF FF FF FF FF when
///     nothing is left out
///     the body's bytes before the left-out range, then the body's bytes after it
///
/// The left-out range is the value of the body's top-level `retryCount` member (JSON only: from
/// the value's first byte to its last, quotes included for a string, as reported by
/// `ConnectFieldScanner.retryCountValueRange`; the last such member when there are several), so
/// that redeliveries, whose bodies differ only in that value, share an id. Its offset is part of
/// the input so that a body with a value left out can never produce the same input as a body
/// without one.
public enum MessageIdentity {
    static let fieldsForm: UInt8 = 0x01
    static let bodyForm: UInt8 = 0x02
    static let digestLength = 16

    /// Whether the fields form applies (else the body form).
    public static func usesFields(event: UnsafeRawBufferPointer?, envelopeId: UnsafeRawBufferPointer?,
                                  generatedDateTime: UnsafeRawBufferPointer?) -> Bool {
        event != nil && envelopeId != nil && generatedDateTime != nil
    }

    /// The fields form's id. No allocation: the encoding is built in a stack buffer when it fits
    /// in 512 bytes (always, for real messages) and hashed in one call, else hashed piece by piece.
    public static func fromFields(accountId: UnsafeRawBufferPointer?, configurationId: UnsafeRawBufferPointer?,
                                  event: UnsafeRawBufferPointer?, envelopeId: UnsafeRawBufferPointer?,
                                  generatedDateTime: UnsafeRawBufferPointer?) -> MessageID {
        let total = 1 + 20 + (accountId?.count ?? 0) + (configurationId?.count ?? 0) + (event?.count ?? 0)
            + (envelopeId?.count ?? 0) + (generatedDateTime?.count ?? 0)
        var hash = BLAKE2b(digestLength: digestLength)
        if total <= 512 {
            withUnsafeTemporaryAllocation(byteCount: 512, alignment: 8) { buffer in
                let base = buffer.baseAddress!
                base.storeBytes(of: fieldsForm, as: UInt8.self)
                var used = 1
                func append(_ field: UnsafeRawBufferPointer?) {
                    let length = (field.map { UInt32(truncatingIfNeeded: $0.count) } ?? UInt32.max).littleEndian
                    base.storeBytes(of: length, toByteOffset: used, as: UInt32.self)
                    used += 4
                    if let field, field.count > 0 {
                        (base + used).copyMemory(from: field.baseAddress!, byteCount: field.count)
                        used += field.count
                    }
                }
                append(accountId)
                append(configurationId)
                append(event)
                append(envelopeId)
                append(generatedDateTime)
                hash.update(UnsafeRawBufferPointer(start: base, count: used))
            }
        } else {
            var form = fieldsForm
            withUnsafeBytes(of: &form) { hash.update($0) }
            put(accountId, &hash)
            put(configurationId, &hash)
            put(event, &hash)
            put(envelopeId, &hash)
            put(generatedDateTime, &hash)
        }
        let (high, low) = hash.finalizeAs128()
        return MessageID(high: high, low: low)
    }

    /// One field of the fields form: length prefix (all ones when absent), then the bytes.
    @inline(__always)
    private static func put(_ field: UnsafeRawBufferPointer?, _ hash: inout BLAKE2b) {
        // A value is at most --max-body bytes, far below 4 GiB; the prefix cannot overflow.
        var length = (field.map { UInt32(truncatingIfNeeded: $0.count) } ?? UInt32.max).littleEndian
        withUnsafeBytes(of: &length) { hash.update($0) }
        if let field { hash.update(field) }
    }

    /// The body form's id for a body held in one piece. No allocation.
    public static func fromBody(_ body: UnsafeRawBufferPointer, leavingOut range: Range<Int>?) -> MessageID {
        var hasher = BodyIdentityHasher(leavingOut: range)
        hasher.update(body)
        return hasher.finish()
    }

    /// The id of a message: the fields form when it applies, else the body form.
    public static func of(accountId: UnsafeRawBufferPointer?, configurationId: UnsafeRawBufferPointer?,
                          event: UnsafeRawBufferPointer?, envelopeId: UnsafeRawBufferPointer?,
                          generatedDateTime: UnsafeRawBufferPointer?,
                          body: UnsafeRawBufferPointer, retryCountValue: Range<Int>?) -> MessageID {
        if usesFields(event: event, envelopeId: envelopeId, generatedDateTime: generatedDateTime) {
            return fromFields(accountId: accountId, configurationId: configurationId, event: event,
                              envelopeId: envelopeId, generatedDateTime: generatedDateTime)
        }
        return fromBody(body, leavingOut: retryCountValue)
    }
}

/// The body form of `MessageIdentity`, fed a body in pieces of any size, for bodies that are not
/// in memory in one piece (a spilled or streamed body read back in chunks). No allocation.
public struct BodyIdentityHasher: Sendable {
    private var hash = BLAKE2b(digestLength: MessageIdentity.digestLength)
    private let leftOut: Range<Int>?
    /// Body bytes seen so far (the offset of the next piece).
    private var offset = 0

    /// `range`: the body offsets to leave out (the top-level `retryCount` value), or nil.
    public init(leavingOut range: Range<Int>?) {
        leftOut = range.flatMap { $0.lowerBound >= 0 && !$0.isEmpty ? $0 : nil }
        var form = MessageIdentity.bodyForm
        withUnsafeBytes(of: &form) { hash.update($0) }
        var start = (leftOut.map { UInt64($0.lowerBound) } ?? UInt64.max).littleEndian
        withUnsafeBytes(of: &start) { hash.update($0) }
    }

    /// Hashes the next piece of the body.
    public mutating func update(_ piece: UnsafeRawBufferPointer) {
        let pieceStart = offset
        offset += piece.count
        guard let leftOut, leftOut.lowerBound < offset, leftOut.upperBound > pieceStart else {
            hash.update(piece)
            return
        }
        let cutFrom = max(leftOut.lowerBound, pieceStart) - pieceStart
        let cutTo = min(leftOut.upperBound, offset) - pieceStart
        hash.update(UnsafeRawBufferPointer(rebasing: piece[0..<cutFrom]))
        hash.update(UnsafeRawBufferPointer(rebasing: piece[cutTo..<piece.count]))
    }

    /// The id. The hasher must not be used afterwards.
    public mutating func finish() -> MessageID {
        let (high, low) = hash.finalizeAs128()
        return MessageID(high: high, low: low)
    }
}
