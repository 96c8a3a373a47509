import IngestSystem
import IngestTLS

/// Native TLS in the worker loop.
///
/// A connection accepted on the TLS listener gets a `TLSSession` from the worker's current
/// context and a handshake deadline. Until the handshake completes, its readiness events drive
/// `continueHandshake` (epoll interest follows libssl's WANT_READ / WANT_WRITE); then it is served
/// like a plain connection, except that reads go through `receiveTLS` (libssl decrypts into the
/// worker's input scratch) and writes through `transmit` (one `SSL_write` per connection per
/// pass, or a plain `send` when the kernel encrypts: kTLS). Plain connections pay one nil check.
///
/// libssl reads ahead: one `read(2)` may bring several records, and what was not yet decrypted
/// stays in libssl, where epoll cannot see it. `receiveTLS` therefore keeps calling `SSL_read`
/// while libssl holds input and the scratch has room; when the scratch fills first, the connection
/// goes on `deferredReads` and is read again in the next pass without waiting for an event.
extension Worker {
    /// Makes the session for a connection accepted on the TLS listener; false if libssl cannot.
    func beginTLS(_ connection: Connection, now: Int64) -> Bool {
        guard let runtime = state.tls else { return false }
        if tlsContext == nil || runtime.generation.load(ordering: .acquiring) != tlsGeneration {
            let (context, generation) = runtime.context()
            tlsContext = context
            tlsGeneration = generation
        }
        guard let session = tlsContext?.makeSession(descriptor: connection.descriptor) else { return false }
        connection.tls = session
        connection.handshakeDeadline = now + configuration.tlsHandshakeTimeoutNanoseconds
        return true
    }

    /// A readiness event during the handshake: advance it as far as the socket allows.
    func continueHandshake(_ connection: Connection, now: Int64) {
        guard let step = connection.tls?.handshake() else { return }
        switch step {
        case .complete:
            connection.handshakeDeadline = 0
            connection.lastActivity = now
            if connection.handshakeWantsWrite { watchReadable(connection) }
            guard let session = connection.tls else { return }
            transport.add(session.kernelSend ? (session.kernelReceive ? .kernel : .kernelSend) : .tlsUser)
            transport.add(session.wasResumed ? .resumedHandshakes : .fullHandshakes)
            openTLSConnections += 1
            transport.set(.openTLS, openTLSConnections)
            // The client's first request often arrives with its Finished message and is
            // already in libssl's buffer: no event would report it.
            readAndProcess(connection, now: now)
        case .wantRead:
            if connection.handshakeWantsWrite { watchReadable(connection) }
        case .wantWrite:
            if !connection.handshakeWantsWrite {
                connection.handshakeWantsWrite = true
                try? loop.epoll.modify(connection.descriptor, interest: [.writable], token: UInt64(connection.descriptor.rawValue))
            }
        case .failed(let failure):
            handshakeFailed(connection, failure, now: now)
        }
    }

    private func watchReadable(_ connection: Connection) {
        connection.handshakeWantsWrite = false
        try? loop.epoll.modify(connection.descriptor, interest: [.readable, .peerClosed], token: UInt64(connection.descriptor.rawValue))
    }

    /// Counts, logs (within the line budget; a client that just went away only at debug level)
    /// and closes. libssl has already sent the alert when there was one to send.
    func handshakeFailed(_ connection: Connection, _ failure: TLSFailure, now: Int64) {
        transport.addHandshakeFailure(failure)
        let level: LogLevel = failure == .peerClosed ? .debug : .warn
        if level >= state.operatorLog.level && badInputLines.allow(now: now) {
            var fields = [("reason", failure.rawValue), ("peer", connection.peer.description), ("worker", "\(index)")]
            if let refusal = connection.tls?.clientCertificateRefusal {
                fields += [("subject", refusal.subject), ("detail", refusal.reason)]
            } else if failure == .clientCertificateMissing {
                fields += [("subject", "-"), ("detail", "no client certificate")]
            }
            state.operatorLog.emit(level, "tls_handshake_failed", fields)
        }
        close(connection, now: now)
    }

