import IngestSystem

/// Acknowledgements: when a 200 may be written.
///
/// Inline commits (`--sync none`, `--sync interval=MS`, and streamed large records): every
/// message finished in a loop pass is appended by one `commit()` at the end of that pass; its
/// `.accepted` response becomes `.stored` (200) if the commit returned, `.unavailable` (503) if
/// it threw, and only then are responses written.
///
/// Batch commits (`--sync batch`): staged messages carry the ticket of the batch they belong to;
/// the worker's `CommitThread` appends and msyncs that batch while the loop goes on; a response
/// with ticket T is written only after the completion for T arrived (`durableTicket >= T`), as
/// 200 if it succeeded and 503 if it failed. Responses on one connection stay in request order.
extension Worker {
    /// Queues a response; it is written at the end of the pass (or when its ticket is durable).
    func respond(_ connection: Connection, _ kind: ResponseKind, ticket: UInt64 = 0) {
        connection.pending.append(kind)
        connection.pendingFramings.append(connection.framing)
        connection.pendingTickets.append(ticket)
        if kind == .accepted && ticket == 0 { inlineAcceptedThisPass += 1 }
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection.descriptor.rawValue)
        }
    }

    /// The pass barrier (called by the loop after each pass's events).
    func endOfPass(now: Int64) {
        takeCommitCompletion(now: now)
        let inline = inlineAcceptedThisPass
        var inlineCommitted = true
        if inline > 0 {
            inlineAcceptedThisPass = 0
            inlineCommitted = commitInline(count: inline)
        }
        if !commitThreads.isEmpty { submitStagedBatchIfIdle(now: now) }
        if dirty.isEmpty { return }
        for fd in dirty {
            guard let connection = connections[Int(fd)] else { continue }
            connection.isDirty = false
            if inline > 0 { resolveInline(connection, committed: inlineCommitted) }
            flush(connection, failedTickets: [], now: now)
        }
        dirty.removeAll(keepingCapacity: true)
        if inline > 0 {
            counters.observe(.ackSeconds, Double(Clock.monotonicNanoseconds() - now) / 1e9, count: inline)
            if inlineCommitted { counters.add(.webhookAccepted, inline) } else { counters.add(.unavailable, inline) }
        }
    }

    /// Appends this pass's messages (and finished large records) with one commit on this thread.
    private func commitInline(count: Int) -> Bool {
        let started = Clock.monotonicNanoseconds()
        var ok = true
        do {
            if commitThreads.isEmpty {
                try appender.commit()
            } else {
                try streamAppender.commit()
            }
            counters.add(.logCommits)
            counters.add(.logRecords, count)
        } catch {
            ok = false
            counters.add(.logCommitFailures)
            state.operatorLog.error("log_commit_failed", [("worker", "\(index)"), ("records", "\(count)"), ("error", "\(error)")])
        }
        if commitThreads.isEmpty { stagedMessages = 0; stagedBytes = 0 }
        largeFinishedThisPass = 0
        counters.observe(.syncSeconds, Double(Clock.monotonicNanoseconds() - started) / 1e9)
        counters.observe(.batchRecords, Double(count))
        return ok
    }

    /// Turns this pass's inline `.accepted` into `.stored` or `.unavailable`.
    private func resolveInline(_ connection: Connection, committed: Bool) {
        for i in connection.pending.indices where connection.pending[i] == .accepted && connection.pendingTickets[i] == 0 {
            connection.pending[i] = committed ? .stored : .unavailable
        }
    }

    /// Batch mode: hands the staged batch to an idle commit thread, if any (otherwise the batch
    /// keeps growing: group commit).
    private func submitStagedBatchIfIdle(now: Int64) {
        guard stagedMessages > 0, !spareAppenders.isEmpty,
              let thread = commitThreads.first(where: { t in !inFlight.contains { $0.thread === t } }) else { return }
        let batch = appender
        appender = spareAppenders.removeLast()
        inFlight.append(InFlightBatch(appender: batch, thread: thread, ticket: stagingTicket, count: stagedMessages, submittedAt: now))
        thread.submit(batch, ticket: stagingTicket, now: now)
        stagingTicket += 1
        stagedMessages = 0
        stagedBytes = 0
    }

    /// Batch mode: collects finished commits; the oldest ones, in ticket order, become durable
    /// and every response that waited for them is written.
    func takeCommitCompletion(now: Int64) {
        guard !inFlight.isEmpty else { return }
        for i in inFlight.indices where !inFlight[i].finished {
            if let (ticket, error) = inFlight[i].thread.takeCompletion() {
                precondition(ticket == inFlight[i].ticket, "a commit thread completes the batch it was given")
                inFlight[i].finished = true
                inFlight[i].error = error
            }
        }
        var failed: [UInt64] = []
        var newlyDurable = false
        let finished = Clock.monotonicNanoseconds()
        while let batch = inFlight.first, batch.finished {
            inFlight.removeFirst()
            spareAppenders.append(batch.appender)
            durableTicket = batch.ticket
            newlyDurable = true
            counters.observe(.syncSeconds, Double(finished - batch.submittedAt) / 1e9)
            counters.observe(.batchRecords, Double(batch.count))
            if let error = batch.error {
                failed.append(batch.ticket)
                counters.add(.logCommitFailures)
                counters.add(.unavailable, batch.count)
                state.operatorLog.error("log_commit_failed", [("worker", "\(index)"), ("records", "\(batch.count)"), ("error", "\(error)")])
            } else {
                counters.add(.logCommits)
                counters.add(.logRecords, batch.count)
                counters.add(.webhookAccepted, batch.count)
                counters.observe(.ackSeconds, Double(finished - batch.submittedAt) / 1e9, count: batch.count)
            }
        }
        guard newlyDurable else { return }
        let waitingNow = waiting
        waiting.removeAll(keepingCapacity: true)
        for fd in waitingNow {
            guard let connection = connections[Int(fd)] else { continue }
            connection.isWaiting = false
            flush(connection, failedTickets: failed, now: now)
        }
        submitStagedBatchIfIdle(now: now)
    }

    /// Writes the connection's responses that may go out now, in order, with one send.
    private func flush(_ connection: Connection, failedTickets: [UInt64], now: Int64) {
        output.removeAll()
        var ready = 0
        for index in 0..<connection.pending.count {
            let ticket = connection.pendingTickets[index]
            if ticket > durableTicket { break }
            var kind = connection.pending[index]
            if kind == .accepted { kind = failedTickets.contains(ticket) ? .unavailable : .stored }
            // Once shutdown began, every answer tells the client this connection is ending.
            let framing = draining && kind != .continue100 ? .close : connection.pendingFramings[index]
            if kind == .metrics {
                let body = MetricsRenderer.render(state)
                let head = ResponseTable.head(forBodyOf: body.count, contentType: "text/plain; version=0.0.4", framing: framing)
                head.withUnsafeBytes { output.append($0) }
                body.withUnsafeBytes { output.append($0) }
            } else {
                output.append(responses.bytes(kind, framing))
            }
            ready += 1
        }
        if ready == connection.pending.count {
            connection.pending.removeAll(keepingCapacity: true)
            connection.pendingFramings.removeAll(keepingCapacity: true)
            connection.pendingTickets.removeAll(keepingCapacity: true)
        } else {
            connection.pending.removeFirst(ready)
            connection.pendingFramings.removeFirst(ready)
            connection.pendingTickets.removeFirst(ready)
            if !connection.isWaiting {
                connection.isWaiting = true
                waiting.append(connection.descriptor.rawValue)
            }
        }
        let everythingOut = connection.pending.isEmpty
        if draining && everythingOut && !connection.hasPartialRequest {
            connection.closeAfterFlush = true
        }
        if output.isEmpty {
            if everythingOut && connection.closeAfterFlush && !connection.awaitingWritable { finishClosing(connection, now: now) }
            return
        }
        if connection.awaitingWritable {
            output.withBytes { connection.unsent.append($0) }
            return
        }
        let sent: Int?
        do {
            sent = try output.withBytes { bytes throws(Errno) in try Socket.send(connection.descriptor, bytes) }
        } catch {
            close(connection, now: now)
            return
        }
        let written = sent ?? 0
        if written < output.count {
            output.withBytes { connection.unsent.append(UnsafeRawBufferPointer(rebasing: $0[written...])) }
            waitForWritable(connection, now: now)
        } else if everythingOut && connection.closeAfterFlush {
            finishClosing(connection, now: now)
        }
    }

    /// The socket became writable: send what the kernel refused before.
    func writeUnsent(_ connection: Connection, now: Int64) {
        let sent: Int?
        do {
            sent = try connection.unsent.withBytes { bytes throws(Errno) in try Socket.send(connection.descriptor, bytes) }
        } catch {
            close(connection, now: now)
            return
        }
        guard let sent else { return }
        connection.lastActivity = now
        connection.unsent.removeFirst(sent)
        if connection.unsent.isEmpty {
            connection.awaitingWritable = false
            if connection.closeAfterFlush && connection.pending.isEmpty {
                finishClosing(connection, now: now)
            } else {
                try? loop.epoll.modify(connection.descriptor, interest: [.readable, .peerClosed],
                                       token: UInt64(connection.descriptor.rawValue))
            }
        }
    }

    /// Stops reading until the kernel takes the rest of the responses (a client that does not
    /// read its answers cannot make the server buffer without bound).
    private func waitForWritable(_ connection: Connection, now: Int64) {
        connection.awaitingWritable = true
        connection.lastActivity = now
        try? loop.epoll.modify(connection.descriptor, interest: [.writable], token: UInt64(connection.descriptor.rawValue))
    }

    /// All responses are out and the connection must close. If the peer may still be sending
    /// (an error cut its request short), shut our side and drain its input briefly, so it reads
    /// our answer instead of a reset.
    private func finishClosing(_ connection: Connection, now: Int64) {
        if connection.hasPartialRequest || !connection.leftover.isEmpty {
            Socket.shutdownWrite(connection.descriptor)
            connection.leftover.removeAll()
            connection.lingerUntil = now + 2_000_000_000
        } else {
            close(connection, now: now)
        }
    }

    /// Batch mode: why new webhooks must be refused now (503), or nil. The log cannot keep up
    /// when a commit has run longer than `--commit-stall-timeout` or the bytes staged while
    /// waiting exceed `--max-unsynced-bytes`; refusing then keeps memory bounded and lets
    /// DocuSign redeliver later instead of timing out.
    func backpressureReason(now: Int64) -> String? {
        guard !commitThreads.isEmpty else { return nil }
        let since = inFlight.first.map { $0.submittedAt } ?? 0
        if since != 0 && now - since > configuration.commitStallTimeoutNanoseconds {
            return "log commit stalled for \((now - since) / 1_000_000) ms"
        }
        if stagedBytes > configuration.maxUnsyncedBytes {
            return "\(stagedBytes) bytes waiting for the log"
        }
        return nil
    }
}
