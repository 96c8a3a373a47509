import Foundation
import IngestDedup
import IngestHMAC
import IngestHTTP
import IngestLog
import IngestServer
import IngestSystem

/// `connect-ingest serve`: flags → a validated `ServerConfiguration` → `Server.run`.
enum ServeCommand {
    static let specs: [FlagSpec] = [
        FlagSpec(name: "host", valueName: "ADDR", defaultText: "0.0.0.0", help: "numeric IPv4/IPv6 address to listen on"),
        FlagSpec(name: "port", valueName: "N", defaultText: "8080", help: "TCP port; 0 picks a free one"),
        FlagSpec(name: "workers", valueName: "N", defaultText: "number of cores (\(Clock.availableProcessors))", help: "worker threads, each with its own epoll loop and listening socket"),
        FlagSpec(name: "path", valueName: "PATH", defaultText: "/webhooks/docusign", help: "webhook path (POST)"),
        FlagSpec(name: "log-dir", valueName: "DIR", defaultText: "./connect-log", help: "folder of the message log"),
        FlagSpec(name: "segment-size", valueName: "BYTES", defaultText: "128MiB", help: "log segment size (preallocated, memory-mapped)"),
        FlagSpec(name: "sync", valueName: "MODE", defaultText: "\(LogOptions().sync.serveFlagText)", help: "when a 200 is sent: none (in the shared mapping; survives a process crash) | batch (after a group fdatasync covering the record; survives a power cut) | interval=MS (a sync thread every MS ms)"),
        FlagSpec(name: "retain-bytes", valueName: "BYTES", defaultText: "", help: "delete the oldest whole segments beyond this total"),
        FlagSpec(name: "retain-age", valueName: "DURATION", defaultText: "", help: "delete whole segments older than this (e.g. 7d)"),
        FlagSpec(name: "hmac-key-file", valueName: "PATH", defaultText: "", help: "file of HMAC keys, one per line: KEY (any account) or ACCOUNT-GUID KEY (only messages whose X-DocuSign-AccountId names that account) (repeatable; env: paths separated by ':'); keys also from CONNECT_HMAC_KEYS (comma-separated entries of the same two forms)", repeatable: true),
        FlagSpec(name: "allow-unsigned", valueName: nil, defaultText: "", help: "with no HMAC key, store messages unverified (marked unsigned)"),
        FlagSpec(name: "basic-auth-file", valueName: "PATH", defaultText: "", help: "file holding user:password; webhooks then need matching Basic credentials"),
    ] + ServeCredentials.specs + [
        FlagSpec(name: "max-body", valueName: "BYTES", defaultText: "64MiB", help: "larger bodies get 413"),
        FlagSpec(name: "max-header-bytes", valueName: "BYTES", defaultText: "16KiB", help: "larger request heads get 431"),
        FlagSpec(name: "stream-threshold", valueName: "BYTES", defaultText: "256KiB", help: "bodies above this stream into the log instead of memory"),
        FlagSpec(name: "request-timeout", valueName: "DURATION", defaultText: "30s", help: "a request stalled this long gets 408 and is closed"),
        FlagSpec(name: "idle-timeout", valueName: "DURATION", defaultText: "60s", help: "idle keep-alive connections are closed after this"),
        FlagSpec(name: "max-connections", valueName: "N", defaultText: "10000", help: "connections beyond this are closed at once"),
        FlagSpec(name: "commit-stall-timeout", valueName: "DURATION", defaultText: "2s", help: "with --sync batch: new webhooks get 503 while a commit has run longer than this"),
        FlagSpec(name: "max-unsynced-bytes", valueName: "BYTES", defaultText: "64MiB", help: "with --sync batch: new webhooks get 503 while more bytes than this wait for a commit (per worker)"),
        FlagSpec(name: "min-free-bytes", valueName: "BYTES", defaultText: "256MiB", help: "below this free disk space webhooks get 503 and /readyz fails"),
        FlagSpec(name: "dedup", valueName: "MODE", defaultText: "flag", help: "flag: mark redeliveries `duplicate` (stored and answered 200 all the same) using a persistent index in the log folder | off"),
        FlagSpec(name: "dedup-window", valueName: "DURATION", defaultText: "15d", help: "how long a message is remembered for --dedup flag"),
        FlagSpec(name: "dedup-capacity", valueName: "N", defaultText: "\(DedupOptions.defaultCapacity)", help: "messages remembered per window (48 bytes of disk and memory each); when full, the oldest day is forgotten early"),
    ] + ServeTLSFlags.specs + [
        FlagSpec(name: "log-format", valueName: "FORMAT", defaultText: "text", help: "standard-error log lines: text | json"),
        FlagSpec(name: "log-level", valueName: "LEVEL", defaultText: "info", help: "debug | info | warn | error"),
        FlagSpec(name: "check-config", valueName: nil, defaultText: "", help: "validate the configuration and exit (0 when valid)"),
        FlagSpec(name: "help", valueName: nil, defaultText: "", help: "show this help"),
    ]

