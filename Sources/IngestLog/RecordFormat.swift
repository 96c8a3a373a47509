import CLinux
import Synchronization

// THE LOG FORMAT (version 2; version 1 logs stay readable)
// =========================================================
//
// A log is a directory. Its files:
//   00000000000000000000.log   segments, named by the 20-digit decimal sequence number of the
//   00000000000000001234.log   first record reserved in them, so name order is sequence order
//   LOCK                       held with flock(LOCK_EX) by the one writer process while it runs
//   *.log.tmp                  a segment being created (renamed into place when ready)
//
// All integers are little-endian. A segment is a preallocated file (posix_fallocate), mapped
// MAP_SHARED by the writer and by readers. Unused space is zero bytes, always: recovery restores
// that before the writer appends.
//
// Segment header (128 bytes at offset 0)
//   offset size
//     0     8   magic "CILOGSEG"
//     8     2   format version: 2 for segments written since records carry five fields and a
//               message id; 1 before. A version-2 writer never appends to a version-1 segment:
//               opening a log whose last segment is version 1 seals it and starts a new one.
//               Readers accept both (each record says its own layout by its magic).
//    10     2   segment flags: bit 0 = oversized (holds one record larger than a normal segment)
//    12     4   header length = 128
//    16     8   base sequence (equals the file name)
//    24     8   capacity: the file's size in bytes
//    32     8   created, nanoseconds since the Unix epoch
//    40     4   zero
//    44     4   CRC32C of bytes 0..<44
//   -- hints below: written while the log runs, not covered by a checksum, validated before use --
//    64     8   sealed end: 0 while the segment takes appends; otherwise the offset one past its
//               last reservation. Set (under the reservation lock) when the writer moves on to the
//               next segment, and by a clean close. A reader reaching it moves to the next file.
//    72     8   settled marker: "SETTLED\0" once the segment is sealed AND every reservation in it
//               has completed or been voided (nothing can change in it any more); 80 and 88 are
//               valid only then.
//    80     8   next sequence: one past the last sequence number reserved in this segment
//    88     8   newest receive time (ns since the epoch) of any record in it; retention by age
//    96     8   bitwise complement of the sealed end, stored just before it: a sealed end is used
//               only when the two agree, so one flipped bit cannot hide records from readers
//   104    24   zero
//
// Record, layout 2 (magic "CIR2"; starts at offset 128 or at the previous record's start + its
// span; always 8-aligned)
//   offset size
//     0     4   STATE, the completion marker: 0 = nothing published here yet,
//               "PEND" = a streaming (large) record whose body is still arriving,
//               "DONE" = complete, "VOID" = to be skipped (a body that failed its signature, a
//               reservation abandoned by a crash, or a filler over a hole left by one).
//               Written last, with release ordering; readers load it with acquire ordering.
//     4     4   magic "CIR2"
//     8     8   sequence number
//    16     8   receive time, nanoseconds since the Unix epoch (UTC)
//    24     4   span: bytes from this record's first byte to the next record's, a multiple of 8
//    28     4   body length
//    32     4   reservation CRC32C of bytes 4..<32                   (written at reservation)
//    36     4   record CRC32C of the payload [80, 80 + body + fields) followed by bytes 40..<80
//    40     4   flags (RecordFlags)
//    44     2   event length                (each field at most 1024 bytes; longer values are cut
//    46     2   configurationId length       and flag `fieldTruncated` is set)
//    48     2   envelopeId length
//    50     2   generatedDateTime length
//    52     2   accountId length
//    54     2   zero
//    56     8   duplicateOf: with flag `duplicate`, the sequence number of the first copy of this
//               message (its message id was committed before); 0 otherwise
//    64    16   message id (128 bits: high word at 64, low word at 72), with flag `hasMessageId`
//    80     .   payload: the body bytes, then event, configurationId, envelopeId,
//               generatedDateTime, accountId
//     .     .   zero padding up to span
//
// Record, layout 1 (magic "CIR1"; written by version-1 logs, and by recovery for VOID fillers)
//   bytes 0..<40 as in layout 2; 40 flags; 44, 46, 48, 50 the four field lengths (no accountId);
//   the record CRC covers the payload [52, 52 + body + fields) followed by bytes 40..<52;
//   52 payload: the body, then event, configurationId, envelopeId, generatedDateTime.
//
// A RECORD IS VALID IF AND ONLY IF
//   1. its state word is "DONE",
//   2. its magic is "CIR1" or "CIR2" and the reservation CRC matches bytes 4..<32,
//   3. its span is a multiple of 8, at least the layout's header length rounded up to 8 (56 for
//      layout 1, 80 for layout 2), and the record ends inside the segment (and before the sealed
//      end, when the segment is sealed),
//   4. header length + body length + the field lengths <= span, and each field length <= 1024, and
//   5. the record CRC matches.
// A valid record is trusted; nothing else ever is.
//
// WRITING (the publication protocol). A writer reserves a span and sequence numbers under a short
// lock, then, outside it, writes every byte of the record except the state word, issues a
// release fence, and stores "DONE" (or "PEND" first, for a streaming record, then "DONE"). So
// a nonzero state word that a reader sees always comes with a fully written header: once a
// reader sees a state word other than 0/PEND/DONE/VOID, or a nonzero state with a bad
// reservation CRC, that is damage, never a write in progress. Because several threads copy at
// once, a later record may be complete while an earlier one is still 0; readers wait at the
// earlier one (see LogReader) so that records come out in sequence order.
//
// DUPLICATES. With a duplicate detector installed, the writer asks it about each record that has a
// message id while it holds the reservation lock, in commit order (sequence order within a batch).
// A record it names a copy gets flag `duplicate` and duplicateOf written, and its record CRC
// recomputed (from the payload CRC kept since encoding: only bytes 40..<80 are hashed again),
// before its state word is published. A published record never changes.
//
// TORN WRITES AND CRASHES. kill -9 loses nothing already stored in the shared mapping; what it
// leaves is reservations whose state is still 0 or PEND, possibly with a partly copied payload.
// Power loss (sync none/interval) can also leave pages that never reached the disk, i.e.
// zeros or stale bytes anywhere in the unsynced tail. Recovery (Recovery.swift) runs when the
// writer opens the log: it voids reservations left unpublished or pending, covers zero holes
// with VOID fillers (span = hole size, sequence = UInt64.max, layout 1, whose 56-byte minimum fits
// any hole), reports corrupt records in the middle (readers skip them), and zeroes everything after
// the last valid or void record of each segment it walks ("cut from the tail"); the writer appends
// from there.
//
// SEGMENTS. A batch is placed record by record: a record that does not fit in the active
// segment goes to a new one (base = its sequence number); the old one is sealed at its last
// reservation, and the zero space after that stays unused. A clean close seals the active segment
// too, and the next open unseals it and appends on. Recovery walks only segments that are not
// settled (a crash may have left reservations unfinished in them) and always the last one.
//
// SKIPPING GARBAGE. Where a header cannot be trusted (bad magic, checksum or span), a reader
// scans forward in 8-byte steps for the next offset holding a header whose magic, reservation
// CRC and span check out, and resumes there. A body that happens to contain a well-formed
// header could mislead this scan only inside an already damaged region.
//
// LARGE RECORDS stream into the log: their span is reserved up front for the body plus 5120
// bytes of fields (the five fields, 1024 bytes each at most), the reservation header is written
// with state PEND, the body is copied in as it arrives, and on completion the fields, lengths,
// flags, message id and record CRC are written and the record is published DONE at its appender's
// next commit (after the duplicate detector has seen it). A record too large for a normal segment
// gets a segment of its own, flagged oversized.

