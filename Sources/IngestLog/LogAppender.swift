import CLinux

/// One worker thread's way into the log: stages complete records, commits them as one batch,
/// and streams large bodies in as they arrive (LogAppender+Large.swift).
///
/// Thread affinity: owned by exactly one worker thread at a time; no method may run
/// concurrently with another on the same appender. (It is `Sendable` only so that it can be
/// created on one thread and handed to the worker that owns it.)
///
/// Memory: the batch buffer grows to the largest batch and is reused, the bookkeeping arrays keep
/// their capacity, so a warm appender allocates nothing per record or per commit.
public final class LogAppender: @unchecked Sendable {
    let log: MessageLog
    let buffer = BatchBuffer()
    /// The span of each staged record, in staging order; records lie back to back in `buffer`.
    var spans: [Int] = []
    /// Per staged record (same order): what the duplicate check needs and its verdict.
    var identities: [StagedIdentity] = []
    /// Records flagged duplicate by the last `commit()` (staged and streamed).
    public internal(set) var lastCommitDuplicates = 0
    var batchNewestReceivedAt = Int64.min
    var chunks: [MessageLog.ReservedChunk] = []
    var syncRanges: [(segment: Segment, offset: Int, count: Int)] = []
    var cacheRelease = MessageLog.CacheRelease()
    let syncEachBatch: Bool
    /// Durable sync policies: records go into segments by `pwrite` only (see `copyAndPublish`).
    let writesThroughFile: Bool

    // Streaming records (LogAppender+Large.swift).
    var largeSlots: [LargeSlot] = []
    var finishedLarge: [Int] = []

    init(log: MessageLog, defersSync: Bool = false) {
        self.log = log
        self.syncEachBatch = log.options.sync == .batch && !defersSync
        self.writesThroughFile = log.options.sync != .none
        spans.reserveCapacity(256)
        identities.reserveCapacity(256)
        chunks.reserveCapacity(4)
        syncRanges.reserveCapacity(8)
        largeSlots.reserveCapacity(8)
        finishedLarge.reserveCapacity(8)
    }

    deinit {
        // A streaming record nobody will finish must not keep readers waiting: void it.
        for index in largeSlots.indices where largeSlots[index].phase != .free {
            voidSlot(index)
        }
    }

    /// Chunks whose records average at least this many bytes are written with `pwrite`, smaller
    /// ones copied into the mapping, under policy `none` (see `copyAndPublish`).
    static let pwriteRecordSize = 4096

    /// Records staged since the last commit.
    public var stagedCount: Int { spans.count }

    /// Stages a complete record: encodes it (header, body, fields, record CRC) into this
    /// appender's batch buffer now, so the caller's buffers may be reused at once. Nothing is
    /// in the log until `commit()` returns.
    ///
    /// `messageId`, when given, is stored with the record and, with a duplicate detector installed,
    /// decides at commit whether the record is flagged a duplicate.
    public func stage(receivedAtNanoseconds: Int64, flags: RecordFlags, fields: RecordFields,
                      messageId: MessageID? = nil, body: UnsafeRawBufferPointer) {
        precondition(body.count <= LogFormat.maximumBodyLength, "body of \(body.count) bytes is too large for one record")
        let span = LogFormat.span(bodyLength: body.count, fieldsLength: fields.storedTotal)
        buffer.reserve(span)
        let payloadCRC = buffer.bytes.encodeRecord(at: buffer.used, span: span, receivedAt: receivedAtNanoseconds,
                                                   flags: flags, fields: fields, messageId: messageId, body: body)
        buffer.used += span
        spans.append(span)
        identities.append(StagedIdentity(messageId: messageId, receivedAt: receivedAtNanoseconds, payloadCRC: payloadCRC))
        if receivedAtNanoseconds > batchNewestReceivedAt { batchNewestReceivedAt = receivedAtNanoseconds }
    }

    /// Appends everything staged as one batch and publishes the streaming records finished since
    /// the last commit; then makes all of it durable per the sync policy. When this returns, the
    /// records are in the log and may be acknowledged.
    ///
    /// Returns the sequence numbers of the staged records, in staging order, or nil if none were
    /// staged. Throws if the log is closed or a file operation fails (segment roll-over, pwrite,
    /// msync, or an earlier `appendLargeBody` whose record is then voided): then none of this
    /// commit's records may be acknowledged. The staged records are dropped
    /// (their reserved space, if any, is voided); finished streaming records are still published,
    /// so a retry by the sender can produce a duplicate, as any retry can.
    @discardableResult
    public func commit() throws -> ClosedRange<UInt64>? {
        lastCommitDuplicates = 0
        if spans.isEmpty && finishedLarge.isEmpty { return nil }
        syncRanges.removeAll(keepingCapacity: true)
        let largeFailure = publishFinishedLarge()
        var assigned: ClosedRange<UInt64>? = nil
        if !spans.isEmpty {
            let first: UInt64
            do {
                first = try spans.withUnsafeBufferPointer { spans throws(LogError) in
                    try identities.withUnsafeMutableBufferPointer { identities throws(LogError) in
                        try log.reserve(spans: spans, newestReceivedAt: batchNewestReceivedAt, chunks: &chunks,
                                        cacheRelease: &cacheRelease, identities: identities)
                    }
                }
                try copyAndPublish(firstSequence: first)
            } catch {
                voidReservedChunks()
                resetStaging()
                scheduleCacheRelease()
                throw error
            }
            assigned = first...(first + UInt64(spans.count) - 1)
            resetStaging()
        }
        scheduleCacheRelease()
        // Drop segment references now: an idle worker must not keep a retired segment mapped
        // (the file's blocks are freed only when its last mapping goes, even after retention).
        chunks.removeAll(keepingCapacity: true)
        if syncEachBatch {
            defer { syncRanges.removeAll(keepingCapacity: true) }
            log.noteSyncRound()
            for range in syncRanges { try range.segment.synchronize(offset: range.offset, count: range.count) }
        }
        log.retentionCheck()
        if let largeFailure { throw largeFailure }
        return assigned
    }

