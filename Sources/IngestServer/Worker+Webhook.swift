#if canImport(Glibc)
import Glibc
#endif
import IngestHMAC
import IngestHTTP
import IngestJSON
import IngestLog
import IngestSystem

/// The ingest pipeline for one webhook message:
/// head → (Basic or Bearer auth) → signature candidates (and the account's keys) → body pieces,
/// each fed to the HMAC and the body's scanner (JSON or XML: `BodyScanners`) in the same pass and
/// staged or streamed into the log → at the end, verify → stage the record → the pass's commit → 200.
///
/// Rules that matter for DocuSign (see the README, "Answers"): a genuine message is stored and
/// acknowledged even when its JSON or XML is malformed or lacks fields (refusing it would stall the
/// customer's whole Connect configuration); a message whose signature does not verify is never
/// stored; a 200 is written only after the commit covering the record returned.
extension Worker {
    func beginWebhook(_ connection: Connection, head bytes: UnsafeRawBufferPointer, now: Int64) {
        let head = connection.parser.head
        guard authorizeWebhook(connection, head: bytes, now: now) else { return }   // Basic or Bearer (Worker+Credentials)
        if !state.isReady.load(ordering: .relaxed) {
            counters.add(.unavailable)
            connection.route = .fixed(.unavailable)
            return
        }
        if let reason = backpressureReason(now: now) {
            counters.add(.unavailable)
            noteBadInput(connection, "backpressure", status: 503, reason: reason, now: now)
            connection.route = .fixed(.unavailable)
            return
        }

        let authenticator = connection.authenticator
        authenticator.begin()
        connection.account.clear()
        var declaredFormat: BodyFormat?
        var sawContentType = false
        for index in 0..<head.headerCount {
            let name = connection.parser.headerName(at: index)
            if spanHasPrefix(name, in: bytes, lowercase: "x-docusign-signature-") {
                authenticator.addCandidateSignature(Worker.slice(connection.parser.headerValue(at: index), bytes))
            } else if spanEquals(name, in: bytes, lowercase: "x-docusign-accountid") {
                captureAccount(connection, Worker.slice(connection.parser.headerValue(at: index), bytes), now: now)
            } else if !sawContentType && name.length == 12 && spanEquals(name, in: bytes, lowercase: "content-type") {
                sawContentType = true
                declaredFormat = BodyFormat(contentType: Worker.slice(connection.parser.headerValue(at: index), bytes))
            }
        }
        // The account (one valid header, else none) also picks the keys: its own plus the global ones.
        authenticator.selectAccount(connection.account.account)
        if !configuration.keys.isEmpty && authenticator.candidateCount == 0 {
            counters.add(.signatureMissing)
            countVerification(connection, verified: false)
            noteBadInput(connection, "signature_missing", status: 401,
                         reason: "no well-formed X-DocuSign-Signature header", now: now)
            connection.route = .fixed(.unauthorizedSignatureMissing)
            return
        }

        connection.scanner.begin(declared: declaredFormat)
        connection.staging.removeAll()
        connection.sink = .staged
        if let length = head.contentLength, length > configuration.streamThreshold {
            do {
                connection.sink = .large(try appender.beginLargeRecord(bodyLength: length, receivedAtNanoseconds: connection.receivedAt))
            } catch {
                counters.add(.unavailable)
                state.operatorLog.error("log_reserve_failed", [("bytes", "\(length)"), ("error", "\(error)")])
                connection.route = .fixed(.unavailable)
                return
            }
        } else if let length = head.contentLength {
            connection.staging.reserve(length)
        }
        connection.route = .webhook
    }

    /// Keeps the message's account (a GUID) for its record; anything else is ignored, counted and
    /// logged (rate-limited): the message is still verified and stored, without an account.
    private func captureAccount(_ connection: Connection, _ value: UnsafeRawBufferPointer, now: Int64) {
        if connection.account.capture(value) { return }
        counters.add(.accountIdInvalid)
        if badInputLines.allow(now: now) {
            state.operatorLog.warn("account_id_invalid", [("reason", "X-DocuSign-AccountId is not a GUID; ignored"),
                                                         ("peer", connection.peer.description), ("worker", "\(index)")])
        }
    }

    /// One piece of body, as it arrived: hashed, scanned and stored in the same pass.
    func receiveBody(_ connection: Connection, _ piece: UnsafeRawBufferPointer, now: Int64) {
        guard case .webhook = connection.route else { return }   // a body nobody wants: discarded
        connection.authenticator.update(piece)
        connection.scanner.feed(piece)
        switch connection.sink {
        case .staged:
            stageBodyPiece(connection, piece, now: now)
        case .large(let record):
            appender.appendLargeBody(record, piece)
        case .spilled(let file, let length):
            do {
                try file.writeAll(piece)
                connection.sink = .spilled(file, length: length + piece.count)
            } catch {
                failWebhook(connection, "spill_write_failed", error)
            }
        }
    }