    /// Reads decrypted bytes into `room`: the count, nil when nothing is there yet, 0 when the
    /// client ended the session. A broken TLS connection (bad record, renegotiation attempt) is
    /// counted and logged, and reported as a reset.
    func receiveTLS(_ connection: Connection, into room: UnsafeMutableRawBufferPointer, now: Int64) throws(Errno) -> Int? {
        guard let session = connection.tls else { return nil }
        var filled = 0
        reading: while filled < room.count {
            switch session.read(into: UnsafeMutableRawBufferPointer(rebasing: room[filled...])) {
            case .bytes(let n):
                filled += n
                if !session.hasBufferedInput { break reading }
            case .wantRead, .wantWrite:
                break reading
            case .closed:
                if filled == 0 && !session.renegotiationAttempted { return 0 }
                // Deliver what came before the close_notify now, the end of stream next pass
                // (the peer may keep its socket open, and then no event would say so).
                deferRead(connection)
                break reading
            case .failed(let failure):
                // A client refused a renegotiation often answers with a fatal alert at once.
                tlsConnectionFailed(connection, session.renegotiationAttempted ? .renegotiation : failure, now: now)
                throw Errno.connectionReset
            }
        }
        if session.renegotiationAttempted {
            tlsConnectionFailed(connection, .renegotiation, now: now)
            throw Errno.connectionReset
        }
        if filled == room.count && session.hasBufferedInput { deferRead(connection) }
        return filled > 0 ? filled : nil
    }

    func tlsConnectionFailed(_ connection: Connection, _ failure: TLSFailure, now: Int64) {
        transport.addConnectionFailure(failure)
        if failure == .renegotiation { transport.add(.renegotiationRefused) }
        if badInputLines.allow(now: now) {
            state.operatorLog.warn("tls_connection_failed", [("reason", failure.rawValue), ("peer", connection.peer.description),
                                                            ("worker", "\(index)")])
        }
    }

    /// Writes response bytes: through libssl, or straight to the socket when the kernel encrypts.
    /// Same contract as `Socket.send`: the count, nil when the socket is full.
    @inline(__always)
    func transmit(_ connection: Connection, _ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        guard let session = connection.tls, !session.kernelSend else { return try Socket.send(connection.descriptor, bytes) }
        switch session.write(bytes) {
        case .bytes(let n): return n
        case .wantWrite: return nil
        case .closed: throw Errno.brokenPipe
        case .wantRead: throw Errno.connectionReset   // renegotiation is refused: cannot happen
        case .failed: throw Errno.connectionReset
        }
    }

    /// Input libssl holds for this connection is read in the next pass.
    func deferRead(_ connection: Connection) {
        guard !connection.readDeferred else { return }
        connection.readDeferred = true
        deferredReads.append(connection.descriptor.rawValue)
    }

    /// After a full socket stopped reading: pick up input libssl buffered meanwhile.
    func resumeBufferedTLSInput(_ connection: Connection) {
        if let session = connection.tls, connection.handshakeDeadline == 0, session.hasBufferedInput { deferRead(connection) }
    }

    var hasDeferredWork: Bool { !deferredReads.isEmpty }

    func runDeferredWork(now: Int64) {
        swap(&deferredReads, &deferredScratch)
        for fd in deferredScratch {
            guard let connection = connections[Int(fd)], connection.readDeferred else { continue }
            connection.readDeferred = false
            readAndProcess(connection, now: now)
        }
        deferredScratch.removeAll(keepingCapacity: true)
    }

    /// Ends the TLS side of a closing connection: close_notify when the session was established
    /// (so the client can tell a clean end from a cut), then the session is freed.
    func releaseTLS(_ connection: Connection) {
        guard let session = connection.tls else { return }
        if connection.handshakeDeadline == 0 {
            session.closeNotify()
            openTLSConnections -= 1
            transport.set(.openTLS, openTLSConnections)
        }
        session.free()
        connection.tls = nil
        connection.readDeferred = false
    }

    /// Before shutting the write side of a connection that keeps draining input: close_notify.
    func sendCloseNotify(_ connection: Connection) {
        if let session = connection.tls, connection.handshakeDeadline == 0 { session.closeNotify() }
    }
}
