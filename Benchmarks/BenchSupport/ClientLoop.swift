#if canImport(Glibc)
import Glibc
#endif
import CLinux
import IngestSystem

/// One client thread's event loop: its connections, its request pool, its counters.
///
/// Hot path (per response): `read` into one per-thread buffer, the parser walks the bytes, the
/// in-flight ring gives the request and its start time, counters and histogram are updated, and
/// the freed pipeline slots are refilled with the next pre-generated requests in one `send`.
/// No allocation, no locks, no Foundation, no `String`.
///
/// Closed loop: each connection keeps `pipeline` requests in flight; latency runs from the write.
/// Open loop (`rate`): arrival `k` is due at `start + offset + k / rate`, whether or not a
/// connection is free; it waits in a backlog until one is, and its latency runs from when it was
/// due, so a stalled server shows up in the percentiles (no coordinated omission). The epoll wait
/// ends at the next arrival with nanosecond resolution (`epoll_pwait2`).
///
/// Failure: a connection that errors or is closed by the server is replaced at once (or after
/// 50 ms if connecting fails); its unanswered requests count as lost. No progress at all for
/// `stallTimeout` ends the thread's run.
public struct ClientLoop {
    let plan: LoadPlan
    let pool: RequestPool
    var counters = LoadCounters()
    var connections: [ClientConnection]
    var epoll: ClientEpoll
    let readBuffer: UnsafeMutableRawBufferPointer
    let events: UnsafeMutableBufferPointer<epoll_event>

    /// Next pool message to send (wraps around to 0).
    var nextMessage = 0
    /// Messages claimed (written or being written) so far.
    var claimed = 0
    var sendingStopped = false
    var roundRobin = 0
    var waitingCount = 0
    /// Requests in flight on all connections (claimed, not yet answered or lost).
    var outstanding = 0
    var lastProgress: UInt64 = 0
    // Open loop.
    let interval: Double
    var dispatched = 0

    static let reconnectDelay: UInt64 = 50_000_000
    static let readBufferSize = 256 * 1024

    /// Runs one thread's share of the load to the end and returns its counters.
    public static func run(plan: LoadPlan, pool: RequestPool) -> LoadCounters {
        do {
            var loop = try ClientLoop(plan: plan, pool: pool)
            loop.run()
            loop.close()
            return loop.counters
        } catch {
            var counters = LoadCounters()
            counters.count("epoll-setup-failed")
            return counters
        }
    }

