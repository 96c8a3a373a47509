import Foundation

/// The result of one load run, as text (default) or one JSON object (`--json`).
///
/// Units: rates per second of *measured time* (first send to last response); MB are 10^6 bytes
/// of request bodies that got a response; latencies in microseconds.
public struct BenchReport: Codable, Sendable, Equatable {
    public struct Latency: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
        public var mean: Double
    }

    public struct Server: Codable, Sendable, Equatable {
        public var binary: String
        public var arguments: [String]
        public var cpuSeconds: Double?
        public var cpuMicrosecondsPerMessage: Double?
        public var exitStatus: Int32?
        public var logDirectory: String?

        public init(binary: String, arguments: [String], cpuSeconds: Double? = nil,
                    cpuMicrosecondsPerMessage: Double? = nil, exitStatus: Int32? = nil, logDirectory: String? = nil) {
            self.binary = binary
            self.arguments = arguments
            self.cpuSeconds = cpuSeconds
            self.cpuMicrosecondsPerMessage = cpuMicrosecondsPerMessage
            self.exitStatus = exitStatus
            self.logDirectory = logDirectory
        }
    }

    public struct LogCheck: Codable, Sendable, Equatable {
        public var passed: Bool
        public var recordsRead: Int
        public var acknowledged: Int
        public var missing: Int
        public var duplicated: Int
        public var forgedStored: Int
        public var unexpected: Int
        public var storedWithoutAcknowledgement: Int
        public var examples: [String]
    }

    public var command: String
    public var payload: String
    public var mode: String                    // "closed" or "open"
    public var targetRate: Double?
    public var connections: Int
    public var threads: Int
    public var pipeline: Int
    public var seed: UInt64
    /// Distinct bodies generated (1 for `--payload-file`); beyond that the pool is resent.
    public var uniqueMessages: Int
    public var averageBodyBytes: Double
    public var seconds: Double
    public var requestsSent: UInt64
    public var responses: UInt64
    public var messagesPerSecond: Double       // all responses
    public var acceptedPerSecond: Double       // 200s
    public var megabytesPerSecond: Double
    public var latency: Latency
    public var statuses: [String: UInt64]
    public var errors: [String: UInt64]
    public var lostInFlight: UInt64
    public var unsentBacklog: UInt64
    public var connectionsOpened: UInt64
    /// `--tls`: handshakes completed and how many resumed a session; nil without TLS.
    public var tlsHandshakes: UInt64?
    public var tlsResumed: UInt64?
    public var handshakesPerSecond: Double?
    public var serverClosedConnections: UInt64
    public var forgedSent: UInt64
    public var forgedAccepted: UInt64
    public var forgedOtherStatus: UInt64
    public var genuineUnauthorized: UInt64
    public var server: Server?
    public var logCheck: LogCheck?
    /// Why the run counts as failed (empty: it passed).
    public var failures: [String]

    public var passed: Bool { failures.isEmpty }

    /// Builds the report from the merged counters.
    public static func make(command: String, options: BenchOptions, seed: UInt64, uniqueMessages: Int,
                            averageBodyBytes: Double, requestsSent: UInt64, forgedSent: UInt64,
                            counters c: LoadCounters) -> BenchReport {
        let seconds = max(1e-9, Double(c.endTime &- c.startTime) / 1e9)
        func micros(_ ns: UInt64) -> Double { (Double(ns) / 1e3 * 1000).rounded() / 1000 }
        var statuses: [String: UInt64] = [:]
        for (code, n) in c.statusCounts.enumerated() where n > 0 { statuses[String(code)] = n }
        var report = BenchReport(
            command: command, payload: options.payload.name, mode: options.rate == nil ? "closed" : "open",
            targetRate: options.rate, connections: options.connections, threads: options.threads,
            pipeline: options.pipeline, seed: seed, uniqueMessages: uniqueMessages,
            averageBodyBytes: averageBodyBytes, seconds: seconds, requestsSent: requestsSent,
            responses: c.completed, messagesPerSecond: Double(c.completed) / seconds,
            acceptedPerSecond: Double(c.statusCounts[200]) / seconds,
            megabytesPerSecond: Double(c.bodyBytesCompleted) / seconds / 1e6,
            latency: Latency(p50: micros(c.latency.value(atPercentile: 50)), p90: micros(c.latency.value(atPercentile: 90)),
                             p99: micros(c.latency.value(atPercentile: 99)), p999: micros(c.latency.value(atPercentile: 99.9)),
                             max: micros(c.latency.max == 0 && c.latency.count == 0 ? 0 : c.latency.max),
                             mean: (c.latency.mean / 1e3 * 1000).rounded() / 1000),
            statuses: statuses, errors: c.errors, lostInFlight: c.lostInFlight, unsentBacklog: c.unsentBacklog,
            connectionsOpened: c.connectionsOpened,
            tlsHandshakes: options.tls ? c.tlsHandshakes : nil, tlsResumed: options.tls ? c.tlsResumed : nil,
            handshakesPerSecond: options.tls ? Double(c.tlsHandshakes) / seconds : nil,
            serverClosedConnections: c.serverClosed,
            forgedSent: forgedSent, forgedAccepted: c.forgedAccepted, forgedOtherStatus: c.forgedOtherStatus,
            genuineUnauthorized: c.genuineUnauthorized, server: nil, logCheck: nil, failures: [])
        report.refreshFailures()
        return report
    }

    /// Recomputes `failures` from the counts (call again after adding `server` or `logCheck`).
    public mutating func refreshFailures() {
        var f: [String] = []
        if responses == 0 { f.append("no responses at all") }
        if forgedAccepted > 0 { f.append("\(forgedAccepted) forged message(s) answered 2xx") }
        if genuineUnauthorized > 0 { f.append("\(genuineUnauthorized) correctly signed message(s) answered 401") }
        if let check = logCheck, !check.passed {
            f.append("log check failed: \(check.missing) missing, \(check.duplicated) duplicated, "
                     + "\(check.forgedStored) forged stored, \(check.unexpected) unexpected")
        }
        if let status = server?.exitStatus, status != 0 { f.append("server exited with status \(status)") }
        failures = f
    }

    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public func text() -> String {
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        var lines: [String] = []
        lines.append("connect-bench: \(payload), \(mode) loop\(targetRate.map { " at \(f($0, 0))/s" } ?? ""), "
                     + "\(connections) connections, \(threads) thread(s), pipeline \(pipeline), seed \(seed)")
        lines.append("  messages:   \(responses) answered of \(requestsSent) sent in \(f(seconds, 2)) s "
                     + "(\(uniqueMessages) distinct bodies, average \(f(averageBodyBytes, 0)) B)")
        lines.append("  throughput: \(f(messagesPerSecond)) messages/s (\(f(acceptedPerSecond)) answered 200/s), "
                     + "\(f(megabytesPerSecond, 2)) MB/s of bodies")
        lines.append("  latency us: p50 \(f(latency.p50)) p90 \(f(latency.p90)) p99 \(f(latency.p99)) "
                     + "p99.9 \(f(latency.p999)) max \(f(latency.max)) (mean \(f(latency.mean)))")
        let statusText = statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        lines.append("  statuses:   \(statusText.isEmpty ? "none" : statusText)")
        let errorText = errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        lines.append("  errors:     \(errorText.isEmpty ? "none" : errorText); lost in flight \(lostInFlight)"
                     + (mode == "open" ? "; unsent backlog \(unsentBacklog)" : ""))
        lines.append("  connections opened \(connectionsOpened), closed by server \(serverClosedConnections)")
        if let handshakes = tlsHandshakes {
            lines.append("  tls:        \(handshakes) handshakes (\(tlsResumed ?? 0) resumed), \(f(handshakesPerSecond ?? 0)) handshakes/s")
        }
        if forgedSent > 0 || forgedAccepted > 0 || genuineUnauthorized > 0 {
            lines.append("  signatures: \(forgedSent) forged sent, \(forgedAccepted) forged accepted, "
                         + "\(forgedOtherStatus) forged answered other than 401, \(genuineUnauthorized) genuine answered 401")
        }
        if let s = server {
            var line = "  server:     \(s.binary) \(s.arguments.joined(separator: " "))"
            if let cpu = s.cpuSeconds { line += "\n              CPU \(f(cpu, 2)) s" }
            if let per = s.cpuMicrosecondsPerMessage { line += ", \(f(per, 2)) us CPU per message" }
            if let status = s.exitStatus { line += ", exit status \(status)" }
            if let dir = s.logDirectory { line += "\n              log kept in \(dir)" }
            lines.append(line)
        }
        if let c = logCheck {
            lines.append("  log check:  \(c.passed ? "PASSED" : "FAILED"): \(c.recordsRead) records, \(c.acknowledged) acknowledged, "
                         + "\(c.missing) missing, \(c.duplicated) duplicated, \(c.forgedStored) forged stored, "
                         + "\(c.unexpected) unexpected, \(c.storedWithoutAcknowledgement) stored without an answer")
            for e in c.examples { lines.append("              \(e)") }
        }
        lines.append(failures.isEmpty ? "  result:     ok" : "  result:     FAILED: " + failures.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }
}

extension BenchReport.LogCheck {
    public init(_ v: ExactlyOnceVerdict) {
        self.init(passed: v.passed, recordsRead: v.recordsRead, acknowledged: v.acknowledged, missing: v.missing,
                  duplicated: v.duplicated, forgedStored: v.forgedStored, unexpected: v.unexpected,
                  storedWithoutAcknowledgement: v.storedWithoutAcknowledgement, examples: v.examples)
    }
}