/// Offsets, sizes and constants of the on-disk format described at the top of this file.
enum LogFormat {
    /// The segment version this code writes.
    static let version: UInt16 = 2
    /// The segment versions readers accept.
    static let readableVersions: ClosedRange<UInt16> = 1...2

    // Segment header.
    static let segmentMagic: UInt64 = 0x4745_5347_4F4C_4943 // "CILOGSEG"
    static let segmentHeaderLength = 128
    static let segmentChecksummedLength = 44
    static let segmentChecksumOffset = 44
    static let sealedEndOffset = 64
    static let settledOffset = 72
    static let nextSequenceOffset = 80
    static let newestReceivedAtOffset = 88
    static let sealedEndComplementOffset = 96
    static let settledMarker: UInt64 = 0x0044_454C_5454_4553 // "SETTLED\0"
    static let oversizedFlag: UInt16 = 1

    // Record header (bytes 0..<40 are the same in both layouts).
    /// The header length of the layout this code writes (layout 2).
    static let recordHeaderLength = RecordLayout.current.headerLength
    /// The smallest span of a record of any layout (a layout-1 filler): loops over record
    /// positions stop when less than this is left.
    static let minimumSpan = RecordLayout.v1.minimumSpan
    static let reservationChecksumRange = 4..<32
    static let reservationChecksumOffset = 32
    static let recordChecksumOffset = 36
    static let flagsOffset = 40
    static let fieldLengthsOffset = 44
    static let duplicateOfOffset = 56
    static let messageIdOffset = 64
    static let maximumFieldLength = 1024
    /// Field space reserved for a streaming record, whose fields are not known until it ends.
    static let largeRecordFieldCapacity = RecordLayout.current.fieldCount * maximumFieldLength
    /// The largest body one record can hold (span is a 32-bit value).
    static let maximumBodyLength = Int(UInt32.max) - recordHeaderLength - largeRecordFieldCapacity - 8
    /// The sequence number written into the VOID fillers recovery lays over holes.
    static let fillerSequence = UInt64.max