    static let usage = "connect-ingest serve [flags]"
    static let summary = "Receives DocuSign Connect webhooks, verifies their HMAC signatures, stores them in the log, answers 200."

    static func run(arguments: [String]) -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let flags: ParsedFlags
        do {
            flags = try FlagParser.parse(arguments, specs: specs, environment: environment.filter { $0.key != "CONNECT_HELP" })
        } catch {
            FileHandle.standardError.write(Data("connect-ingest serve: \(error)\n".utf8))
            return 2
        }
        if flags.isSet("help") {
            print(FlagParser.help(usage: usage, summary: summary, specs: specs), terminator: "")
            return 0
        }
        if !flags.positional.isEmpty {
            FileHandle.standardError.write(Data("connect-ingest serve: unexpected argument \(flags.positional[0])\n".utf8))
            return 2
        }
        let (configuration, problems, warnings) = ServeConfigurationBuilder.build(flags, environment: environment)
        for problem in problems {
            FileHandle.standardError.write(Data("connect-ingest serve: \(problem)\n".utf8))
        }
        guard problems.isEmpty, let configuration else { return 2 }
        let operatorLog = OperatorLog(format: configuration.logFormat, level: configuration.logLevel)
        for warning in warnings { operatorLog.warn("config_warning", [("message", warning)]) }
        if flags.isSet("check-config") {
            print("configuration ok")
            return 0
        }
        if configuration.allowUnsigned {
            operatorLog.warn("unsigned_mode", [("message", "no HMAC key configured: messages are stored without signature verification and marked unsigned")])
        }
        let pidFile = flags.last("pid-file")
        defer { if let pidFile { PidFile.remove(pidFile) } }
        do {
            return try Server.run(configuration, operatorLog: operatorLog, onOperationsListening: { address in
                FileHandle.standardOutput.write(Data("plain operations listener on \(address)\n".utf8))
            }) { address in
                if let pidFile { PidFile.write(pidFile, operatorLog: operatorLog) }
                // Unbuffered: tests and the benchmark wait for this exact line.
                FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("connect-ingest serve: \(error)\n".utf8))
            return 1
        }
    }
}

