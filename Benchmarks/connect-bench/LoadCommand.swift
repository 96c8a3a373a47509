import BenchSupport
import Foundation
import IngestDedup
import IngestHMAC
import IngestSystem
import IngestTLS
#if canImport(Glibc)
import Glibc
#endif

/// Load mode: parse flags, optionally spawn the server, pre-generate the requests, run the
/// client threads, report, and (with `--spawn`) check the server's log.
///
/// Everything here runs once per run on the main thread; only `ClientLoop` is the hot path.
enum LoadCommand {
    static func run(_ arguments: [String]) -> Int32 {
        let options: BenchOptions
        do {
            options = try BenchOptions.parse(arguments)
        } catch {
            printError("connect-bench: \(error)")
            return 2
        }
        if options.help {
            print(BenchOptions.helpText)
            return 0
        }
        do {
            return try LoadRun(options: options).execute()
        } catch {
            printError("connect-bench: \(error)")
            return 2
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// One load run, step by step.
struct LoadRun {
    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    let options: BenchOptions
    let seed: UInt64
    let key: String
    let credentials: BenchCredentials

    init(options: BenchOptions) throws {
        self.options = options
        seed = options.seed ?? UInt64.random(in: 0...UInt64.max)
        key = try Self.resolveKey(options)
        credentials = try BenchCredentials(options: options)
    }

    /// `--hmac-key`, `--hmac-key-file`, the first of `$CONNECT_HMAC_KEYS`, or with `--spawn` a
    /// fresh random key.
    static func resolveKey(_ options: BenchOptions) throws -> String {
        if let key = options.hmacKey, !key.isEmpty { return key }
        if let path = options.hmacKeyFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SetupError(description: "--hmac-key-file: cannot read \(path)")
            }
            for line in text.split(whereSeparator: \.isNewline) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty && !trimmed.hasPrefix("#") { return trimmed }
            }
            throw SetupError(description: "--hmac-key-file: no key in \(path)")
        }
        if let env = ProcessInfo.processInfo.environment["CONNECT_HMAC_KEYS"],
           let first = env.split(separator: ",").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty {
            return first
        }
        if options.spawn {
            var random = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
            return String(decoding: bytes.withUnsafeBytes { Base64.encode($0) }, as: UTF8.self)
        }
        throw SetupError(description: "--hmac-key: the server's HMAC key is needed (--hmac-key, --hmac-key-file or $CONNECT_HMAC_KEYS)")
    }