    /// The completion marker values: ASCII in a hex dump, and at least five bits apart from each
    /// other and from zero, so no single flipped bit turns one into another.
    enum State {
        static let empty: UInt32 = 0
        static let pending: UInt32 = 0x444E_4550  // "PEND"
        static let done: UInt32 = 0x454E_4F44     // "DONE"
        static let void: UInt32 = 0x4449_4F56     // "VOID"
        static func isKnown(_ value: UInt32) -> Bool {
            value == empty || value == pending || value == done || value == void
        }
    }

    /// `value` rounded up to a multiple of 8.
    @inline(__always)
    static func align8(_ value: Int) -> Int { (value + 7) & ~7 }

    /// The span of a record with this payload, in the layout this code writes.
    @inline(__always)
    static func span(bodyLength: Int, fieldsLength: Int) -> Int {
        max(RecordLayout.current.minimumSpan, align8(recordHeaderLength + bodyLength + fieldsLength))
    }

    /// The 20-digit file name of the segment whose first sequence number is `base`.
    static func segmentName(base: UInt64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".log"
    }

    /// The base sequence in a segment file name, or nil if the name is not one.
    static func base(ofSegmentName name: String) -> UInt64? {
        guard name.utf8.count == 24, name.hasSuffix(".log") else { return nil }
        let digits = name.utf8.prefix(20)
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(String(decoding: digits, as: UTF8.self))
    }
}

/// The two record layouts (see the top of this file). A record's magic says which it uses, so
/// readers handle segments of either version, and a filler may use layout 1 anywhere.
struct RecordLayout: Equatable, Sendable {
    let version: UInt16
    let magic: UInt32
    /// Bytes before the payload; the completion part is 40..<headerLength.
    let headerLength: Int
    /// Field lengths stored at 44, two bytes each.
    let fieldCount: Int

    var minimumSpan: Int { LogFormat.align8(headerLength) }
    var completionRange: Range<Int> { LogFormat.flagsOffset..<headerLength }

    static let v1 = RecordLayout(version: 1, magic: 0x3152_4943 /* "CIR1" */, headerLength: 52, fieldCount: 4)
    static let v2 = RecordLayout(version: 2, magic: 0x3252_4943 /* "CIR2" */, headerLength: 80, fieldCount: 5)
    /// The layout this code writes.
    static let current = v2

    /// The layout whose magic this is, or nil.
    @inline(__always)
    static func withMagic(_ magic: UInt32) -> RecordLayout? {
        if magic == v2.magic { return v2 }
        if magic == v1.magic { return v1 }
        return nil
    }
}

// MARK: - Writing records (every byte of the layout above is written here)

extension RawBytes {
    /// Writes bytes 4..<36 of a record header, the part fixed at reservation, including its CRC.
    /// The state word is left alone.
    func writeReservation(at record: Int, sequence: UInt64, receivedAt: Int64, span: Int, bodyLength: Int,
                          layout: RecordLayout = .current) {
        store(layout.magic, at: record + 4)
        store(sequence, at: record + 8)
        store(receivedAt, at: record + 16)
        store(UInt32(span), at: record + 24)
        store(UInt32(bodyLength), at: record + 28)
        sealReservation(at: record)
    }

    /// Fills in the sequence number of a record encoded in a batch buffer, and its reservation CRC.
    @inline(__always)
    func patchSequence(at record: Int, sequence: UInt64) {
        store(sequence, at: record + 8)
        sealReservation(at: record)
    }

    @inline(__always)
    private func sealReservation(at record: Int) {
        let range = LogFormat.reservationChecksumRange
        store(crc32c(record + range.lowerBound, range.count), at: record + LogFormat.reservationChecksumOffset)
    }

