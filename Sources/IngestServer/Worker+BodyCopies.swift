/// One copy of a small webhook body where the bytes allow it.
///
/// A body that arrives whole in one read (the usual case: a Connect message of a few KB sent
/// with its head) is hashed and scanned where it lies in the worker's input buffer and staged
/// into the log's batch buffer straight from there when the request ends, in the same pass over
/// that read: socket → input buffer → batch buffer → file. Only a body that arrives in several
/// reads is first gathered in the connection's `staging` buffer.
extension Worker {
    /// Takes one piece of a `.staged` body: borrowed when it is the whole body, else appended
    /// to `staging` (or spilled, past the stream threshold).
    func stageBodyPiece(_ connection: Connection, _ piece: UnsafeRawBufferPointer, now: Int64) {
        if connection.staging.isEmpty && connection.unstagedBody.isEmpty
            && connection.parser.head.contentLength == piece.count {
            connection.unstagedBody = BorrowedBytes(piece)
        } else if connection.staging.count + piece.count > configuration.streamThreshold {
            spill(connection, piece, now: now)
        } else {
            connection.staging.append(piece)
        }
    }

    /// Calls `body` with the whole staged body (borrowed or gathered), then forgets it.
    func takeStagedBody(_ connection: Connection, _ body: (UnsafeRawBufferPointer) -> Void) {
        if connection.unstagedBody.isEmpty {
            connection.staging.withBytes(body)
            connection.staging.removeAll()
        } else {
            body(connection.unstagedBody.bytes)
            connection.unstagedBody = BorrowedBytes()
        }
    }

    /// Called when `process` is done with a read: a borrowed body whose request has not ended
    /// yet (the loop stopped early) is copied into `staging`, because the next read reuses the
    /// input buffer (the invariant of `BorrowedBytes`).
    func keepUnstagedBody(_ connection: Connection) {
        guard !connection.unstagedBody.isEmpty else { return }
        connection.staging.append(connection.unstagedBody.bytes)
        connection.unstagedBody = BorrowedBytes()
    }
}
