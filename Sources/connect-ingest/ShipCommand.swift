import Foundation
import IngestHMAC
import IngestNATS
import IngestServer
import IngestShip

/// `connect-ingest ship`: flags → `ShipOptions` → `Shipper.run` until SIGTERM/SIGINT.
/// Exit status: 0 stopped by a signal, 1 could not start or go on, 2 usage error.
enum ShipCommand {
    static let specs: [FlagSpec] = [
        FlagSpec(name: "log-dir", valueName: "DIR", defaultText: "./connect-log", help: "the log to ship (serve's --log-dir)"),
        FlagSpec(name: "nats", valueName: "URLS", defaultText: "nats://127.0.0.1:4222", help: "NATS servers, comma-separated (nats://host:port); the cluster's advertised servers are added"),
        FlagSpec(name: "nats-user", valueName: "USER", defaultText: "", help: "user name for NATS (with --nats-password)"),
        FlagSpec(name: "nats-password", valueName: "PASSWORD", defaultText: "", help: "password for NATS; prefer the environment variable (never logged)"),
        FlagSpec(name: "nats-token", valueName: "TOKEN", defaultText: "", help: "token for NATS; prefer the environment variable (never logged)"),
        FlagSpec(name: "stream", valueName: "NAME", defaultText: "CONNECT", help: "the JetStream stream"),
        FlagSpec(name: "subject", valueName: "TEMPLATE", defaultText: SubjectTemplate.defaultText, help: "subject of each record; placeholders {accountId} {configurationId} {event} {envelopeId} {instance}"),
        FlagSpec(name: "stream-subjects", valueName: "LIST", defaultText: "from --subject (connect.>)", help: "with --create-stream: the stream's subjects, comma-separated"),
        FlagSpec(name: "msg-id", valueName: "MODE", defaultText: "message", help: "Nats-Msg-Id: message (the record's message id, else instance-seq) | record (always instance-seq)"),
        FlagSpec(name: "instance", valueName: "NAME", defaultText: "the host name", help: "names this listener's log in headers and record message ids"),
        FlagSpec(name: "event", valueName: "NAME", defaultText: "", help: "ship only records with this event"),
        FlagSpec(name: "configuration-id", valueName: "ID", defaultText: "", help: "ship only records with this configurationId"),
        FlagSpec(name: "account-id", valueName: "GUID", defaultText: "", help: "ship only records with this account id"),
        FlagSpec(name: "unique", valueName: nil, defaultText: "", help: "leave out records the log flagged as duplicates"),
        FlagSpec(name: "max-in-flight", valueName: "N", defaultText: "4096", help: "publishes awaiting acknowledgement, at most"),
        FlagSpec(name: "checkpoint", valueName: "PATH", defaultText: "<log-dir>/ship-<stream>.checkpoint", help: "where the position is kept"),
        FlagSpec(name: "create-stream", valueName: nil, defaultText: "", help: "create the stream if it does not exist (file storage)"),
        FlagSpec(name: "replicas", valueName: "N", defaultText: "1", help: "with --create-stream: replicas (3 for a cluster)"),
        FlagSpec(name: "duplicate-window", valueName: "DURATION", defaultText: "24h", help: "with --create-stream: the stream's duplicate window"),
        FlagSpec(name: "max-age", valueName: "DURATION", defaultText: "keep forever", help: "with --create-stream: the stream's maximum message age"),
        FlagSpec(name: "min-duplicate-window", valueName: "DURATION", defaultText: "1h", help: "refuse a stream whose duplicate window is shorter"),
        FlagSpec(name: "stop-timeout", valueName: "DURATION", defaultText: "10s", help: "on SIGTERM, how long to wait for acknowledgements in flight"),
        FlagSpec(name: "ack-timeout", valueName: "DURATION", defaultText: "5s", help: "a publish unacknowledged this long is published again"),
        FlagSpec(name: "log-format", valueName: "FORMAT", defaultText: "text", help: "standard-error log lines: text | json"),
        FlagSpec(name: "log-level", valueName: "LEVEL", defaultText: "info", help: "debug | info | warn | error"),
        FlagSpec(name: "help", valueName: nil, defaultText: "", help: "show this help"),
    ]

    static let usage = "connect-ingest ship [flags]"
    static let summary = "Follows the log and publishes every record to a NATS JetStream stream, exactly once (checkpoint + Nats-Msg-Id)."

    static func run(arguments: [String]) -> Int32 {
        // First, so that a SIGTERM at any point after start-up stops cleanly.
        let stop = LogCLIStopSignals()
        let environment = ProcessInfo.processInfo.environment
        let flags: ParsedFlags
        do {
            flags = try FlagParser.parse(arguments, specs: specs, environment: environment.filter { $0.key != "CONNECT_HELP" })
        } catch {
            FileHandle.standardError.write(Data("connect-ingest ship: \(error)\n".utf8))
            return 2
        }
        if flags.isSet("help") {
            print(FlagParser.help(usage: usage, summary: summary, specs: specs), terminator: "")
            return 0
        }
        let built = ShipConfiguration.build(flags)
        guard let (options, format, level) = built.value else {
            for problem in built.problems { FileHandle.standardError.write(Data("connect-ingest ship: \(problem)\n".utf8)) }
            return 2
        }
        let operatorLog = OperatorLog(format: format, level: level)
        let shipper = Shipper(options: options) { level, event, fields in
            switch level {
            case .debug: operatorLog.debug(event, fields)
            case .info: operatorLog.info(event, fields)
            case .warn: operatorLog.warn(event, fields)
            case .error: operatorLog.error(event, fields)
            }
        }
        do {
            _ = try shipper.run { stop.requested }
            return 0
        } catch {
            operatorLog.error("ship_failed", [("error", error.description)])
            FileHandle.standardError.write(Data("connect-ingest ship: \(error)\n".utf8))
            return 1
        }
    }
}