    func execute() throws -> Int32 {
        let url = try TargetURL.parse(options.url)
        var server: ServerProcess?
        var spawnedAddress: LoopbackAddress?
        if options.spawn {
            let binary = options.serverBinary ?? ServerProcess.defaultBinary()
            let spawned = try ServerProcess(binary: binary, key: key, workers: options.workers, sync: options.sync,
                                            extra: dedupServerArguments + options.serverArguments, keyFileText: try decoyKeyFile(),
                                            oauth: credentials.oauthServer)
            if let count = options.dedupPrefill { try prefillIndex(spawned, count: count) }
            progress("starting \(binary) \(spawned.arguments.joined(separator: " "))")
            do {
                try spawned.start(timeout: max(20, options.timeout))
            } catch {
                spawned.removeFolder()
                throw error
            }
            server = spawned
            spawnedAddress = spawned.address
            progress("server listening on \(spawned.address), log in \(spawned.logDirectory.path)")
        }
        defer {
            if let server, server.process.isRunning { _ = server.stop(timeout: 5) }
        }
        let target = spawnedAddress.map { TargetURL(address: $0, path: url.path, hostHeader: $0.description) } ?? url

        // Pre-generate every thread's requests, in parallel.
        let settings = try payloadSettings()
        let signer = RequestSigner(key: key)
        let forgery = ForgeryPlan(rate: options.badSignatureRate, seed: seed)
        let duplicates = DuplicatePlan(rate: options.duplicateRate, seed: seed)
        let average = Self.averageRequestBytes(settings: settings, target: target, signer: signer)
        let needed: Int? = options.messages ?? options.rate.flatMap { rate in options.duration.map { Int(rate * $0 * 1.02) + 1 } }
        let poolCount = PoolSizing.messageCount(averageRequestBytes: average, budgetBytes: options.poolMegabytes << 20,
                                                needed: needed)
        let shares = PoolSizing.split(poolCount, into: options.threads)
        progress("generating \(poolCount) requests (\(options.payload.name), ~\(Int(average)) bytes each, seed \(seed))")
        var starts: [Int] = []
        var first = 0
        for share in shares { starts.append(first); first += share }
        let firstIndexes = starts
        let requestTarget = RequestTarget(path: target.path, hostHeader: target.hostHeader,
                                          extraHeaderLines: credentials.bearerToken.map { "Authorization: Bearer \($0)\r\n" } ?? "",
                                          connectionClose: options.connectionClose)
        let pools: [RequestPool] = parallel(options.threads) { t in
            RequestPool(settings: settings, target: requestTarget, signer: signer, forgery: forgery,
                        firstIndex: firstIndexes[t], count: shares[t],
                        expectedBytes: Int(average * Double(shares[t]) * 1.1), duplicates: duplicates)
        }

        // Run the load.
        let cpuBefore = server.flatMap { ProcStat.cpuSeconds(pid: $0.pid) }
        var tls: TLSClientContext?
        if options.tls, let ca = options.tlsCA {
            do {
                tls = try TLSClientContext(caFile: ca, resume: options.tlsResume)
            } catch {
                throw SetupError(description: "--tls-ca: \(error)")
            }
        }
        let plans = makePlans(address: target.address, tls: tls)
        progress(describeRun())
        let results: [LoadCounters] = parallel(options.threads) { t in ClientLoop.run(plan: plans[t], pool: pools[t]) }
        let cpuAfter = server.flatMap { ProcStat.cpuSeconds(pid: $0.pid) }

        var total = LoadCounters()
        for r in results { total.merge(r) }
        var requestsSent: UInt64 = 0
        var forgedSent: UInt64 = 0
        var check = ExactlyOnceCheck()
        var duplicateCheck = DuplicateFlagCheck(dedupOn: serverDedups)
        var redeliveries = 0
        for (t, pool) in pools.enumerated() {
            for i in 0..<pool.count {
                duplicateCheck.expect(pool.digests[i], message: pool.messages[i])
                if pool.messages[i] != pool.firstIndex + i { redeliveries += Int(results[t].sends[i]) }
                let sends = UInt64(results[t].sends[i])
                requestsSent += sends
                if pool.forged[i] { forgedSent += sends }
                check.expect(pool.digests[i], index: pool.firstIndex + i, forged: pool.forged[i],
                             sends: sends, oks: UInt64(results[t].oks[i]))
            }
        }
        let totalBodies = pools.reduce(0) { $0 + $1.totalBodyBytes }
        var distinctBodies = poolCount
        if case .file = options.payload { distinctBodies = 1 }
        var report = BenchReport.make(command: CommandLine.arguments.joined(separator: " "), options: options, seed: seed,
                                      uniqueMessages: distinctBodies, averageBodyBytes: Double(totalBodies) / Double(poolCount),
                                      requestsSent: requestsSent, forgedSent: forgedSent, counters: total)

        // Stop the server and check its log.
        if options.duplicateRate > 0 { report.redeliveriesGenerated = redeliveries }
        if let server {
            progress("stopping the server (SIGTERM)")
            let status = server.stop(timeout: 30)
            var info = BenchReport.Server(binary: server.binary, arguments: server.arguments, cpuSeconds: nil,
                                          cpuMicrosecondsPerMessage: nil, exitStatus: status ?? -1,
                                          logDirectory: options.keepLog ? server.logDirectory.path : nil)
            if let before = cpuBefore, let after = cpuAfter {
                info.cpuSeconds = after - before
                if total.completed > 0 { info.cpuMicrosecondsPerMessage = (after - before) / Double(total.completed) * 1e6 }
            }
            report.server = info
            if status != 0 { progress(server.diagnostics()) }
            progress("reading the log back with connect-ingest read")
            do {
                try LogScan.check(binary: server.binary, logDirectory: server.logDirectory, scratch: server.folder,
                                  signer: signer, into: &check, duplicates: &duplicateCheck)
                report.logCheck = BenchReport.LogCheck(check.verdict())
                let forgotEarly = server.loggedEvent("dedup_index_full")
                report.duplicateCheck = BenchReport.DuplicateCheck(duplicateCheck.verdict(indexForgotEarly: forgotEarly),
                                                                   dedupOn: serverDedups)
            } catch {
                var failed = BenchReport.LogCheck(check.verdict())
                failed.passed = false
                failed.examples.insert("\(error)", at: 0)
                report.logCheck = failed
            }
            if !options.keepLog { server.removeFolder() }
            report.refreshFailures()
        }
        print(options.json ? report.jsonText() : report.text())
        return report.passed ? 0 : 1
    }