    init(plan: LoadPlan, pool: RequestPool) throws(Errno) {
        self.plan = plan
        self.pool = pool
        epoll = try ClientEpoll()
        connections = (0..<plan.connections).map { _ in ClientConnection(pipeline: plan.pipeline) }
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 64)
        events = .allocate(capacity: max(64, plan.connections + 1))
        interval = plan.rate.map { 1e9 / $0 } ?? 0
        counters.sends = [UInt32](repeating: 0, count: pool.count)
        counters.oks = [UInt32](repeating: 0, count: pool.count)
    }

    mutating func close() {
        for i in connections.indices { closeSocket(i) }
        epoll.close()
        readBuffer.deallocate()
        events.deallocate()
    }

    // MARK: - The loop

    mutating func run() {
        var now = MonotonicClock.now()
        lastProgress = now
        for i in connections.indices { connect(i) }
        // Open connections before the start so connect time is not in the figures.
        while MonotonicClock.now() < plan.startTime, connections.contains(where: { $0.state == .connecting }) {
            poll(timeoutNanoseconds: 5_000_000)
        }
        MonotonicClock.sleep(until: plan.startTime)
        now = MonotonicClock.now()
        counters.startTime = plan.startTime
        counters.endTime = now
        lastProgress = now
        if plan.rate == nil {
            for i in connections.indices { fill(i, now: now) }
        }
        while true {
            now = MonotonicClock.now()
            if !sendingStopped && shouldStopSending(now: now) { stopSending(now: now) }
            if sendingStopped && outstanding == 0 { break }
            // Waiting for the next open-loop arrival is not a stall; waiting for answers is.
            if outstanding == 0 && waitingCount == 0 { lastProgress = now }
            if now &- lastProgress > plan.stallTimeout {
                counters.count("stalled")
                abandonInFlight()
                break
            }
            if waitingCount > 0 { reconnectDue(now: now) }
            if plan.rate != nil && !sendingStopped { dispatchDue(now: now) }
            poll(timeoutNanoseconds: waitTime(now: now))
        }
    }

    /// How long the loop may sleep: until the next open-loop arrival, the end of the sending
    /// period or a due reconnect, and never more than 100 ms (the stall check runs each pass).
    func waitTime(now: UInt64) -> UInt64 {
        var wait: UInt64 = 100_000_000
        if !sendingStopped {
            if let duration = plan.duration {
                let end = plan.startTime &+ duration
                wait = min(wait, end > now ? end - now : 0)
            }
            if plan.rate != nil && dispatched >= dueCount(at: now) {
                let next = arrivalTime(dispatched)
                wait = min(wait, next > now ? next - now : 0)
            }
        }
        if waitingCount > 0 { wait = min(wait, Self.reconnectDelay) }
        return wait
    }

    /// One `epoll_pwait2` and the handling of what it returned.
    mutating func poll(timeoutNanoseconds: UInt64) {
        let n: Int
        do { n = try epoll.wait(into: events, timeoutNanoseconds: timeoutNanoseconds) } catch {
            counters.count("epoll-wait-failed")
            return
        }
        for e in 0..<n {
            let token = events[e].data.u64
            let flags = events[e].events
            let index = Int(UInt32(truncatingIfNeeded: token))
            guard connections[index].generation == UInt32(truncatingIfNeeded: token >> 32) else { continue }
            handle(index, flags: flags)
        }
    }

    mutating func handle(_ i: Int, flags: UInt32) {
        switch connections[i].state {
        case .connecting:
            guard flags & (cl_EPOLLOUT | cl_EPOLLERR | cl_EPOLLHUP) != 0 else { return }
            if let error = connections[i].socket!.connectResult() {
                connectFailed(i, error)
                return
            }
            connected(i, readable: flags & cl_EPOLLIN != 0)
        case .handshaking:
            continueHandshake(i)
        case .open:
            if flags & (cl_EPOLLIN | cl_EPOLLRDHUP | cl_EPOLLHUP | cl_EPOLLERR) != 0 { readAvailable(i) }
            if connections[i].state == .open && flags & cl_EPOLLOUT != 0 { flush(i) }
        default:
            return
        }
    }

    // MARK: - Sending

    mutating func shouldStopSending(now: UInt64) -> Bool {
        if let duration = plan.duration, now >= plan.startTime &+ duration { return true }
        if let limit = plan.messages, claimed >= limit { return true }
        return false
    }

    mutating func stopSending(now: UInt64) {
        if plan.rate != nil {
            // Arrivals due strictly before the end of the period still go out if a slot is free;
            // the rest were due but could not be sent: the rate was not sustained.
            let end = plan.duration.map { min(now, plan.startTime &+ $0 &- 1) } ?? now
            dispatchDue(now: end)
            var due = dueCount(at: end)
            if let quota = plan.messages { due = min(due, quota) }
            if due > dispatched { counters.unsentBacklog += UInt64(due - dispatched) }
        }
        sendingStopped = true
        for i in connections.indices where connections[i].state != .open {
            if case .waiting = connections[i].state { waitingCount -= 1 }
            if connections[i].state != .connecting && connections[i].state != .handshaking { connections[i].state = .closed }
        }
    }

    /// How many more messages this thread may claim now (quota), at most `limit`.
    func claimable(_ limit: Int) -> Int {
        var k = min(limit, pool.count - nextMessage)
        if let quota = plan.messages { k = min(k, quota - claimed) }
        return max(0, k)
    }

    /// Whether connection `i` can take more requests right now (open, a free slot, and either
    /// nothing pending or the next requests adjacent to the pending bytes).
    func canClaim(_ i: Int) -> Bool {
        let c = connections[i]
        guard c.state == .open, c.inFlight.freeSlots > 0 else { return false }
        return !c.hasPendingWrite || c.writeEnd == pool.requestOffsets[nextMessage]
    }

    /// Closed loop: tops connection `i` up to `pipeline` requests in flight and writes them.
    mutating func fill(_ i: Int, now: UInt64) {
        guard !sendingStopped, canClaim(i) else { return }
        let k = claimable(connections[i].inFlight.freeSlots)
        guard k > 0 else { return }
        claim(i, count: k) { _ in now }
        flush(i)
    }

    /// Open loop: hands every arrival due by `now` to connections with free slots.
    mutating func dispatchDue(now: UInt64) {
        var due = dueCount(at: now)
        if let quota = plan.messages { due = min(due, quota) }
        var scanned = 0
        while dispatched < due && scanned < connections.count {
            let i = roundRobin
            roundRobin += 1
            if roundRobin == connections.count { roundRobin = 0 }
            guard canClaim(i) else { scanned += 1; continue }
            scanned = 0
            let k = claimable(min(connections[i].inFlight.freeSlots, due - dispatched))
            guard k > 0 else { break }
            let first = dispatched
            let base = plan.startTime &+ plan.firstArrivalOffset
            let step = interval
            claim(i, count: k) { j in base &+ UInt64(Double(first + j) * step) }
            dispatched += k
            flush(i)
        }
    }

    /// Arrivals due at or before `time`.
    func dueCount(at time: UInt64) -> Int {
        let first = plan.startTime &+ plan.firstArrivalOffset
        guard time >= first else { return 0 }
        return Int(Double(time - first) / interval) + 1
    }

    func arrivalTime(_ k: Int) -> UInt64 {
        plan.startTime &+ plan.firstArrivalOffset &+ UInt64(Double(k) * interval)
    }

    /// Puts the next `count` pool messages in flight on connection `i`.
    mutating func claim(_ i: Int, count k: Int, startTime: (Int) -> UInt64) {
        let first = nextMessage
        for j in 0..<k {
            connections[i].inFlight.push(message: first + j, startTime: startTime(j))
            counters.sends[first + j] &+= 1
        }
        outstanding += k
        let range = pool.requestRange(first: first, count: k)
        if connections[i].hasPendingWrite {
            connections[i].writeEnd = range.upperBound
        } else {
            connections[i].writeCursor = range.lowerBound
            connections[i].writeEnd = range.upperBound
        }
        nextMessage += k
        if nextMessage == pool.count { nextMessage = 0 }
        claimed += k
    }

    /// Writes connection `i`'s pending bytes until done or the socket is full.
    mutating func flush(_ i: Int) {
        while connections[i].hasPendingWrite {
            let cursor = connections[i].writeCursor
            let bytes = UnsafeRawBufferPointer(start: pool.arena.baseAddress + cursor,
                                               count: connections[i].writeEnd - cursor)
            do {
                guard let written = try write(i, bytes) else { return }
                connections[i].writeCursor += written
                counters.bytesWritten &+= UInt64(written)
                // A short write filled the socket buffer; EPOLLOUT (edge) says when there is room.
                if written < bytes.count { return }
            } catch {
                fail(i, "write-failed")
                return
            }
        }
    }

    // MARK: - Receiving

    /// Reads until `EAGAIN`, completing every response in the bytes.
    mutating func readAvailable(_ i: Int) {
        while connections[i].state == .open {
            let n: Int
            do {
                guard let count = try read(i) else { break }
                n = count
            } catch {
                fail(i, connections[i].inFlight.isEmpty ? "connection-reset-idle" : "connection-reset")
                return
            }
            if n == 0 {
                if connections[i].inFlight.isEmpty && connections[i].parser.isIdle {
                    counters.serverClosed += 1
                    replace(i)
                } else {
                    fail(i, "closed-with-requests-in-flight")
                }
                return
            }
            let now = MonotonicClock.now()
            lastProgress = now
            counters.endTime = now
            let bytes = UnsafeRawBufferPointer(start: readBuffer.baseAddress, count: n)
            var offset = 0
            while offset < n {
                switch connections[i].parser.next(bytes, offset: &offset) {
                case .needMore:
                    continue
                case .failed(let error):
                    fail(i, error.rawValue)
                    return
                case .response(let status, let close):
                    guard let request = connections[i].inFlight.pop() else {
                        fail(i, "unsolicited-response")
                        return
                    }
                    outstanding -= 1
                    record(status: status, message: request.message, startTime: request.startTime, now: now)
                    if close {
                        counters.serverClosed += 1
                        if connections[i].isQuiet { replace(i) } else { fail(i, "closed-with-requests-in-flight") }
                        return
                    }
                }
            }
            if plan.rate == nil { fill(i, now: now) } else if !sendingStopped { dispatchDue(now: now) }
            // A short read drained the socket: edge-triggered epoll reports the next bytes as a new
            // event, so the read that would only return EAGAIN is skipped (one syscall per wakeup).
            // Not so with TLS: one SSL_read returns one record, and libssl may hold more.
            if n < readBuffer.count && connections[i].tls == nil { break }
        }
    }

    /// One read: plain, or decrypted by libssl. The count, 0 at end of stream, nil for "not now".
    @inline(__always)
    func read(_ i: Int) throws(Errno) -> Int? {
        guard let session = connections[i].tls else { return try connections[i].socket!.read(into: readBuffer) }
        switch session.read(into: readBuffer) {
        case .bytes(let n): return n
        case .wantRead, .wantWrite: return nil
        case .closed: return 0
        case .failed: throw Errno.connectionReset
        }
    }

    /// One write: plain, or through libssl (retried with the same bytes after `nil`).
    @inline(__always)
    func write(_ i: Int, _ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        guard let session = connections[i].tls else { return try connections[i].socket!.write(bytes) }
        switch session.write(bytes) {
        case .bytes(let n): return n
        case .wantWrite, .wantRead: return nil
        case .closed: throw Errno.brokenPipe
        case .failed: throw Errno.connectionReset
        }
    }

    @inline(__always)
    mutating func record(status: Int, message: Int, startTime: UInt64, now: UInt64) {
        counters.latency.record(now > startTime ? now - startTime : 0)
        counters.completed &+= 1
        counters.statusCounts[min(status, 599)] &+= 1
        counters.bodyBytesCompleted &+= UInt64(pool.bodySize(message))
        let success = status >= 200 && status < 300
        if pool.forged[message] {
            if success { counters.forgedAccepted &+= 1 } else if status != 401 { counters.forgedOtherStatus &+= 1 }
        } else if status == 401 {
            counters.genuineUnauthorized &+= 1
        }
        if status == 200 { counters.oks[message] &+= 1 }
    }
}
