#if canImport(Glibc)
import Glibc
#endif
import IngestLog
import IngestNATS
import IngestSystem

/// Follows a log and publishes every record (that passes the filters) to a JetStream stream,
/// pipelined, and keeps a checkpoint below which everything is acknowledged.
///
/// Exactly once: a record's `Nats-Msg-Id` is fixed (its message id, or instance + sequence), so
/// the copies published again after a reconnect, a failed publish or a restart from the
/// checkpoint fall inside the stream's duplicate window and are dropped by JetStream. Order: the
/// client republishes the oldest unacknowledged record alone before it pipelines again, so a
/// listener's records reach the stream in log order.
///
/// One thread: `run` reads, publishes, polls the client, writes the checkpoint and the summary
/// lines until `shouldStop` says so, then waits (bounded) for the acknowledgements in flight.
public final class Shipper {
    public let options: ShipOptions
    private let log: ShipLogger
    public private(set) var counters = ShipCounters()
    private let client: NATSClient
    private let checkpointFile: CheckpointFile
    private let instance: [UInt8]

    private var subjectBuffer: [UInt8] = []
    private var headerBuffer: [UInt8] = []
    private var unacknowledged: UnacknowledgedRecords
    /// A record read but not yet taken by the client (its window was full).
    private var held: LogRecord?
    /// One past the last record read from the log (the checkpoint when nothing is in flight).
    private var nextUnread: UInt64 = 0
    private var recordsRead: UInt64 = 0
    private var bytesRead: UInt64 = 0
    private var lastStoredCheckpoint: UInt64?
    private var reportedMissing = 0
    private var lastNoRespondersLog: Int64 = 0
    /// Set when shipping cannot go on (records landed in another stream).
    private var fatal: ShipError?

    public init(options: ShipOptions, log: @escaping ShipLogger) {
        self.options = options
        self.log = log
        var clientOptions = NATSClientOptions(servers: options.servers)
        clientOptions.credentials = options.credentials
        clientOptions.name = "connect-ingest ship \(options.instance)"
        clientOptions.maximumInFlight = options.maximumInFlight
        clientOptions.acknowledgementTimeoutMilliseconds = options.acknowledgementTimeoutMilliseconds
        clientOptions.connectTimeoutMilliseconds = options.connectTimeoutMilliseconds
        clientOptions.expectedStream = options.stream
        client = NATSClient(options: clientOptions)
        checkpointFile = CheckpointFile(path: options.checkpointPath)
        instance = Array(options.instance.utf8)
        unacknowledged = UnacknowledgedRecords(capacity: options.maximumInFlight + 1)
        subjectBuffer.reserveCapacity(256)
        headerBuffer.reserveCapacity(1024)
    }

    /// Connects, checks (or creates) the stream, and ships until `shouldStop()` returns true.
    /// Returns the final counters; throws when it cannot start (cluster unreachable, credentials
    /// refused, stream missing or unsuitable, checkpoint or log unreadable).
    public func run(shouldStop: () -> Bool) throws(ShipError) -> ShipCounters {
        let start: UInt64
        do { start = try checkpointFile.load() ?? 0 } catch { throw .checkpoint(error.description) }
        counters.checkpoint = start
        nextUnread = start
        lastStoredCheckpoint = start

        installClientHandlers()
        do { try client.connect() } catch {
            if case .authorization = error { throw .authorization("NATS refused the credentials: \(error)") }
            throw .unreachable("cannot reach the NATS cluster: \(error)")
        }
        try checkStream()

        let reader: LogReader
        let probe: LogReader
        do {
            // Neither releases the segments it passed (`releasingPassedSegments`): between two
            // summaries the reader can pass records the probe has yet to count, which would then
            // come back from the disk.
            reader = try LogReader(directory: options.logDirectory, fromSequence: start)
            probe = try LogReader(directory: options.logDirectory, fromSequence: start)
        } catch { throw .log("cannot read the log in \(options.logDirectory): \(error)") }
        log(.info, "ship_started", [("log_dir", options.logDirectory), ("stream", options.stream), ("subject", options.subject.text),
                                    ("instance", options.instance), ("from_seq", "\(start)"),
                                    ("server", client.connectedServer?.description ?? "?")])

        var probeRecords: UInt64 = 0
        var probeBytes: UInt64 = 0
        var lastSummary = Clock.monotonicNanoseconds()
        var lastCheckpointWrite = lastSummary
        var acknowledgedAtLastSummary: UInt64 = 0
        while !shouldStop() {
            if let fatal {
                storeCheckpoint()
                client.close()
                throw fatal
            }
            let caughtUp = try fill(reader)
            // Wait in poll (woken by acknowledgements) when there is nothing to read or no room
            // to publish; spinning would take CPU from the servers on the same machine.
            client.poll(timeoutMilliseconds: caughtUp || held != nil ? 10 : 0)
            let now = Clock.monotonicNanoseconds()
            if now - lastCheckpointWrite >= Int64(options.checkpointIntervalMilliseconds) * 1_000_000 {
                lastCheckpointWrite = now
                storeCheckpoint()
            }
            if now - lastSummary >= Int64(options.summaryIntervalMilliseconds) * 1_000_000 {
                lastSummary = now
                while let position = try? probe.nextPosition() {
                    probeRecords += 1
                    probeBytes += UInt64(position.bodyLength)
                }
                if counters.acknowledged != acknowledgedAtLastSummary || client.inFlightCount > 0 || held != nil {
                    acknowledgedAtLastSummary = counters.acknowledged
                    summary("ship_summary", probeRecords: probeRecords, probeBytes: probeBytes)
                }
            }
        }
        // Stop: nothing new; wait (bounded) for what is in flight, then the checkpoint.
        let drained = client.waitForAcknowledgements(timeoutMilliseconds: options.stopTimeoutMilliseconds)
        updateCheckpointValue()
        storeCheckpoint()
        while let position = try? probe.nextPosition() {
            probeRecords += 1
            probeBytes += UInt64(position.bodyLength)
        }
        if !drained {
            log(.warn, "ship_stop_timeout", [("in_flight", "\(client.inFlightCount)"),
                                             ("message", "stopped with publishes unacknowledged; they are published again from the checkpoint on restart")])
        }
        summary("ship_stopped", probeRecords: probeRecords, probeBytes: probeBytes)
        client.close()
        return counters
    }