/// Flag values → `ShipOptions`, with one problem line per bad value.
enum ShipConfiguration {
    static func build(_ flags: ParsedFlags) -> (value: (ShipOptions, LogFormat, LogLevel)?, problems: [String]) {
        var problems: [String] = []
        guard flags.positional.isEmpty else { return (nil, ["unexpected argument \(flags.positional[0])"]) }
        let directory = flags.last("log-dir") ?? "./connect-log"
        let servers = NATSServerAddress.list(flags.last("nats") ?? "nats://127.0.0.1:4222")
        if servers == nil { problems.append("\(flags.origin("nats")): expected nats://host:port[,nats://host:port...]") }
        let stream = flags.last("stream") ?? "CONNECT"
        if stream.isEmpty || stream.contains(where: { " .*>\t/\\".contains($0) }) {
            problems.append("\(flags.origin("stream")): a stream name cannot be empty or hold spaces, '.', '*', '>', '/' or '\\'")
        }
        var template: SubjectTemplate?
        do { template = try SubjectTemplate(flags.last("subject") ?? SubjectTemplate.defaultText) } catch {
            problems.append("\(flags.origin("subject")): \(error)")
        }
        let instance = flags.last("instance") ?? ProcessInfo.processInfo.hostName
        var options = ShipOptions(logDirectory: directory, servers: servers ?? [], stream: stream,
                                  subject: template ?? (try! SubjectTemplate(SubjectTemplate.defaultText)), instance: instance)
        if instance.isEmpty { problems.append("\(flags.origin("instance")): must not be empty") }
        switch (flags.last("nats-user"), flags.last("nats-password"), flags.last("nats-token")) {
        case (nil, nil, nil): break
        case (let user?, let password?, nil): options.credentials = .userPassword(user: user, password: password)
        case (nil, nil, let token?): options.credentials = .token(token)
        default: problems.append("NATS credentials: give --nats-user with --nats-password, or --nats-token alone")
        }
        if let subjects = flags.last("stream-subjects") {
            options.streamSubjects = subjects.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        switch flags.last("msg-id") ?? "message" {
        case "message": options.messageIDSource = .message
        case "record": options.messageIDSource = .record
        case let other: problems.append("\(flags.origin("msg-id")): \(other) is not message or record")
        }
        if let event = flags.last("event") { options.filter.event = Array(event.utf8) }
        if let id = flags.last("configuration-id") { options.filter.configurationId = Array(id.utf8) }
        if let text = flags.last("account-id") {
            if let id = AccountID(text) { options.filter.accountId = id } else { problems.append("\(flags.origin("account-id")): \(text) is not a GUID") }
        }
        options.filter.unique = flags.isSet("unique")
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let text = flags.last(name) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                problems.append("\(flags.origin(name)): expected a number in \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            return value
        }
        func duration(_ name: String) -> Int64? {
            guard let text = flags.last(name) else { return nil }
            guard let value = FlagValue.duration(text) else { problems.append("\(flags.origin(name)): expected a duration like 30s, 2m, 24h"); return nil }
            return value
        }
        if let value = integer("max-in-flight", 1...1_000_000) { options.maximumInFlight = value }
        if let value = integer("replicas", 1...5) { options.replicas = value }
        if let path = flags.last("checkpoint") { options.checkpointPath = path }
        options.createStream = flags.isSet("create-stream")
        if let value = duration("duplicate-window") { options.duplicateWindowNanoseconds = value }
        if let value = duration("max-age") { options.maximumAgeNanoseconds = value }
        if let value = duration("min-duplicate-window") { options.minimumDuplicateWindowNanoseconds = value }
        if let value = duration("stop-timeout") { options.stopTimeoutMilliseconds = Int(value / 1_000_000) }
        if let value = duration("ack-timeout") { options.acknowledgementTimeoutMilliseconds = max(100, Int(value / 1_000_000)) }
        if options.createStream && options.duplicateWindowNanoseconds < options.minimumDuplicateWindowNanoseconds {
            problems.append("--duplicate-window is shorter than --min-duplicate-window")
        }
        if options.createStream && options.maximumAgeNanoseconds > 0 && options.duplicateWindowNanoseconds > options.maximumAgeNanoseconds {
            problems.append("--duplicate-window is longer than --max-age (JetStream requires the window to fit in the age)")
        }
        var format = LogFormat.text
        if let text = flags.last("log-format") {
            if let value = LogFormat(rawValue: text) { format = value } else { problems.append("\(flags.origin("log-format")): text or json") }
        }
        var level = LogLevel.info
        if let text = flags.last("log-level") {
            if let value = LogLevel(name: text) { level = value } else { problems.append("\(flags.origin("log-level")): debug, info, warn or error") }
        }
        return problems.isEmpty ? ((options, format, level), []) : (nil, problems)
    }
}