    /// A chunked body outgrew the staging threshold: move it to an unlinked temporary file in
    /// the log folder so per-connection memory stays bounded whatever the body size.
    func spill(_ connection: Connection, _ piece: UnsafeRawBufferPointer, now: Int64) {
        do {
            let file = try SpillFile.create(in: configuration.logDirectory)
            try connection.staging.withBytes { staged throws(Errno) in try file.writeAll(staged) }
            try file.writeAll(piece)
            connection.sink = .spilled(file, length: connection.staging.count + piece.count)
            connection.staging.removeAll()
        } catch {
            failWebhook(connection, "spill_failed", error)
        }
    }

    /// Storage failed mid-body: the message will be answered 503 (DocuSign retries later).
    private func failWebhook(_ connection: Connection, _ event: String, _ error: any Error) {
        state.operatorLog.error(event, [("worker", "\(index)"), ("error", "\(error)")])
        abortRequest(connection)
        counters.add(.unavailable)
        connection.route = .fixed(.unavailable)
    }

    func finishWebhook(_ connection: Connection, now: Int64) {
        let verified = connection.authenticator.finish()
        let scanError = connection.scanner.finish()
        if !configuration.keys.isEmpty { countVerification(connection, verified: verified) }
        if !configuration.keys.isEmpty && !verified {
            abortRequest(connection)
            counters.add(.signatureMismatch)
            noteBadInput(connection, "signature_mismatch", status: 401,
                         reason: "no signature header matches any configured key", now: now)
            respond(connection, .unauthorizedSignatureMismatch)
            return
        }
        var flags: RecordFlags = configuration.keys.isEmpty ? .unsigned : .signatureVerified
        flags.formUnion(noteBodyVerdict(connection, scanError, now: now))
        do {
            try storeRecord(connection, flags: flags)
        } catch {
            failWebhook(connection, "log_append_failed", error)
            respond(connection, .unavailable)
            return
        }
        counters.add(connection.scanner.format == .xml ? .webhookStoredXML : .webhookStoredJSON)
        respond(connection, .accepted)
    }

    /// Hands the finished message to the appender; the pass's commit makes it durable.
    private func storeRecord(_ connection: Connection, flags: RecordFlags) throws {
        let scanner = connection.scanner
        var flags = flags
        var failure: (any Error)?
        scanner.withFields { event, configurationId, envelopeId, generatedDateTime in
            if event != nil { flags.insert(.hasEvent) }
            if configurationId != nil { flags.insert(.hasConfigurationId) }
            if envelopeId != nil { flags.insert(.hasEnvelopeId) }
            if generatedDateTime != nil { flags.insert(.hasGeneratedDateTime) }
            // XML messages have no configurationId: three fields make them complete.
            let configurationMissing = configurationId == nil && scanner.format != .xml
            if event == nil || envelopeId == nil || configurationMissing || generatedDateTime == nil {
                counters.add(.webhookFieldsMissingStored)
            }
            let fields = RecordFields(event: event, configurationId: configurationId,
                                      envelopeId: envelopeId, generatedDateTime: generatedDateTime,
                                      accountId: connection.account.bytes)
            do {
                try store(connection, flags: flags, fields: fields)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    private func store(_ connection: Connection, flags: RecordFlags, fields: RecordFields) throws {
        switch connection.sink {
        case .staged:
            takeStagedBody(connection) { body in
                appender.stage(receivedAtNanoseconds: connection.receivedAt, flags: flags, fields: fields,
                               messageId: messageIdentity(connection, fields, body: body), body: body)
                counters.add(.bodyBytesStored, body.count)
                stagedBytes += body.count
            }
        case .large(let record):
            appender.finishLargeRecord(record, flags: flags, fields: fields,
                                       messageId: messageIdentity(connection, fields, body: nil, record: record))
            connection.sink = .staged
        case .spilled(let file, let length):
            connection.sink = .staged
            defer { file.close() }
            let record = try appender.beginLargeRecord(bodyLength: length, receivedAtNanoseconds: connection.receivedAt)
            var offset: Int64 = 0
            while offset < Int64(length) {
                let n = try file.read(into: input, at: offset)
                if n <= 0 { appender.voidLargeRecord(record); throw Errno.badAddress }
                appender.appendLargeBody(record, UnsafeRawBufferPointer(rebasing: input[0..<n]))
                offset += Int64(n)
            }
            appender.finishLargeRecord(record, flags: flags, fields: fields,
                                       messageId: messageIdentity(connection, fields, body: nil, record: record))
            counters.add(.bodyBytesStored, length)
        }
    }

    /// Forgets the request in flight: a streamed record is voided, a spill file closed (and so
    /// deleted), the staged body dropped. Nothing of it is ever trusted by a reader.
    func abortRequest(_ connection: Connection) {
        switch connection.sink {
        case .staged:
            break
        case .large(let record):
            appender.voidLargeRecord(record)
        case .spilled(let file, _):
            file.close()
        }
        connection.sink = .staged
        connection.staging.removeAll()
        connection.unstagedBody = BorrowedBytes()
        connection.route = .none
    }

    @inline(__always)
    static func slice(_ span: ByteSpan, _ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[span.range])
    }
}