    // MARK: Reading and publishing

    /// Publishes records until the client's window is full or the log has nothing more.
    /// Returns true when the log had nothing more (caught up).
    private func fill(_ reader: LogReader) throws(ShipError) -> Bool {
        while true {
            let record: LogRecord
            if let pending = held {
                record = pending
            } else {
                let next: LogRecord?
                do { next = try reader.next() } catch { throw .log("reading the log failed: \(error)") }
                reportMissing(reader)
                guard let next else { return true }
                record = next
                recordsRead += 1
                bytesRead += UInt64(record.body.count)
                nextUnread = record.sequence + 1
                if !options.filter.matches(record, onlyCopy: reader.standsInForFirstCopy(record)) {
                    counters.filtered += 1
                    continue
                }
            }
            options.subject.render(record, instance: instance, into: &subjectBuffer)
            ShipHeaders.write(record, instance: instance, source: options.messageIDSource, into: &headerBuffer)
            let outcome = subjectBuffer.withUnsafeBytes { subject in
                headerBuffer.withUnsafeBytes { headers in
                    record.body.withUnsafeBytes { body in
                        client.publish(subject: subject, headers: headers, payload: body, context: record.sequence)
                    }
                }
            }
            switch outcome {
            case .queued:
                held = nil
                counters.published += 1
                counters.publishedBytes += UInt64(record.body.count)
                unacknowledged.append(.init(sequence: record.sequence, receivedAtNanoseconds: record.receivedAtNanoseconds,
                                            bodyBytes: record.body.count))
            case .windowFull:
                held = record
                return false
            case .tooLarge(let limit):
                held = nil
                counters.unshippable += 1
                log(.error, "ship_unshippable", [("seq", "\(record.sequence)"), ("bytes", "\(record.body.count + headerBuffer.count)"),
                                                 ("max_payload", "\(limit)"),
                                                 ("message", "record larger than the NATS server's max_payload: not shipped (raise max_payload in the server configuration)")])
            }
        }
    }

    /// Sequence ranges whose segments retention deleted before they were read: logged as data
    /// that could not be shipped, never skipped silently.
    private func reportMissing(_ reader: LogReader) {
        while reportedMissing < reader.missingRanges.count {
            let range = reader.missingRanges[reportedMissing]
            reportedMissing += 1
            counters.missingRanges += 1
            log(.error, "ship_data_lost", [("from_seq", "\(range.lowerBound)"), ("to_seq", "\(range.upperBound - 1)"),
                                           ("message", "log segments holding these sequence numbers were deleted (retention) before they were shipped; any records in them were not shipped")])
        }
    }

    // MARK: Checkpoint

    private func updateCheckpointValue() {
        let value = client.oldestUnacknowledgedContext ?? held?.sequence ?? nextUnread
        if value > counters.checkpoint { counters.checkpoint = value }
        unacknowledged.dropBelow(counters.checkpoint)
    }

