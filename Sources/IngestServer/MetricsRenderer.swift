#if canImport(Glibc)
import Glibc
#endif

/// `GET /metrics` in the Prometheus text exposition format (version 0.0.4), hand-written.
/// Counters are summed over workers at scrape time; per-worker series carry a `worker` label.
enum MetricsRenderer {
    static func render(_ state: ServerState) -> [UInt8] {
        var out = ""
        let workers = state.counters
        func total(_ c: WorkerCounters.Counter) -> UInt64 { workers.reduce(0) { $0 + $1.value(c) } }
        func counter(_ name: String, _ help: String, _ c: WorkerCounters.Counter) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(total(c))\n"
        }

        out += "# HELP connect_requests_total HTTP requests answered, by route and status.\n# TYPE connect_requests_total counter\n"
        let routes: [(String, String, WorkerCounters.Counter)] = [
            ("webhook", "200", .webhookAccepted), ("webhook", "401", .signatureMissing),
            ("webhook", "401", .signatureMismatch), ("webhook", "401", .basicAuthFailed), ("webhook", "401", .bearerAuthFailed),
            ("webhook", "503", .unavailable), ("healthz", "200", .healthRequests),
            ("readyz", "any", .readyRequests), ("metrics", "200", .metricsRequests),
            ("other", "404", .notFound), ("webhook", "405", .methodNotAllowed),
            ("any", "400", .badRequest), ("any", "408", .requestTimeout), ("any", "413", .payloadTooLarge),
            ("any", "431", .headersTooLarge), ("any", "4xx_5xx_other", .otherClientError),
        ]
        var merged: [String: UInt64] = [:]
        var order: [String] = []
        for (route, status, c) in routes {
            let key = "route=\"\(route)\",status=\"\(status)\""
            if merged[key] == nil { order.append(key) }
            merged[key, default: 0] += total(c)
        }
        for key in order { out += "connect_requests_total{\(key)} \(merged[key]!)\n" }

        counter("connect_webhook_accepted_total", "Webhook messages stored and acknowledged with 200.", .webhookAccepted)
        counter("connect_signature_missing_total", "Webhooks refused: no well-formed X-DocuSign-Signature header.", .signatureMissing)
        counter("connect_signature_mismatch_total", "Webhooks refused: no signature matched any key.", .signatureMismatch)
        counter("connect_basic_auth_failures_total", "Webhooks refused by Basic authentication.", .basicAuthFailed)
        counter("connect_stored_malformed_json_total", "Genuine messages stored although their JSON is malformed.", .webhookMalformedStored)
        counter("connect_stored_malformed_xml_total", "Genuine messages stored although their XML is malformed.", .webhookMalformedXMLStored)
        out += "# HELP connect_messages_stored_total Webhook messages handed to the log, by the format their body was scanned as.\n"
            + "# TYPE connect_messages_stored_total counter\n"
            + "connect_messages_stored_total{format=\"json\"} \(total(.webhookStoredJSON))\n"
            + "connect_messages_stored_total{format=\"xml\"} \(total(.webhookStoredXML))\n"
        counter("connect_stored_missing_fields_total", "Genuine messages stored although one of the four fields is absent.", .webhookFieldsMissingStored)
        counter("connect_account_id_invalid_total", "Webhooks whose X-DocuSign-AccountId was not a GUID (ignored; stored without an account).", .accountIdInvalid)
        counter("connect_received_bytes_total", "Bytes read from clients.", .bytesReceived)
        counter("connect_log_appends_total", "Log commits (batches).", .logCommits)
        counter("connect_log_records_total", "Records committed to the log.", .logRecords)
        counter("connect_log_bytes_total", "Body bytes stored in the log.", .bodyBytesStored)
        counter("connect_log_commit_failures_total", "Commits that failed (messages answered 503).", .logCommitFailures)
        counter("connect_connections_accepted_total", "Connections accepted.", .connectionsAccepted)
        counter("connect_connections_rejected_total", "Connections closed at once: --max-connections reached.", .connectionsRejected)
        counter("connect_clients_vanished_total", "Connections closed by the client mid-request.", .clientsVanishedMidRequest)

        out += "# HELP connect_open_connections Open client connections.\n# TYPE connect_open_connections gauge\n"
        out += "connect_open_connections \(total(.connectionsOpen))\n"
        out += "# HELP connect_ready 1 when the log is writable and has room above --min-free-bytes.\n# TYPE connect_ready gauge\n"
        out += "connect_ready \(state.isReady.load(ordering: .relaxed) ? 1 : 0)\n"
        out += "# HELP connect_log_segments Segment files in the log folder.\n# TYPE connect_log_segments gauge\n"
        out += "connect_log_segments \(segmentFiles(in: state.configuration.logDirectory))\n"

        out += "# HELP connect_worker_webhook_accepted_total Webhook messages acknowledged, per worker.\n# TYPE connect_worker_webhook_accepted_total counter\n"
        for (index, worker) in workers.enumerated() {
            out += "connect_worker_webhook_accepted_total{worker=\"\(index)\"} \(worker.value(.webhookAccepted))\n"
        }
        out += "# HELP connect_worker_open_connections Open connections, per worker.\n# TYPE connect_worker_open_connections gauge\n"
        for (index, worker) in workers.enumerated() {
            out += "connect_worker_open_connections{worker=\"\(index)\"} \(worker.value(.connectionsOpen))\n"
        }

        CredentialMetrics.render(state, into: &out)
        histogram(&out, state, .syncSeconds, "connect_log_commit_seconds", "Time to append and sync one batch.")
        histogram(&out, state, .ackSeconds, "connect_ack_seconds", "From the loop pass that read a message's last byte to its 200 being written.")
        histogram(&out, state, .batchRecords, "connect_log_batch_records", "Records per commit.")
        out += TransportMetrics.render(state)
        return Array(out.utf8)
    }

    /// Segment files (`*.log`) in the log folder, counted at scrape time.
    private static func segmentFiles(in directory: String) -> Int {
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let isSegment = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Bool in
                let name = raw.prefix { $0 != 0 }
                return name.count > 4 && name.suffix(4).elementsEqual(".log".utf8)
            }
            if isSegment { count += 1 }
        }
        return count
    }

    private static func histogram(_ out: inout String, _ state: ServerState, _ which: WorkerCounters.Histogram, _ name: String, _ help: String) {
        let bounds = WorkerCounters.bounds(which)
        var buckets = [UInt64](repeating: 0, count: bounds.count + 1)
        var count: UInt64 = 0
        var sum = 0.0
        for worker in state.counters + (state.groupSync.map { [$0.counters] } ?? []) {
            let h = worker.histogram(which)
            for i in buckets.indices { buckets[i] += h.buckets[i] }
            count += h.count
            sum += h.sum
        }
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (i, bound) in bounds.enumerated() {
            cumulative += buckets[i]
            out += "\(name)_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(count)\n\(name)_sum \(sum)\n\(name)_count \(count)\n"
    }
}
