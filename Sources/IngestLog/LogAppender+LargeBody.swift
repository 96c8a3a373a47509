/// Reading back the body of a streaming record before it is finished: the server needs the
/// whole body of a message without identity fields to compute its id, and a streamed body is
/// nowhere else (it went straight into the segment).
extension LogAppender {
    /// Calls `body` with the bytes appended so far to `record` (all of them once the last piece
    /// is in), read from the log's mapping. The record must be streaming (not finished, not
    /// voided); the pointer is valid only inside `body`.
    public func withLargeBody<R>(_ record: LargeRecord, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        precondition(record.slot >= 0 && record.slot < largeSlots.count
                     && largeSlots[record.slot].generation == record.generation
                     && largeSlots[record.slot].phase == .streaming,
                     "withLargeBody: stale, foreign or finished LargeRecord handle (seq \(record.sequence))")
        let slot = largeSlots[record.slot]
        return body(slot.segment!.bytes.buffer(slot.offset + LogFormat.recordHeaderLength, slot.written))
    }
}