    /// Writes the fields after the body, the completion part (bytes 40..<80: flags, lengths,
    /// duplicateOf = 0, message id) and the record CRC, in layout 2. `bodyCRC` is the CRC32C of the
    /// body bytes as written (0 for an empty body). Returns the payload CRC (body and fields), which
    /// `markDuplicate` continues from.
    @discardableResult
    func writeCompletion(at record: Int, bodyLength: Int, bodyCRC: UInt32, flags: RecordFlags,
                         fields: RecordFields, messageId: MessageID?) -> UInt32 {
        let fieldsStart = record + LogFormat.recordHeaderLength + bodyLength
        var position = fieldsStart
        let lengths = fields.storedLengths
        putField(fields.event, lengths.event, &position)
        putField(fields.configurationId, lengths.configurationId, &position)
        putField(fields.envelopeId, lengths.envelopeId, &position)
        putField(fields.generatedDateTime, lengths.generatedDateTime, &position)
        putField(fields.accountId, lengths.accountId, &position)
        var allFlags = flags.union(fields.impliedFlags).subtracting(.duplicate)
        if messageId != nil { allFlags.insert(.hasMessageId) }
        store(allFlags.rawValue, at: record + LogFormat.flagsOffset)
        let lengthsAt = record + LogFormat.fieldLengthsOffset
        store(UInt16(lengths.event), at: lengthsAt)
        store(UInt16(lengths.configurationId), at: lengthsAt + 2)
        store(UInt16(lengths.envelopeId), at: lengthsAt + 4)
        store(UInt16(lengths.generatedDateTime), at: lengthsAt + 6)
        store(UInt16(lengths.accountId), at: lengthsAt + 8)
        store(UInt16(0), at: lengthsAt + 10)
        store(UInt64(0), at: record + LogFormat.duplicateOfOffset)
        store(messageId?.high ?? 0, at: record + LogFormat.messageIdOffset)
        store(messageId?.low ?? 0, at: record + LogFormat.messageIdOffset + 8)
        let payloadCRC = crc32c(fieldsStart, position - fieldsStart, continuing: bodyCRC)
        sealCompletion(at: record, payloadCRC: payloadCRC)
        return payloadCRC
    }

    /// Marks an encoded, not yet published layout-2 record as a copy of record `firstCopy`: sets
    /// flag `duplicate`, stores duplicateOf and recomputes the record CRC from `payloadCRC`.
    func markDuplicate(at record: Int, firstCopy: UInt64, payloadCRC: UInt32) {
        let flags = RecordFlags(rawValue: load(record + LogFormat.flagsOffset, as: UInt32.self)).union(.duplicate)
        store(flags.rawValue, at: record + LogFormat.flagsOffset)
        store(firstCopy, at: record + LogFormat.duplicateOfOffset)
        sealCompletion(at: record, payloadCRC: payloadCRC)
    }

    @inline(__always)
    private func sealCompletion(at record: Int, payloadCRC: UInt32) {
        let completion = RecordLayout.current.completionRange
        let crc = crc32c(record + completion.lowerBound, completion.count, continuing: payloadCRC)
        store(crc, at: record + LogFormat.recordChecksumOffset)
    }

    @inline(__always)
    private func putField(_ field: UnsafeRawBufferPointer?, _ length: Int, _ position: inout Int) {
        guard let field, length > 0 else { return }
        copy(from: UnsafeRawBufferPointer(rebasing: field[0..<length]), to: position)
        position += length
    }

    /// Encodes a whole layout-2 record at `record` (in a batch buffer): state 0, sequence 0 until
    /// `patchSequence`, zero padding to the span. Returns the payload CRC (see `writeCompletion`).
    func encodeRecord(at record: Int, span: Int, receivedAt: Int64, flags: RecordFlags,
                      fields: RecordFields, messageId: MessageID?, body: UnsafeRawBufferPointer) -> UInt32 {
        store(UInt32(0), at: record)
        store(RecordLayout.current.magic, at: record + 4)
        store(UInt64(0), at: record + 8)
        store(receivedAt, at: record + 16)
        store(UInt32(span), at: record + 24)
        store(UInt32(body.count), at: record + 28)
        copy(from: body, to: record + LogFormat.recordHeaderLength)
        let bodyCRC = body.count > 0 ? cl_crc32c(0, body.baseAddress!, body.count) : 0
        let payloadCRC = writeCompletion(at: record, bodyLength: body.count, bodyCRC: bodyCRC, flags: flags,
                                         fields: fields, messageId: messageId)
        let used = LogFormat.recordHeaderLength + body.count + fields.storedTotal
        zero(record + used, span - used)
        return payloadCRC
    }

    /// Lays a VOID filler over `span` bytes (a hole left by a crash), state written last. Fillers
    /// use layout 1: they carry no payload, and its 56-byte minimum fits any hole.
    func writeFiller(at record: Int, span: Int) {
        writeReservation(at: record, sequence: LogFormat.fillerSequence, receivedAt: 0, span: span, bodyLength: 0,
                         layout: .v1)
        atomicReleaseFence()
        publishState(LogFormat.State.void, at: record)
    }
}

/// Orders every store before it ahead of every store after it, as seen by other threads and
/// processes: used between copying a record's bytes and publishing its state word.
@inline(__always)
func atomicReleaseFence() {
    atomicMemoryFence(ordering: .releasing)
}
