#if canImport(Glibc)
import Glibc
#endif
import IngestLog
import IngestSystem

/// Why `serve` could not start.
public struct ServerStartError: Error, CustomStringConvertible {
    public let description: String
}

/// The listener: opens the log, binds one `SO_REUSEPORT` listening socket per worker, runs one
/// event-loop thread per worker, reloads on SIGHUP, and shuts down on SIGTERM/SIGINT.
///
/// Shutdown: stop accepting (listeners closed), let requests already received finish (up to
/// the request timeout), commit the last batches, close the log, return 0.
public enum Server {
    /// Runs until SIGTERM or SIGINT. `onListening` gets "HOST:PORT" once every worker accepts
    /// (and, with `--plain-port`, `onOperationsListening` the plain listener's address).
    /// On SIGHUP, the components of the reload hook run in order: the credentials (when
    /// `configuration.credentialSources` is set), the TLS certificates (with `--tls-cert`), then
    /// `reloadables`; the listener keeps serving throughout.
    public static func run(_ configuration: ServerConfiguration, operatorLog: OperatorLog,
                           reloadables: [any Reloadable] = [],
                           onOperationsListening: (String) -> Void = { _ in },
                           onListening: (String) -> Void) throws -> Int32 {
        // SIGHUP is blocked and collected by `sigwait` below, so a hang-up reloads (or, with
        // nothing to reload, is ignored) instead of killing the listener mid-flight.
        Signals.block([SIGTERM, SIGINT, SIGHUP])
        let tls = try startTLS(configuration, operatorLog: operatorLog)

        let (log, duplicateIndex) = try LogStartup.open(configuration, operatorLog: operatorLog)

        guard var address = SocketAddress(host: configuration.host, port: configuration.port) else {
            throw ServerStartError(description: "--host \(configuration.host) is not a numeric IPv4 or IPv6 address")
        }
        var listeners: [FileDescriptor] = []
        do {
            let first = try Socket.listen(on: address, reusePort: true)
            listeners.append(first)
            address = try Socket.localAddress(first)
            for _ in 1..<max(1, configuration.workers) {
                listeners.append(try Socket.listen(on: address, reusePort: true))
            }
        } catch {
            for l in listeners { l.close() }
            throw ServerStartError(description: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        let (operationsListeners, operationsAddress) = try operationsListeners(configuration, count: listeners.count)

        // Test hook: while the named file exists, group-sync rounds wait (a stalled log writer).
        let groupSync = configuration.logOptions.sync == .batch
            ? try GroupSync(log: log, operatorLog: operatorLog, stallHookFile: configuration.testStallHookFile,
                            workers: listeners.count)
            : nil
        let state = ServerState(configuration: configuration, log: log, operatorLog: operatorLog,
                                workerCount: listeners.count, groupSync: groupSync, tls: tls,
                                duplicateIndex: duplicateIndex)
        ReadinessCheck.update(state)
        operatorLog.info("credentials_loaded", [("generation", "1")] + configuration.credentials.summary)
        let reloadHook = ReloadHook()
        if let sources = configuration.credentialSources {
            reloadHook.register(CredentialsReloader(sources: sources, store: state.credentialStore))
        }
        if let tls { reloadHook.register(tls) }
        for component in reloadables { reloadHook.register(component) }
        var workers: [Worker] = []
        var threads: [OSThread] = []
        do {
            for (index, listener) in listeners.enumerated() {
                workers.append(try Worker(index: index, state: state, listener: listener,
                                          operationsListener: index < operationsListeners.count ? operationsListeners[index] : nil))
            }
            try groupSync?.start(waking: workers.map(\.loop))
            for worker in workers {
                threads.append(try OSThread.start(name: "ingest-w\(worker.index)") { worker.run() })
            }
        } catch {
            throw ServerStartError(description: "cannot start workers: \(error)")
        }

        onListening(address.description)
        if let operationsAddress { onOperationsListening(operationsAddress.description) }
        operatorLog.info("listening", [("address", address.description), ("workers", "\(workers.count)"),
                                       ("path", configuration.webhookPath), ("sync", "\(configuration.logOptions.sync)"),
                                       ("keys", "\(configuration.keys.count)"),
                                       ("transport", tls.map { "tls (\($0.modeDescription))" } ?? "plain")]
                                      + (operationsAddress.map { [("plain_operations_address", $0.description)] } ?? []))

        var received = Signals.wait(for: [SIGTERM, SIGINT, SIGHUP])
        while received == SIGHUP {
            if reloadHook.componentNames.isEmpty {
                operatorLog.info("reload_ignored", [("reason", "SIGHUP: nothing to reload")])
            } else {
                operatorLog.info("reload_requested", [("signal", "SIGHUP"), ("components", reloadHook.componentNames.joined(separator: ","))])
                reloadHook.runAll(operatorLog: operatorLog)
            }
            received = Signals.wait(for: [SIGTERM, SIGINT, SIGHUP])
        }
        operatorLog.info("shutting_down", [("signal", received == SIGTERM ? "SIGTERM" : "SIGINT")])
        state.stopping.store(true, ordering: .releasing)
        for worker in workers { worker.requestStop() }
        for thread in threads { thread.join() }
        groupSync?.stop()
        do {
            try log.close()
        } catch {
            operatorLog.error("log_close_failed", [("error", "\(error)")])
            return 1
        }
        if !LogStartup.close(duplicateIndex, operatorLog: operatorLog) { return 1 }
        operatorLog.info("stopped")
        return 0
    }
}