    /// serve's flags for `--dedup` and `--dedup-capacity`.
    var dedupServerArguments: [String] {
        (options.dedup.map { ["--dedup", $0] } ?? []) + (options.dedupCapacity.map { ["--dedup-capacity", String($0)] } ?? [])
    }

    /// Whether the spawned server flags duplicates (its default is `flag`; a later flag wins).
    var serverDedups: Bool {
        let flags = dedupServerArguments + options.serverArguments
        var on = true
        for (i, flag) in flags.enumerated() where i + 1 < flags.count {
            if flag == "--dedup" { on = flags[i + 1] != "off" }
        }
        return on
    }

    /// `--dedup-prefill N`: the index in the new log folder starts with N synthetic messages.
    func prefillIndex(_ server: ServerProcess, count: Int) throws {
        var dedupOptions = DedupOptions()
        if let capacity = options.dedupCapacity { dedupOptions.capacity = capacity }
        guard count <= dedupOptions.capacity else {
            throw SetupError(description: "--dedup-prefill \(count): more than the index's capacity \(dedupOptions.capacity)")
        }
        progress("putting \(count) synthetic messages in the duplicate index")
        let start = Date()
        try DuplicateIndex.prefill(directory: server.logDirectory.path, options: dedupOptions, count: count,
                                   seed: seed, receivedAt: Int64(Date().timeIntervalSince1970 * 1e9))
        progress("prefilled in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    func payloadSettings() throws -> PayloadSettings {
        var fileBody: [UInt8] = []
        if case .file(let path) = options.payload {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw SetupError(description: "--payload-file: cannot read \(path)")
            }
            fileBody = [UInt8](data)
            guard !fileBody.isEmpty else { throw SetupError(description: "--payload-file: \(path) is empty") }
        }
        let nowTicks = Int64(Date().timeIntervalSince1970 * 10_000_000)
        var settings = PayloadSettings(kind: options.payload, documentSize: options.documentSize, seed: seed,
                                       baseTicks: nowTicks, fileBody: fileBody)
        settings.recipients = options.recipients
        settings.accountHeader = options.accountId.map { Array($0.utf8) }
        return settings
    }

    /// Average request size over a sample (a few envelopes' worth), to size the pool.
    static func averageRequestBytes(settings: PayloadSettings, target: TargetURL, signer: RequestSigner) -> Double {
        let sample = settings.kind == .documents ? 1 : 200
        let pool = RequestPool(settings: settings, target: RequestTarget(path: target.path, hostHeader: target.hostHeader),
                               signer: signer, forgery: ForgeryPlan(rate: 0, seed: 0), firstIndex: 0, count: sample)
        return Double(pool.arena.count) / Double(sample)
    }

    func makePlans(address: LoopbackAddress, tls: TLSClientContext?) -> [LoadPlan] {
        let connections = PoolSizing.split(options.connections, into: options.threads)
        let messages = options.messages.map { PoolSizing.split($0, into: options.threads) }
        let start = MonotonicClock.now() + 200_000_000
        return (0..<options.threads).map { t in
            let threadRate = options.rate.map { $0 / Double(options.threads) }
            return LoadPlan(address: address, connections: connections[t], pipeline: options.pipeline,
                            duration: options.duration.map { UInt64($0 * 1e9) }, messages: messages?[t],
                            rate: threadRate,
                            firstArrivalOffset: options.rate.map { UInt64(Double(t) * 1e9 / $0) } ?? 0,
                            startTime: start, stallTimeout: UInt64(options.timeout * 1e9), tls: tls)
        }
    }

    func describeRun() -> String {
        let amount = options.messages.map { "\($0) messages" } ?? "\(options.duration ?? 0) s"
        let loop = options.rate.map { "open loop at \($0)/s" } ?? "closed loop"
        let transport = options.tls ? "TLS (session resumption \(options.tlsResume ? "on" : "off"))" : "plain HTTP"
        return "sending \(amount), \(loop), \(options.connections) connections on \(options.threads) thread(s), pipeline \(options.pipeline), "
            + transport + (options.connectionClose ? ", Connection: close on every request" : "")
    }

    func progress(_ text: String) {
        LoadCommand.printError("connect-bench: \(text)")
    }
}

/// Runs `body(0..<count)` on `count` OS threads and returns the results in order.
func parallel<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let slots = (0..<count).map { _ in ResultSlot<T>() }
    let threads = (0..<count).map { t in
        let slot = slots[t]
        // A thread that cannot be created is a setup failure the run cannot continue from.
        return try! OSThread.start(name: "bench-\(t)") { slot.put(body(t)) }
    }
    for thread in threads { thread.join() }
    return slots.map { $0.take() }
}
