import IngestSystem

/// Connection lifecycle for `ClientLoop`: connect, replace after failure or server close,
/// reconnect after a delay, and giving up on what is in flight. Same thread as the loop.
extension ClientLoop {
    /// Starts a new socket for slot `i` (new generation, empty state). It becomes `open` in
    /// `handle` when epoll reports the connect done; requests are sent from there.
    mutating func connect(_ i: Int) {
        connections[i].generation &+= 1
        connections[i].parser.reset()
        connections[i].inFlight.removeAll()
        connections[i].writeCursor = 0
        connections[i].writeEnd = 0
        let socket: ClientSocket
        do {
            socket = try ClientSocket.connect(to: plan.address)
        } catch {
            connectFailed(i, error)
            return
        }
        let token = ClientConnection.token(index: i, generation: connections[i].generation)
        do {
            try epoll.add(socket.descriptor.rawValue, token: token)
        } catch {
            socket.close()
            connectFailed(i, error)
            return
        }
        connections[i].socket = socket
        connections[i].state = .connecting
    }

    /// TCP is up: start TLS (with `--tls`) or go straight to `open`.
    mutating func connected(_ i: Int, readable: Bool) {
        guard let context = plan.tls else {
            opened(i, read: readable)
            return
        }
        guard let session = context.makeSession(descriptor: connections[i].socket!.descriptor,
                                                host: plan.address.socketAddress.host) else {
            fail(i, "tls-session-failed")
            return
        }
        connections[i].tls = session
        connections[i].state = .handshaking
        continueHandshake(i)
    }

    /// Advances the TLS handshake; edge-triggered epoll reports the next step's readiness.
    mutating func continueHandshake(_ i: Int) {
        guard let step = connections[i].tls?.handshake() else { return }
        switch step {
        case .complete:
            counters.tlsHandshakes += 1
            if connections[i].tls!.wasResumed { counters.tlsResumed += 1 }
            opened(i, read: true)   // libssl may already hold bytes that arrived with the handshake
        case .wantRead, .wantWrite:
            return
        case .failed(let failure):
            fail(i, "tls-handshake-\(failure.rawValue)")
        }
    }

    /// The connection can carry requests: send what is due.
    mutating func opened(_ i: Int, read: Bool) {
        connections[i].state = .open
        counters.connectionsOpened += 1
        let now = MonotonicClock.now()
        lastProgress = now
        if read { readAvailable(i) }
        if connections[i].state == .open && now >= plan.startTime {
            if plan.rate == nil { fill(i, now: now) } else if !sendingStopped { dispatchDue(now: now) }
        }
    }

    /// Closes connection `i`'s socket (and TLS session: close_notify first, so the session stays
    /// resumable for the next connection).
    mutating func closeSocket(_ i: Int) {
        if let session = connections[i].tls {
            session.closeNotify()
            session.free()
            connections[i].tls = nil
        }
        connections[i].socket?.close()
        connections[i].socket = nil
    }

    /// A connect that failed: count it and retry after `reconnectDelay`.
    mutating func connectFailed(_ i: Int, _ error: Errno) {
        counters.count("connect-failed")
        closeSocket(i)
        connections[i].state = .waiting(retryAt: MonotonicClock.now() &+ Self.reconnectDelay)
        waitingCount += 1
    }

    /// Drops connection `i` after an error: its unanswered requests are lost.
    mutating func fail(_ i: Int, _ error: String) {
        counters.count(error)
        replace(i)
    }

    /// Closes connection `i` and, unless sending has stopped, opens a new one in its place.
    mutating func replace(_ i: Int) {
        let c = connections[i]
        counters.lostInFlight += UInt64(c.inFlight.count)
        outstanding -= c.inFlight.count
        closeSocket(i)
        connections[i].inFlight.removeAll()
        connections[i].writeCursor = 0
        connections[i].writeEnd = 0
        if sendingStopped {
            connections[i].state = .closed
        } else {
            connect(i)
        }
    }

    /// Retries the connects whose delay has passed.
    mutating func reconnectDue(now: UInt64) {
        for i in connections.indices {
            if case .waiting(let retryAt) = connections[i].state, retryAt <= now {
                waitingCount -= 1
                connect(i)
            }
        }
    }

    /// Gives up on every unanswered request (the run stalled): they count as lost.
    mutating func abandonInFlight() {
        for i in connections.indices {
            counters.lostInFlight += UInt64(connections[i].inFlight.count)
            outstanding -= connections[i].inFlight.count
            connections[i].inFlight.removeAll()
        }
    }
}