/// Turns parsed flags into a configuration, collecting one line per problem.
enum ServeConfigurationBuilder {
    static func build(_ flags: ParsedFlags, environment: [String: String]) -> (ServerConfiguration?, [String], [String]) {
        var c = ServerConfiguration()
        var problems: [String] = []
        var warnings: [String] = []

        func integer(_ name: String, range: ClosedRange<Int>, apply: (Int) -> Void) {
            guard let text = flags.last(name) else { return }
            guard let value = Int(text), range.contains(value) else {
                problems.append("\(flags.origin(name)) \(text): expected a whole number in \(range.lowerBound)...\(range.upperBound)")
                return
            }
            apply(value)
        }
        func size(_ name: String, minimum: Int64 = 0, apply: (Int64) -> Void) {
            guard let text = flags.last(name) else { return }
            guard let value = FlagValue.bytes(text), value >= minimum else {
                problems.append("\(flags.origin(name)) \(text): expected a size of at least \(minimum) bytes, like 65536, 64KiB or 128MiB")
                return
            }
            apply(value)
        }
        func duration(_ name: String, apply: (Int64) -> Void) {
            guard let text = flags.last(name) else { return }
            guard let value = FlagValue.duration(text), value > 0 else {
                problems.append("\(flags.origin(name)) \(text): expected a positive duration like 30s, 500ms, 5m or 7d")
                return
            }
            apply(value)
        }

        if let host = flags.last("host") {
            if SocketAddress(host: host, port: 0) == nil {
                problems.append("\(flags.origin("host")) \(host): expected a numeric IPv4 or IPv6 address such as 0.0.0.0, 127.0.0.1 or ::")
            } else {
                c.host = host
            }
        }
        integer("port", range: 0...65535) { c.port = UInt16($0) }
        c.workers = Clock.availableProcessors
        integer("workers", range: 1...1024) { c.workers = $0 }
        if let path = flags.last("path") {
            if !path.hasPrefix("/") || path.contains("?") || path.contains(" ") {
                problems.append("\(flags.origin("path")) \(path): expected an absolute path like /webhooks/docusign")
            } else {
                c.webhookPath = path
            }
        }
        if let dir = flags.last("log-dir") {
            if dir.isEmpty { problems.append("\(flags.origin("log-dir")): expected a folder") } else { c.logDirectory = dir }
        }
        size("segment-size", minimum: 1 << 20) { c.logOptions.segmentSize = Int($0) }
        if let text = flags.last("sync") {
            if let policy = SyncPolicy(flag: text) { c.logOptions.sync = policy } else {
                problems.append("\(flags.origin("sync")) \(text): expected none, batch or interval=MS (MS a positive whole number)")
            }
        }
        size("retain-bytes", minimum: 1) { c.logOptions.retainBytes = $0 }
        duration("retain-age") { c.logOptions.retainAgeSeconds = max(1, $0 / 1_000_000_000) }
        size("max-body", minimum: 1) { c.limits.maxBodyBytes = Int($0) }
        size("max-header-bytes", minimum: 256) { c.limits.maxHeaderBytes = Int(min($0, 1 << 20)) }
        size("stream-threshold", minimum: 4096) { c.streamThreshold = Int(min($0, 64 << 20)) }
        duration("request-timeout") { c.requestTimeoutNanoseconds = $0 }
        duration("idle-timeout") { c.idleTimeoutNanoseconds = $0 }
        integer("max-connections", range: 1...1_000_000) { c.maxConnections = $0 }
        size("min-free-bytes") { c.minFreeBytes = $0 }
        duration("commit-stall-timeout") { c.commitStallTimeoutNanoseconds = $0 }
        size("max-unsynced-bytes", minimum: 1 << 20) { c.maxUnsyncedBytes = Int(min($0, 1 << 40)) }
        c.testStallHookFile = environment["CONNECT_TEST_HOOK_STALL_COMMITS_WHILE_FILE_EXISTS"]
        if let text = flags.last("dedup") {
            if let mode = DedupMode(rawValue: text) { c.dedup = mode } else {
                problems.append("\(flags.origin("dedup")) \(text): expected flag or off")
            }
        }
        if let text = flags.last("dedup-window") {
            if let value = FlagValue.duration(text), DedupOptions.windowRange.contains(value) {
                c.dedupOptions.windowNanoseconds = value
            } else {
                problems.append("\(flags.origin("dedup-window")) \(text): expected a duration from 15s to 3650d, like 15d")
            }
        }
        integer("dedup-capacity", range: DedupOptions.capacityRange) { c.dedupOptions.capacity = $0 }
        if let offset = environment["CONNECT_TEST_HOOK_CLOCK_OFFSET_SECONDS"].flatMap({ Int64($0) }) {
            c.testClockOffsetNanoseconds = offset &* 1_000_000_000
        }
        if let text = flags.last("log-format") {
            if let format = LogFormat(rawValue: text) { c.logFormat = format } else {
                problems.append("\(flags.origin("log-format")) \(text): expected text or json")
            }
        }
        if let text = flags.last("log-level") {
            if let level = LogLevel(name: text) { c.logLevel = level } else {
                problems.append("\(flags.origin("log-level")) \(text): expected debug, info, warn or error")
            }
        }
        ServeCredentials.build(flags, environment: environment, into: &c, problems: &problems, warnings: &warnings)
        ServeTLSFlags.apply(flags, to: &c, problems: &problems, warnings: &warnings)
        return (problems.isEmpty ? c : nil, problems, warnings)
    }
}

extension SyncPolicy {
    /// The flag spelling of a policy, for --help.
    var serveFlagText: String {
        switch self {
        case .none: "none"
        case .batch: "batch"
        case .interval(let milliseconds): "interval=\(milliseconds)"
        }
    }
}
