import IngestHMAC
import IngestHTTP
import IngestLog
import IngestSystem
import IngestTLS

/// What the request currently being received on a connection is, decided at its head.
enum RequestRoute {
    /// No request in progress.
    case none
    /// A webhook POST whose body is verified, scanned and stored as it arrives.
    case webhook
    /// A request answered with a fixed response once it has been fully received.
    case fixed(ResponseKind)
    /// `GET /metrics`, rendered when the request completes.
    case metrics
}

/// Where a webhook body goes while it arrives.
enum BodySink {
    /// Staged in `Connection.staging` (small bodies, the common case), or not copied at all while
    /// the whole body lies in the read that is being processed (`Connection.unstagedBody`).
    case staged
    /// Streamed straight into a log record reserved at head time (large Content-Length).
    case large(LargeRecord)
    /// A chunked body that outgrew the staging threshold, spilled to an unlinked temporary file.
    case spilled(FileDescriptor, length: Int)
}

/// One client connection. Owned by one worker and touched only on that worker's thread.
///
/// Reused across connections (the worker keeps a pool), so the parser, scanner, authenticator
/// and buffers are allocated once per pooled object, not per connection or per request.
final class Connection {
    var descriptor = FileDescriptor(rawValue: -1)
    var peer = SocketAddress()

    let parser: RequestParser
    /// The JSON and XML body scanners, and the current message's choice between them.
    let scanner: BodyScanners
    let authenticator: MessageAuthenticator
    /// The current request's `X-DocuSign-AccountId`, stored with its record.
    let account = AccountHeaderCapture()

    /// Input bytes received but not yet consumed by the parser (a partial head, a partial chunk
    /// line). Bounded by the header limit plus one read.
    let leftover = OwnedBytes()
    /// The body of a small webhook message as it arrives.
    let staging = OwnedBytes()
    /// The whole body of the current webhook, when it arrived in one piece of the read being
    /// processed: left where it is instead of being copied into `staging` (the record is staged
    /// from it when the request ends, in the same pass over that read).
    var unstagedBody = BorrowedBytes()
    /// Response bytes the kernel has not accepted yet (rare: responses are small).
    let unsent = OwnedBytes()

    var route = RequestRoute.none
    var sink = BodySink.staged
    /// The current request's framing: decides the `Connection` header of its response.
    var framing = ResponseFraming.keepAlive
    var receivedAt: Int64 = 0

    /// Responses decided this pass, in request order, written after the pass's commit.
    var pending: [ResponseKind] = []
    var pendingFramings: [ResponseFraming] = []
    /// For each pending response: the commit ticket it waits for (0: none). Responses are written
    /// in order, so one waiting for a ticket holds back the ones behind it.
    var pendingTickets: [UInt64] = []
    /// On the worker's list of connections waiting for a group-sync ticket (`--sync batch`).
    var isWaiting = false
    /// On the worker's dirty list for this pass.
    var isDirty = false
    /// Close once the pending responses are written (error, `Connection: close`, shutdown).
    var closeAfterFlush = false
    /// Waiting for the socket to become writable; reading is paused meanwhile.
    var awaitingWritable = false
    /// Monotonic time the current partial request began, or 0 when none is in progress.
    var partialSince: Int64 = 0
    var lastActivity: Int64 = 0
    /// See `isLingering`.
    var lingerUntil: Int64 = 0
    /// The current request announced a body (Content-Length > 0 or chunked).
    var requestHasBody = false
    /// The credentials generation `authenticator` is bound to (0: none yet), the snapshot that
    /// owns its key table, and this worker's row of that snapshot's per-account counters.
    var credentialsGeneration: UInt64 = 0
    var boundSnapshot: CredentialsSnapshot?
    var accountCounterRow: UnsafeMutablePointer<UInt64>?

    /// The TLS session of a connection on the TLS listener; nil for plain connections (which
    /// then cost one nil check per read and write). See Worker+TLS.
    var tls: TLSSession?
    /// Monotonic deadline of an unfinished TLS handshake; 0 once done (and for plain ones).
    var handshakeDeadline: Int64 = 0
    /// The unfinished handshake waits for the socket to become writable.
    var handshakeWantsWrite = false
    /// On the worker's list of TLS connections whose buffered input waits for the next pass.
    var readDeferred = false
    /// Accepted on the plain operations listener (`--plain-port`): no webhooks.
    var operationsOnly = false

    init(limits: HTTPLimits, keys: SigningKeys) {
        parser = RequestParser(limits: limits)
        scanner = BodyScanners()
        authenticator = MessageAuthenticator(keys: keys)
        pending.reserveCapacity(64)
        pendingFramings.reserveCapacity(64)
        pendingTickets.reserveCapacity(64)
    }

    /// Prepares a pooled object for a new client.
    func open(descriptor: FileDescriptor, peer: SocketAddress, now: Int64) {
        self.descriptor = descriptor
        self.peer = peer
        parser.reset()
        route = .none
        sink = .staged
        framing = .keepAlive
        pending.removeAll(keepingCapacity: true)
        pendingFramings.removeAll(keepingCapacity: true)
        pendingTickets.removeAll(keepingCapacity: true)
        isWaiting = false
        leftover.removeAll()
        staging.removeAll()
        unstagedBody = BorrowedBytes()
        unsent.removeAll()
        isDirty = false
        closeAfterFlush = false
        awaitingWritable = false
        partialSince = 0
        lastActivity = now
        lingerUntil = 0
        requestHasBody = false
        tls = nil
        handshakeDeadline = 0
        handshakeWantsWrite = false
        readDeferred = false
        operationsOnly = false
    }

    /// Releases memory one unusually large request left behind before the object is pooled.
    func trimForPool() {
        leftover.shrink(ifAbove: 64 * 1024)
        staging.shrink(ifAbove: 512 * 1024)
        unsent.shrink(ifAbove: 64 * 1024)
    }

    var hasPartialRequest: Bool { !parser.isIdle }
}

extension Connection {
    /// After an error response the write side is shut and input is read and discarded until the
    /// peer closes or this monotonic deadline passes, so the peer sees the response instead of a
    /// reset caused by closing a socket with unread data. 0 when not lingering.
    var isLingering: Bool { lingerUntil > 0 }
}
