import CLinux

/// A streaming record in progress: an opaque handle, valid with the appender that made it until
/// it is voided or published. Using it afterwards (or with another appender) traps.
public struct LargeRecord: Sendable, Hashable {
    let slot: Int
    let generation: UInt32
    /// The sequence number reserved for this record (it keeps its place in the total order).
    public let sequence: UInt64
}

/// The appender's bookkeeping for one streaming record.
struct LargeSlot {
    enum Phase { case free, streaming, finished }
    var phase: Phase = .free
    var generation: UInt32 = 0
    var segment: Segment? = nil
    var offset = 0
    var bodyLength = 0
    var written = 0
    var bodyCRC: UInt32 = 0
    var receivedAt: Int64 = 0
    var messageId: MessageID? = nil
    var payloadCRC: UInt32 = 0
    /// A piece of the body could not be written: the record is voided at the next commit, which
    /// then throws.
    var writeError: LogError? = nil
}

/// Large bodies go into the log as they arrive, so a connection never holds a whole body.
///
/// Protocol: `beginLargeRecord` reserves the record's full span at once (body + 4096 bytes for
/// the fields), takes its sequence number, and publishes the header as PEND. `appendLargeBody`
/// writes each piece straight into the segment (`pwrite`) and folds it into the CRC. `finishLargeRecord`
/// writes the fields and the checksum; the record is published DONE (and synced, under `batch`)
/// by this appender's next `commit()`. `voidLargeRecord` marks it VOID at once.
///
/// Readers: a follower waits at a PEND record (it keeps its sequence order), so an upload in
/// progress holds back later records for followers until it finishes or is voided; the server's
/// body timeout bounds that wait. If the writer dies, the record is abandoned and recovery voids it.
/// Space: a voided record keeps its reserved space until retention deletes the segment.
extension LogAppender {
    /// Reserves space for a body of `bodyLength` bytes received at `receivedAtNanoseconds`.
    /// Throws if the log is closed, the body is too large for one record, or a new segment
    /// cannot be created.
    public func beginLargeRecord(bodyLength: Int, receivedAtNanoseconds: Int64) throws -> LargeRecord {
        guard bodyLength >= 0, bodyLength <= LogFormat.maximumBodyLength else {
            throw LogError.recordTooLarge(bytes: bodyLength)
        }
        let span = LogFormat.span(bodyLength: bodyLength, fieldsLength: LogFormat.largeRecordFieldCapacity)
        var one = span
        let sequence = try withUnsafePointer(to: &one) { pointer throws(LogError) in
            try log.reserve(spans: UnsafeBufferPointer(start: pointer, count: 1), newestReceivedAt: receivedAtNanoseconds,
                            chunks: &chunks, cacheRelease: &cacheRelease)
        }
        let chunk = chunks[0]
        chunks.removeAll(keepingCapacity: true)
        let bytes = chunk.segment.bytes
        bytes.writeReservation(at: chunk.segmentOffset, sequence: sequence, receivedAt: receivedAtNanoseconds,
                               span: span, bodyLength: bodyLength)
        atomicReleaseFence()
        bytes.publishState(LogFormat.State.pending, at: chunk.segmentOffset)
        let index = freeSlotIndex()
        largeSlots[index].phase = .streaming
        largeSlots[index].generation &+= 1
        largeSlots[index].segment = chunk.segment
        largeSlots[index].offset = chunk.segmentOffset
        largeSlots[index].bodyLength = bodyLength
        largeSlots[index].written = 0
        largeSlots[index].bodyCRC = 0
        largeSlots[index].receivedAt = receivedAtNanoseconds
        largeSlots[index].messageId = nil
        return LargeRecord(slot: index, generation: largeSlots[index].generation, sequence: sequence)
    }

    /// Copies the next piece of the body into the log. The pieces must add up to exactly the
    /// `bodyLength` given to `beginLargeRecord` (more traps).
    public func appendLargeBody(_ record: LargeRecord, _ piece: UnsafeRawBufferPointer) {
        let index = checkedSlot(record, expecting: .streaming)
        let slot = largeSlots[index]
        precondition(slot.written + piece.count <= slot.bodyLength, "large record body longer than announced")
        guard piece.count > 0 else { return }
        // With pwrite, like small records (Segment.write says why).
        do {
            try slot.segment!.write(piece, at: slot.offset + LogFormat.recordHeaderLength + slot.written)
        } catch {
            if slot.writeError == nil { largeSlots[index].writeError = error }
        }
        largeSlots[index].bodyCRC = cl_crc32c(slot.bodyCRC, piece.baseAddress!, piece.count)
        largeSlots[index].written += piece.count
    }

