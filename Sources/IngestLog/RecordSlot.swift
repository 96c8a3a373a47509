/// The part of a record header fixed at reservation, read from bytes whose magic, reservation
/// CRC and span checked out. Its span can be trusted to find the next record.
struct Reservation: Equatable {
    let offset: Int
    let sequence: UInt64
    let receivedAt: Int64
    let span: Int
    let bodyLength: Int
    /// The layout its magic names.
    let layout: RecordLayout

    var end: Int { offset + span }
    /// A VOID filler laid by recovery over a hole; it carries no sequence number.
    var isFiller: Bool { sequence == LogFormat.fillerSequence }
}

/// Why bytes at a record position are not a trusted record.
enum RecordDamage: Equatable, CustomStringConvertible {
    /// The state word is none of 0/PEND/DONE/VOID.
    case unknownState(UInt32)
    /// A published state word, but the magic, reservation CRC or span is wrong.
    case badHeader
    /// DONE, but the field lengths do not fit the span.
    case badFieldLengths
    /// DONE, but the record CRC does not match.
    case badChecksum

    var description: String {
        switch self {
        case .unknownState(let value): return "unknown state word 0x\(String(value, radix: 16))"
        case .badHeader: return "bad record header (magic, checksum or span)"
        case .badFieldLengths: return "field lengths do not fit the record"
        case .badChecksum: return "record checksum mismatch"
        }
    }
}

/// What a record position holds, as far as its bytes tell.
enum RecordSlot: Equatable {
    /// State word 0 and no valid header: nothing published here. Either free space, a
    /// reservation whose bytes are still being copied, or one abandoned by a crash.
    case empty
    /// State 0 with a valid reservation header: being copied now, or abandoned by a crash.
    case unpublished(Reservation)
    /// PEND: a streaming record whose body is still arriving (or abandoned by a crash).
    case pending(Reservation)
    /// VOID: skipped by readers (also recovery's fillers).
    case voided(Reservation)
    /// DONE and valid by every rule in RecordFormat.swift.
    case complete(Reservation)
    /// Damage; the reservation is present when the span can still be trusted.
    case corrupt(RecordDamage, Reservation?)
}

extension RawBytes {
    /// The reservation header at `record` if its magic, CRC and span are right and it ends by `limit`.
    func reservation(at record: Int, limit: Int) -> Reservation? {
        guard record >= 0, record + LogFormat.minimumSpan <= limit, limit <= count else { return nil }
        guard let layout = RecordLayout.withMagic(load(record + 4, as: UInt32.self)) else { return nil }
        let range = LogFormat.reservationChecksumRange
        guard crc32c(record + range.lowerBound, range.count)
                == load(record + LogFormat.reservationChecksumOffset, as: UInt32.self) else { return nil }
        let span = Int(load(record + 24, as: UInt32.self))
        let bodyLength = Int(load(record + 28, as: UInt32.self))
        guard span >= layout.minimumSpan, span & 7 == 0, span <= limit - record,
              layout.headerLength + bodyLength <= span else { return nil }
        return Reservation(offset: record, sequence: load(record + 8, as: UInt64.self),
                           receivedAt: load(record + 16, as: Int64.self), span: span, bodyLength: bodyLength,
                           layout: layout)
    }

    /// Classifies the record position `record` (8-aligned, with room for a minimal record before `limit`).
    func classify(at record: Int, limit: Int) -> RecordSlot {
        let state = loadState(record)   // acquire: the header loads below see what was published
        guard let reservation = reservation(at: record, limit: limit) else {
            if state == LogFormat.State.empty { return .empty }
            if !LogFormat.State.isKnown(state) { return .corrupt(.unknownState(state), nil) }
            return .corrupt(.badHeader, nil)
        }
        switch state {
        case LogFormat.State.empty: return .unpublished(reservation)
        case LogFormat.State.pending: return .pending(reservation)
        case LogFormat.State.void: return .voided(reservation)
        case LogFormat.State.done:
            guard let fieldsLength = fieldsLength(of: reservation) else { return .corrupt(.badFieldLengths, reservation) }
            return recordChecksumMatches(reservation, fieldsLength: fieldsLength)
                ? .complete(reservation) : .corrupt(.badChecksum, reservation)
        default: return .corrupt(.unknownState(state), reservation)
        }
    }

    /// The stored field lengths (layout 1 has no accountId: 0), if each is within bounds and they
    /// fit the span.
    func fieldLengths(of r: Reservation) -> StoredFieldLengths? {
        let o = r.offset + LogFormat.fieldLengthsOffset
        let lengths = StoredFieldLengths(
            event: Int(load(o, as: UInt16.self)), configurationId: Int(load(o + 2, as: UInt16.self)),
            envelopeId: Int(load(o + 4, as: UInt16.self)), generatedDateTime: Int(load(o + 6, as: UInt16.self)),
            accountId: r.layout.fieldCount > 4 ? Int(load(o + 8, as: UInt16.self)) : 0)
        guard lengths.allWithin(LogFormat.maximumFieldLength),
              r.layout.headerLength + r.bodyLength + lengths.total <= r.span else { return nil }
        return lengths
    }

    private func fieldsLength(of r: Reservation) -> Int? {
        fieldLengths(of: r)?.total
    }

    private func recordChecksumMatches(_ r: Reservation, fieldsLength: Int) -> Bool {
        var crc = crc32c(r.offset + r.layout.headerLength, r.bodyLength + fieldsLength)
        let completion = r.layout.completionRange
        crc = crc32c(r.offset + completion.lowerBound, completion.count, continuing: crc)
        return crc == load(r.offset + LogFormat.recordChecksumOffset, as: UInt32.self)
    }

    /// The first 8-aligned offset after `record` (and before `limit`) holding a header that
    /// checks out: a known state word and a valid reservation. With `anchorsOnly`, only a valid
    /// complete record or a VOID counts: the positions recovery never cuts before.
    func nextHeader(after record: Int, limit: Int, anchorsOnly: Bool) -> Int? {
        var candidate = record + 8
        let last = limit - LogFormat.minimumSpan
        while let found = nextRecordMagic(from: candidate, through: last) {
            switch classify(at: found, limit: limit) {
            case .complete, .voided: return found
            case .unpublished, .pending, .corrupt(_, .some):
                if !anchorsOnly { return found }
            case .empty, .corrupt(_, .none): break
            }
            candidate = found + 8
        }
        return nil
    }
}
