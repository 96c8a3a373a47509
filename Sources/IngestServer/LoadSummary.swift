import IngestSystem

/// The per-second `summary` line: what happened since the last one, summed over workers.
/// Written by worker 0's tick, only when something happened, so an idle server stays quiet and
/// a flooded one writes one line a second instead of one per request.
final class LoadSummary {
    private static let reported: [WorkerCounters.Counter] = [
        .webhookAccepted, .signatureMissing, .signatureMismatch, .basicAuthFailed, .webhookMalformedStored,
        .webhookMalformedXMLStored,
        .badRequest, .requestTimeout, .payloadTooLarge, .headersTooLarge, .unavailable, .logCommits,
        .connectionsAccepted, .connectionsRejected, .bytesReceived,
    ]
    private var previous: [UInt64]
    private var lastAt: Int64 = 0

    init() { previous = Array(repeating: 0, count: LoadSummary.reported.count) }

    func emitIfDue(_ state: ServerState, now: Int64) {
        guard now - lastAt >= 1_000_000_000 else { return }
        let clock = Clock.monotonicNanoseconds()
        let seconds = lastAt == 0 ? 1.0 : max(0.001, Double(clock - lastAt) / 1e9)
        lastAt = clock
        var current: [UInt64] = []
        for counter in LoadSummary.reported {
            current.append(state.counters.reduce(0) { $0 + $1.value(counter) })
        }
        let delta = zip(current, previous).map { $0 &- $1 }
        previous = current
        guard delta.contains(where: { $0 > 0 }) else { return }
        func d(_ c: WorkerCounters.Counter) -> UInt64 { delta[LoadSummary.reported.firstIndex(of: c)!] }
        let accepted = d(.webhookAccepted)
        let open = state.counters.reduce(0) { $0 + $1.value(.connectionsOpen) }
        state.operatorLog.info("summary", [
            ("accepted", "\(accepted)"),
            ("rate_per_s", "\(Int((Double(accepted) / seconds).rounded()))"),
            ("unauthorized", "\(d(.signatureMissing) + d(.signatureMismatch) + d(.basicAuthFailed))"),
            ("stored_malformed", "\(d(.webhookMalformedStored) + d(.webhookMalformedXMLStored))"),
            ("bad_requests", "\(d(.badRequest) + d(.requestTimeout) + d(.payloadTooLarge) + d(.headersTooLarge))"),
            ("unavailable", "\(d(.unavailable))"),
            ("commits", "\(d(.logCommits))"),
            ("bytes_in", "\(d(.bytesReceived))"),
            ("connections_open", "\(open)"),
            ("connections_new", "\(d(.connectionsAccepted))"),
            ("connections_refused", "\(d(.connectionsRejected))"),
        ])
    }
}
