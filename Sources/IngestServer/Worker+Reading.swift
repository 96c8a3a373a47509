#if canImport(Glibc)
import Glibc
#endif
import IngestHTTP
import IngestSystem

extension Worker {
    /// One read per readable event (level-triggered: anything left is reported again next pass),
    /// then every complete step the parser can make from the leftover plus the new bytes.
    func readAndProcess(_ connection: Connection, now: Int64) {
        if connection.awaitingWritable { return }
        let keep = connection.leftover.count
        guard keep < input.count else {
            // Cannot happen while the parser enforces the header limit; refuse rather than overrun.
            close(connection, now: now)
            return
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: input[keep...])
        let received: Int?
        do {
            // TLS: decrypted by libssl (a lingering connection's input is discarded unread).
            received = connection.tls == nil || connection.isLingering
                ? try connection.descriptor.read(into: room)
                : try receiveTLS(connection, into: room, now: now)
        } catch {
            peerGone(connection, now: now)
            return
        }
        guard let received else { return }
        if received == 0 {
            peerGone(connection, now: now)
            return
        }
        counters.add(.bytesReceived, received)
        connection.lastActivity = now
        if connection.isLingering || connection.closeAfterFlush { return }   // discarding input
        if keep > 0 {
            connection.leftover.withBytes { input.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: keep) }
            connection.leftover.removeAll()
        }
        let wasIdle = connection.parser.isIdle
        process(connection, UnsafeRawBufferPointer(rebasing: input[0..<(keep + received)]), now: now)
        if connection.parser.isIdle {
            connection.partialSince = 0
        } else if wasIdle || connection.partialSince == 0 {
            connection.partialSince = now
        }
    }

    /// Feeds bytes to the parser until it needs more; keeps what it did not consume.
    ///
    /// Invariant: `bytes` starts at the first byte the parser has not consumed, as the parser's
    /// contract requires; head spans it returns are relative to the slice passed in that call.
    private func process(_ connection: Connection, _ bytes: UnsafeRawBufferPointer, now: Int64) {
        var offset = 0
        parsing: while !connection.closeAfterFlush {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            switch connection.parser.parse(rest) {
            case .needMore(let consumed):
                offset += consumed
                break parsing
            case .head(let consumed):
                beginRequest(connection, head: rest, now: now)
                offset += consumed
            case .body(let start, let count, let consumed):
                receiveBody(connection, UnsafeRawBufferPointer(rebasing: rest[start..<(start + count)]), now: now)
                offset += consumed
            case .end(let consumed):
                offset += consumed
                finishRequest(connection, now: now)
                if connection.framing == .close {
                    connection.closeAfterFlush = true
                }
            case .error(let error):
                rejectMalformed(connection, error, now: now)
                break parsing
            }
        }
        keepUnstagedBody(connection)
        if offset < bytes.count && !connection.closeAfterFlush {
            connection.leftover.append(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    /// The peer closed or reset. A request cut off mid-way is abandoned (never acknowledged,
    /// never trusted); responses already decided are still attempted.
    private func peerGone(_ connection: Connection, now: Int64) {
        if connection.hasPartialRequest && !connection.isLingering && !connection.closeAfterFlush {
            counters.add(.clientsVanishedMidRequest)
            noteBadInput(connection, "client_vanished", status: 0, reason: "connection closed mid-request", now: now)
        }
        if connection.pending.isEmpty || connection.awaitingWritable {
            close(connection, now: now)
        } else {
            abortRequest(connection)
            connection.closeAfterFlush = true
        }
    }

    /// Malformed HTTP: answer with the parser's status, then close (the framing is lost).
    private func rejectMalformed(_ connection: Connection, _ error: HTTPParseError, now: Int64) {
        abortRequest(connection)
        let kind: ResponseKind
        switch error.status {
        case 413: kind = .payloadTooLarge; counters.add(.payloadTooLarge)
        case 431: kind = .headersTooLarge; counters.add(.headersTooLarge)
        case 501: kind = .notImplemented; counters.add(.otherClientError)
        case 505: kind = .versionNotSupported; counters.add(.otherClientError)
        default: kind = .badRequest; counters.add(.badRequest)
        }
        noteBadInput(connection, "bad_request", status: error.status, reason: "\(error.reason)", now: now)
        connection.framing = .close
        respond(connection, kind)
        connection.closeAfterFlush = true
    }
}
