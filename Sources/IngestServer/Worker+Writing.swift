import IngestSystem

/// Acknowledgements: when a 200 may be written.
///
/// Every message finished in a loop pass is appended by one `commit()` at the end of that pass
/// (copies into the page cache). Its `.accepted` response then becomes:
/// - `--sync none` / `interval=MS`: `.stored` (200) once the commit returned, `.unavailable`
///   (503) if it threw; responses are written right away.
/// - `--sync batch`: still `.accepted`, now carrying the group-sync ticket taken after the
///   commit; written as 200 only once `GroupSync` reports that ticket durable (or 503 if its
///   round failed). The loop keeps reading, verifying and committing meanwhile.
/// Responses on one connection always go out in request order.
extension Worker {
    /// Queues a response; it is written at the end of the pass (or when its ticket is durable).
    func respond(_ connection: Connection, _ kind: ResponseKind, ticket: UInt64 = 0) {
        connection.pending.append(kind)
        connection.pendingFramings.append(connection.framing)
        connection.pendingTickets.append(ticket)
        if kind == .accepted { inlineAcceptedThisPass += 1 }
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection.descriptor.rawValue)
        }
    }

    /// The pass barrier (called by the loop after each pass's events).
    func endOfPass(now: Int64) {
        takeDurable(now: now)
        let accepted = inlineAcceptedThisPass
        var committed = true
        var ticket: UInt64 = 0
        if accepted > 0 {
            inlineAcceptedThisPass = 0
            committed = commitPass(count: accepted)
            if committed, let groupSync {
                ticket = groupSync.published()
                unsynced.append((ticket, accepted, stagedBytes, now))
                unsyncedBytes += stagedBytes
                if groupSync.mode == .leader { takeDurable(now: now, leading: true) }
            }
            stagedBytes = 0
        }
        if dirty.isEmpty { return }
        for fd in dirty {
            guard let connection = connections[Int(fd)] else { continue }
            connection.isDirty = false
            if accepted > 0 { resolveCommitted(connection, committed: committed, ticket: ticket) }
            flush(connection, now: now)
        }
        dirty.removeAll(keepingCapacity: true)
        if accepted > 0 && groupSync == nil {
            counters.observe(.ackSeconds, Double(Clock.monotonicNanoseconds() - now) / 1e9, count: accepted)
            if committed { counters.add(.webhookAccepted, accepted) } else { counters.add(.unavailable, accepted) }
        }
    }

    /// Appends this pass's messages (and finished large records) with one commit on this thread.
    private func commitPass(count: Int) -> Bool {
        let started = Clock.monotonicNanoseconds()
        var ok = true
        do {
            try appender.commit()
            counters.add(.logCommits)
            counters.add(.logRecords, count)
        } catch {
            ok = false
            counters.add(.logCommitFailures)
            if groupSync != nil { counters.add(.unavailable, count) }
            state.operatorLog.error("log_commit_failed", [("worker", "\(index)"), ("records", "\(count)"), ("error", "\(error)")])
        }
        if groupSync == nil {
            counters.observe(.syncSeconds, Double(Clock.monotonicNanoseconds() - started) / 1e9)
        }
        counters.observe(.batchRecords, Double(count))
        return ok
    }

    /// Gives this pass's `.accepted` responses their outcome: stored (200 now), waiting for a
    /// group-sync ticket, or unavailable (503).
    private func resolveCommitted(_ connection: Connection, committed: Bool, ticket: UInt64) {
        for i in connection.pending.indices where connection.pending[i] == .accepted && connection.pendingTickets[i] == 0 {
            if !committed {
                connection.pending[i] = .unavailable
            } else if ticket == 0 {
                connection.pending[i] = .stored
            } else {
                connection.pendingTickets[i] = ticket
            }
        }
    }

    /// `--sync batch`: picks up what the group sync made durable since last time and writes
    /// every response that waited for it. With `leading` (leader mode: after publishing, and when
    /// woken by the end of someone else's round), first runs a round for this worker's tickets
    /// that none has covered, unless one is running.
    func takeDurable(now: Int64, leading: Bool = false) {
        guard let groupSync else { return }
        var durable = groupSync.durable.load(ordering: .acquiring)
        if leading && groupSync.mode == .leader, let newest = unsynced.last?.ticket, newest > durable {
            // Tickets no round has covered: lead one (unless one is running; its end wakes us).
            groupSync.leadRound()
            durable = groupSync.durable.load(ordering: .acquiring)
        }
        guard durable > durableTicket else { return }
        durableTicket = durable
        let failures = groupSync.failureCount.load(ordering: .acquiring)
        let anyFailed = failures != seenFailures
        seenFailures = failures
        let finished = Clock.monotonicNanoseconds()
        var done = 0
        while done < unsynced.count && unsynced[done].ticket <= durable {
            let batch = unsynced[done]
            unsyncedBytes -= batch.bytes
            if anyFailed && groupSync.isFailed(batch.ticket) {
                counters.add(.unavailable, batch.records)
            } else {
                counters.add(.webhookAccepted, batch.records)
                counters.observe(.ackSeconds, Double(finished - batch.publishedAt) / 1e9, count: batch.records)
            }
            done += 1
        }
        unsynced.removeFirst(done)
        let waitingNow = waiting
        waiting.removeAll(keepingCapacity: true)
        for fd in waitingNow {
            guard let connection = connections[Int(fd)] else { continue }
            connection.isWaiting = false
            flush(connection, now: now)
        }
    }

    /// Writes the connection's responses that may go out now, in order, with one send.
    private func flush(_ connection: Connection, now: Int64) {
        output.removeAll()
        var ready = 0
        for index in 0..<connection.pending.count {
            let ticket = connection.pendingTickets[index]
            if ticket > durableTicket { break }
            var kind = connection.pending[index]
            if kind == .accepted { kind = seenFailures > 0 && groupSync?.isFailed(ticket) == true ? .unavailable : .stored }
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
            sent = try output.withBytes { bytes throws(Errno) in try transmit(connection, bytes) }
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
            sent = try connection.unsent.withBytes { bytes throws(Errno) in try transmit(connection, bytes) }
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
                resumeBufferedTLSInput(connection)
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
            sendCloseNotify(connection)
            Socket.shutdownWrite(connection.descriptor)
            connection.leftover.removeAll()
            connection.lingerUntil = now + 2_000_000_000
        } else {
            close(connection, now: now)
        }
    }

    /// `--sync batch`: why new webhooks must be refused now (503), or nil. The log cannot keep
    /// up when a sync round has run longer than `--commit-stall-timeout` or this worker's bodies
    /// waiting for a sync exceed `--max-unsynced-bytes`; refusing then keeps memory and the
    /// unacknowledged backlog bounded and lets DocuSign redeliver later instead of timing out.
    func backpressureReason(now: Int64) -> String? {
        guard let groupSync else { return nil }
        let since = groupSync.busySince.load(ordering: .relaxed)
        if since != 0 && now - since > configuration.commitStallTimeoutNanoseconds {
            return "log commit stalled for \((now - since) / 1_000_000) ms"
        }
        if unsyncedBytes + stagedBytes > configuration.maxUnsyncedBytes {
            return "\(unsyncedBytes + stagedBytes) bytes waiting for the log's sync"
        }
        return nil
    }
}