    /// Completes the record (after the whole body arrived and its signature checked out). It
    /// becomes visible to readers, and durable per the sync policy, at this appender's next
    /// `commit()`: acknowledge it only after that commit returns. `messageId` as for `stage`; the
    /// duplicate check runs when the record is published.
    public func finishLargeRecord(_ record: LargeRecord, flags: RecordFlags, fields: RecordFields,
                                  messageId: MessageID? = nil) {
        let index = checkedSlot(record, expecting: .streaming)
        let slot = largeSlots[index]
        precondition(slot.written == slot.bodyLength,
                     "large record finished after \(slot.written) of \(slot.bodyLength) body bytes")
        largeSlots[index].payloadCRC = slot.segment!.bytes.writeCompletion(
            at: slot.offset, bodyLength: slot.bodyLength, bodyCRC: slot.bodyCRC, flags: flags, fields: fields,
            messageId: messageId)
        largeSlots[index].messageId = messageId
        largeSlots[index].phase = .finished
        finishedLarge.append(index)
    }

    /// Leaves no trusted record: marks the reservation VOID now (readers skip it). Allowed while
    /// streaming and after `finishLargeRecord` until the next commit.
    public func voidLargeRecord(_ record: LargeRecord) {
        let index = checkedSlot(record, expecting: nil)
        if largeSlots[index].phase == .finished, let position = finishedLarge.firstIndex(of: index) {
            finishedLarge.remove(at: position)
        }
        voidSlot(index)
    }

    // MARK: Internals

    func voidSlot(_ index: Int) {
        let slot = largeSlots[index]
        slot.segment!.bytes.publishState(LogFormat.State.void, at: slot.offset)
        slot.segment!.finishReservations(1)
        freeSlot(index)
    }

    /// Publishes the records finished since the last commit (called by `commit()`).
    /// A record whose body could not be written is voided instead, and the first such error is
    /// returned (`commit` throws it after the rest of its work).
    func publishFinishedLarge() -> LogError? {
        var failure: LogError? = nil
        for index in finishedLarge {
            let slot = largeSlots[index]
            if let error = slot.writeError {
                failure = failure ?? error
                voidSlot(index)
                continue
            }
            let segment = slot.segment!
            if let id = slot.messageId,
               let firstCopy = log.firstCopy(of: id, sequence: segment.bytes.load(slot.offset + 8, as: UInt64.self),
                                             receivedAt: slot.receivedAt) {
                segment.bytes.markDuplicate(at: slot.offset, firstCopy: firstCopy, payloadCRC: slot.payloadCRC)
                lastCommitDuplicates += 1
            }
            atomicReleaseFence()
            segment.bytes.publishState(LogFormat.State.done, at: slot.offset)
            segment.finishReservations(1)
            if syncEachBatch {
                let span = Int(segment.bytes.load(slot.offset + 24, as: UInt32.self))
                syncRanges.append((segment, slot.offset, span))
            }
            freeSlot(index)
        }
        finishedLarge.removeAll(keepingCapacity: true)
        return failure
    }

    private func freeSlot(_ index: Int) {
        largeSlots[index].phase = .free
        largeSlots[index].segment = nil
        largeSlots[index].writeError = nil
    }

    private func freeSlotIndex() -> Int {
        if let index = largeSlots.firstIndex(where: { $0.phase == .free }) { return index }
        largeSlots.append(LargeSlot())
        return largeSlots.count - 1
    }

    private func checkedSlot(_ record: LargeRecord, expecting phase: LargeSlot.Phase?) -> Int {
        precondition(record.slot >= 0 && record.slot < largeSlots.count
                     && largeSlots[record.slot].generation == record.generation
                     && largeSlots[record.slot].phase != .free,
                     "stale or foreign LargeRecord handle (seq \(record.sequence))")
        if let phase {
            precondition(largeSlots[record.slot].phase == phase, "LargeRecord seq \(record.sequence) is not \(phase)")
        }
        return record.slot
    }
}