    /// Fills in sequence numbers (and the duplicate marks the reservation decided), writes each
    /// chunk into its segment with its state words 0, then publishes each record's state word,
    /// and releases the chunk's reservations. How depends on the sync policy.
    ///
    /// Durable policies (`batch`, `interval`: fdatasync follows) write only with `pwrite`, twice
    /// per chunk: the records with state 0, then, once that returned, the same bytes with the
    /// states set. The second copy changes nothing a reader can see but the state words, and it
    /// starts after the first one finished, so a reader that finds a state set finds the record's
    /// bytes too (the kernel's copy need not store bytes in order, so one `pwrite` with the states
    /// set would not promise that). No store goes through the writer's mapping: a store into a
    /// page of a shared mapping dirties the page's whole folio (large folios on ext4 since Linux
    /// 6.16: up to hundreds of KiB), and every fdatasync then writes all of it back, while
    /// `pwrite` dirties only the blocks it covers. Measured with a C program on the reference VM,
    /// 14 KB appended per fdatasync: 220-290 µs and 50-59 µs of CPU per round with `pwrite` only,
    /// 1.3-1.9 ms and 150-200 µs with one state store per record through the mapping (into
    /// written blocks, see `MessageLog`, "Zeros ahead").
    ///
    /// Policy `none`: records of a page or more on average (envelope summaries, documents) go in
    /// one `pwrite` and their state words through the mapping (release, after the `pwrite`
    /// returned); smaller records (bare events, nine to a page) are copied into the mapping: every
    /// page holds record starts and faults for the state words anyway, so a `pwrite` would only
    /// add its own cost (measured: 0.6 against 0.2 µs per 456-byte record in commits of 32; 2.2
    /// against 2.6 µs per 6.4 KB record).
    ///
    /// If a write fails, nothing is published: `commit` voids every chunk.
    private func copyAndPublish(firstSequence: UInt64) throws(LogError) {
        let staged = buffer.bytes
        var offset = 0
        for index in spans.indices {
            staged.patchSequence(at: offset, sequence: firstSequence + UInt64(index))
            if let firstCopy = identities[index].firstCopy {
                staged.markDuplicate(at: offset, firstCopy: firstCopy, payloadCRC: identities[index].payloadCRC)
                lastCommitDuplicates += 1
            }
            offset += spans[index]
        }
        if writesThroughFile {
            for chunk in chunks {
                let source = staged.buffer(chunk.bufferOffset, chunk.byteCount)
                try chunk.segment.write(source, at: chunk.segmentOffset)
                var position = chunk.bufferOffset
                for index in chunk.firstRecord..<(chunk.firstRecord + chunk.recordCount) {
                    staged.publishState(LogFormat.State.done, at: position)
                    position += spans[index]
                }
                try chunk.segment.write(source, at: chunk.segmentOffset)
            }
            for chunk in chunks {
                chunk.segment.finishReservations(chunk.recordCount)
                if syncEachBatch { syncRanges.append((chunk.segment, chunk.segmentOffset, chunk.byteCount)) }
            }
            return
        }
        for chunk in chunks {
            let source = staged.buffer(chunk.bufferOffset, chunk.byteCount)
            if chunk.byteCount >= chunk.recordCount * LogAppender.pwriteRecordSize {
                try chunk.segment.write(source, at: chunk.segmentOffset)
            } else {
                chunk.segment.bytes.copy(from: source, to: chunk.segmentOffset)
            }
        }
        atomicReleaseFence()
        for chunk in chunks {
            let target = chunk.segment.bytes
            var position = chunk.segmentOffset
            for index in chunk.firstRecord..<(chunk.firstRecord + chunk.recordCount) {
                target.publishState(LogFormat.State.done, at: position)
                position += spans[index]
            }
            chunk.segment.finishReservations(chunk.recordCount)
            if syncEachBatch { syncRanges.append((chunk.segment, chunk.segmentOffset, chunk.byteCount)) }
        }
    }

    /// After a failed reservation: covers what was reserved with VOID fillers so readers do not
    /// wait on it, and releases the reservations.
    private func voidReservedChunks() {
        for chunk in chunks {
            var position = chunk.segmentOffset
            for index in chunk.firstRecord..<(chunk.firstRecord + chunk.recordCount) {
                chunk.segment.bytes.writeFiller(at: position, span: spans[index])
                position += spans[index]
            }
            chunk.segment.finishReservations(chunk.recordCount)
        }
        chunks.removeAll(keepingCapacity: true)
    }

    private func scheduleCacheRelease() {
        if !cacheRelease.isEmpty {
            log.scheduleCacheRelease(cacheRelease)
            cacheRelease = MessageLog.CacheRelease()
        }
    }

    private func resetStaging() {
        spans.removeAll(keepingCapacity: true)
        identities.removeAll(keepingCapacity: true)
        buffer.reset()
        batchNewestReceivedAt = Int64.min
    }
}

/// What the duplicate check needs of a staged record, and (after reservation) its verdict.
struct StagedIdentity {
    var messageId: MessageID?
    var receivedAt: Int64
    /// The CRC of the encoded payload, so marking a duplicate rehashes only the completion part.
    var payloadCRC: UInt32
    /// Set under the reservation lock: the sequence number of the first copy, if this is a copy.
    var firstCopy: UInt64? = nil
}
