import IngestSystem

extension Worker {
    /// Queues a response; it is written at the end of the pass, after the commit.
    func respond(_ connection: Connection, _ kind: ResponseKind) {
        connection.pending.append(kind)
        connection.pendingFramings.append(connection.framing)
        if !connection.isDirty {
            connection.isDirty = true
            dirty.append(connection.descriptor.rawValue)
        }
    }

    /// The pass barrier: make every message staged this pass durable with one commit, then
    /// write each connection's responses with one write. A 200 is never written for a message
    /// whose commit failed: it becomes 503 and DocuSign redelivers.
    func endOfPass(now: Int64) {
        var committed = true
        let accepted = acceptedThisPass
        if accepted > 0 {
            acceptedThisPass = 0
            let started = Clock.monotonicNanoseconds()
            do {
                try appender.commit()
                counters.add(.logCommits)
                counters.add(.logRecords, accepted)
            } catch {
                committed = false
                counters.add(.logCommitFailures)
                state.operatorLog.error("log_commit_failed", [("worker", "\(index)"), ("records", "\(accepted)"), ("error", "\(error)")])
            }
            let finished = Clock.monotonicNanoseconds()
            counters.observe(.syncSeconds, Double(finished - started) / 1e9)
            counters.observe(.batchRecords, Double(accepted))
        }
        if dirty.isEmpty { return }
        for fd in dirty {
            guard let connection = connections[Int(fd)] else { continue }
            connection.isDirty = false
            flush(connection, committed: committed, now: now)
        }
        dirty.removeAll(keepingCapacity: true)
        if accepted > 0 {
            // From the pass's wake-up (when the final bytes were read) to the responses written.
            counters.observe(.ackSeconds, Double(Clock.monotonicNanoseconds() - now) / 1e9, count: accepted)
            if !committed { counters.add(.unavailable, accepted) } else { counters.add(.webhookAccepted, accepted) }
        }
    }

    /// Renders the connection's pending responses into the output scratch and sends them.
    private func flush(_ connection: Connection, committed: Bool, now: Int64) {
        output.removeAll()
        for index in 0..<connection.pending.count {
            var kind = connection.pending[index]
            // Once shutdown began, every answer tells the client this connection is ending.
            let framing = draining && kind != .continue100 ? .close : connection.pendingFramings[index]
            if kind == .accepted && !committed { kind = .unavailable }
            if kind == .metrics {
                var body = MetricsRenderer.render(state)
                var head = ResponseTable.head(forBodyOf: body.count, contentType: "text/plain; version=0.0.4", framing: framing)
                head.withUnsafeBytes { output.append($0) }
                body.withUnsafeBytes { output.append($0) }
                head = []; body = []
            } else {
                output.append(responses.bytes(kind, framing))
            }
        }
        connection.pending.removeAll(keepingCapacity: true)
        connection.pendingFramings.removeAll(keepingCapacity: true)
        if draining && !connection.hasPartialRequest {
            connection.closeAfterFlush = true
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
        } else if connection.closeAfterFlush {
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
            if connection.closeAfterFlush {
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
}