    private func storeCheckpoint() {
        updateCheckpointValue()
        guard counters.checkpoint != lastStoredCheckpoint else { return }
        do {
            try checkpointFile.store(counters.checkpoint)
            lastStoredCheckpoint = counters.checkpoint
        } catch {
            log(.error, "checkpoint_write_failed", [("path", options.checkpointPath), ("error", error.description)])
        }
    }

    // MARK: Stream

    /// What one look-up of the stream found.
    private enum StreamLookup {
        case found(StreamInfo)
        case created(StreamInfo, subjects: [String])
        /// No usable answer yet; worth asking again (the reason is logged).
        case retry(String)
    }

    /// Reads (with `--create-stream`: creates) the stream and checks it. Asks again, with a
    /// growing pause, while the cluster cannot answer yet, for at most
    /// `streamCheckTimeoutMilliseconds`: several shippers started together race to create the
    /// same stream, and a cluster gives no reply about a stream whose replicas are still
    /// electing their first leader. Answers that will not change (no JetStream, stream missing
    /// without `--create-stream`, a refused configuration) end start-up at once.
    private func checkStream() throws(ShipError) {
        let jetStream = JetStream(client: client, timeoutMilliseconds: options.apiRequestTimeoutMilliseconds)
        let deadline = Clock.monotonicNanoseconds() + Int64(options.streamCheckTimeoutMilliseconds) * 1_000_000
        var attempts = 0
        while true {
            attempts += 1
            switch try lookUpStream(jetStream) {
            case .found(let info):
                if options.createStream && info.configuration.replicas != options.replicas {
                    log(.warn, "stream_differs", [("stream", options.stream), ("replicas", "\(info.configuration.replicas)"),
                                                  ("wanted", "\(options.replicas)"), ("message", "the existing stream is left as it is")])
                }
                return try checkDuplicateWindow(info)
            case .created(let info, let subjects):
                log(.info, "stream_created", [("stream", options.stream), ("subjects", subjects.joined(separator: ",")),
                                              ("replicas", "\(options.replicas)"),
                                              ("duplicate_window_s", "\(options.duplicateWindowNanoseconds / 1_000_000_000)")])
                return try checkDuplicateWindow(info)
            case .retry(let reason):
                let now = Clock.monotonicNanoseconds()
                if now >= deadline {
                    throw .jetStream("no usable answer about stream \(options.stream) within "
                                     + "\(options.streamCheckTimeoutMilliseconds / 1000) s (\(attempts) attempts); last: \(reason)")
                }
                let pause = min(Int64(100 << min(attempts - 1, 4)) * 1_000_000, deadline - now)
                log(.warn, "stream_check_retry", [("stream", options.stream), ("attempt", "\(attempts)"), ("reason", reason),
                                                  ("retry_in_ms", "\(pause / 1_000_000)")])
                // Keep the connection served (PING/PONG, a reconnect) while waiting.
                let wakeAt = now + pause
                while Clock.monotonicNanoseconds() < wakeAt {
                    client.poll(timeoutMilliseconds: Int(max(1, min(50, (wakeAt - Clock.monotonicNanoseconds()) / 1_000_000))))
                }
            }
        }
    }

    /// One `STREAM.INFO`, and when the stream does not exist and `--create-stream` was given,
    /// one `STREAM.CREATE`.
    private func lookUpStream(_ jetStream: JetStream) throws(ShipError) -> StreamLookup {
        do {
            return .found(try jetStream.streamInfo(options.stream))
        } catch {
            switch error {
            case .streamNotFound:
                break
            case .nats(.noResponders):
                throw .jetStream("JetStream is not enabled on the NATS server (no responders for the JetStream API)")
            default:
                if error.isTransient { return .retry("reading stream \(options.stream): \(error)") }
                throw .jetStream("cannot read stream \(options.stream): \(error)")
            }
        }
        guard options.createStream else {
            throw .streamMissing("stream \(options.stream) does not exist (create it, or pass --create-stream)")
        }
        guard let subjects = options.streamSubjects ?? options.subject.streamSubjectFilter.map({ [$0] }) else {
            throw .streamMissing("the subject template starts with a placeholder: give the stream's subjects with --stream-subjects")
        }
        var configuration = StreamConfiguration(name: options.stream, subjects: subjects)
        configuration.replicas = options.replicas
        configuration.duplicateWindowNanoseconds = options.duplicateWindowNanoseconds
        configuration.maximumAgeNanoseconds = options.maximumAgeNanoseconds
        configuration.storage = "file"
        do {
            return .created(try jetStream.createStream(configuration), subjects: subjects)
        } catch {
            // A create that timed out may have created the stream; the next look-up tells.
            if error.isTransient { return .retry("creating stream \(options.stream): \(error)") }
            // Created by someone else (another shipper) since our look-up, with other settings:
            // the next look-up finds it and checks it like any existing stream.
            if case .api(_, JetStreamError.streamNameInUse, _) = error {
                return .retry("stream \(options.stream) was created elsewhere meanwhile: \(error)")
            }
            throw .jetStream("cannot create stream \(options.stream): \(error)")
        }
    }

