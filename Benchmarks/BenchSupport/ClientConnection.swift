import IngestTLS

/// One keep-alive connection of a client thread: its socket, the requests in flight on it, the
/// bytes still to write, and the response parser. Owned by one `ClientLoop` (one thread).
///
/// Lifecycle: `idle` -> `connecting` -> (`handshaking`, with TLS) -> `open` -> (failure or server close) -> replaced by a new
/// socket with a new `generation`, or `waiting` until a reconnect is due. `generation` is packed
/// into the epoll token so events still queued for a replaced socket are recognised and dropped.
struct ClientConnection {
    enum State: Equatable {
        case idle
        case connecting
        /// TCP connected, TLS handshake under way (`--tls`).
        case handshaking
        case open
        case waiting(retryAt: UInt64)
        case closed
    }

    var state: State = .idle
    var socket: ClientSocket?
    /// `--tls`: the session over `socket`; freed with it.
    var tls: TLSSession?
    var generation: UInt32 = 0
    var parser = ResponseParser()
    var inFlight: InFlightRing
    /// Pending write: bytes `writeCursor..<writeEnd` of the pool's arena.
    var writeCursor = 0
    var writeEnd = 0

    init(pipeline: Int) {
        inFlight = InFlightRing(capacity: pipeline)
    }

    var hasPendingWrite: Bool { writeCursor < writeEnd }

    /// Nothing outstanding: no request waiting for an answer, nothing left to write.
    var isQuiet: Bool { inFlight.isEmpty && !hasPendingWrite }

    static func token(index: Int, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(index))
    }
}