    private func checkDuplicateWindow(_ info: StreamInfo) throws(ShipError) {
        let window = info.configuration.duplicateWindowNanoseconds
        if window < options.minimumDuplicateWindowNanoseconds {
            throw .streamRefused("stream \(options.stream) has a duplicate window of \(window / 1_000_000_000) s, shorter than "
                + "--min-duplicate-window (\(options.minimumDuplicateWindowNanoseconds / 1_000_000_000) s): copies published again "
                + "after a restart or a reconnect could be stored twice; raise the stream's duplicate_window")
        }
    }

    // MARK: Reporting

    private func installClientHandlers() {
        client.acknowledgementHandler = { [unowned self] _, duplicate in
            counters.acknowledged += 1
            if duplicate { counters.duplicates += 1 }
        }
        client.eventHandler = { [unowned self] event in
            switch event {
            case .connected(let server, let name):
                counters.reconnects = client.reconnects
                log(.info, "nats_connected", [("server", server), ("server_name", name)])
            case .connectFailed(let server, let reason):
                log(.warn, "nats_connect_failed", [("server", server), ("reason", reason)])
            case .disconnected(let server, let reason):
                log(.warn, "nats_disconnected", [("server", server), ("reason", reason)])
            case .publishFailed(let reason):
                let now = Clock.monotonicNanoseconds()
                if reason.hasPrefix("no responders") {
                    guard now - lastNoRespondersLog > 5_000_000_000 else { return }
                    lastNoRespondersLog = now
                    log(.error, "nats_no_responders", [("stream", options.stream), ("reason", reason),
                                                       ("message", "no stream takes this subject right now: a stream leader election in progress, or the stream's subjects do not cover the subject template; retrying")])
                } else {
                    log(.warn, "nats_publish_failed", [("reason", reason), ("message", "publishing again from the oldest unacknowledged record")])
                }
            case .acknowledgedByOtherStream(let stream, let subject):
                fatal = .streamRefused("subject \(subject) is taken by stream \(stream), not \(options.stream): the streams' subjects "
                                       + "overlap; give each stream its own subjects (--subject / --stream-subjects)")
            case .publishRecovered:
                log(.info, "nats_publish_recovered", [])
            case .serverError(let text):
                log(.warn, "nats_server_error", [("error", text)])
            case .discoveredServers(let servers):
                log(.debug, "nats_servers_discovered", [("servers", servers.joined(separator: ","))])
            }
        }
    }

    private func summary(_ event: String, probeRecords: UInt64, probeBytes: UInt64) {
        updateCheckpointValue()
        counters.reconnects = client.reconnects
        let unreadRecords = probeRecords > recordsRead ? probeRecords - recordsRead : 0
        let unreadBytes = probeBytes > bytesRead ? probeBytes - bytesRead : 0
        let heldCount: UInt64 = held == nil ? 0 : 1
        let lagRecords = UInt64(unacknowledged.count) + unreadRecords + heldCount
        let lagBytes = UInt64(unacknowledged.bodyBytes) + unreadBytes + UInt64(held?.body.count ?? 0)
        var lagSeconds = 0.0
        if let oldest = unacknowledged.oldest?.receivedAtNanoseconds ?? held?.receivedAtNanoseconds {
            lagSeconds = max(0, Double(Clock.wallNanoseconds() - oldest) / 1e9)
        }
        log(.info, event, [("published", "\(counters.published)"), ("acknowledged", "\(counters.acknowledged)"),
                           ("duplicates", "\(counters.duplicates)"), ("filtered", "\(counters.filtered)"),
                           ("in_flight", "\(client.inFlightCount)"), ("lag_records", "\(lagRecords)"),
                           ("lag_bytes", "\(lagBytes)"), ("lag_seconds", Self.seconds(lagSeconds)),
                           ("reconnects", "\(counters.reconnects)"), ("checkpoint", "\(counters.checkpoint)"),
                           ("unshippable", "\(counters.unshippable)"), ("lost_ranges", "\(counters.missingRanges)")])
    }

    static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = millis % 1000
        return "\(millis / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
    }
}
