import IngestDedup
import IngestLog
import IngestSystem

/// Opening the log and, with `--dedup flag`, its duplicate index, in the order the index needs:
/// where a crash may have left unfinished work is read before the log's recovery settles it; the
/// log opens (recovery) with the index installed; the index then catches up with the log (or is
/// rebuilt from it) before any commit. One `dedup_index` line says what happened and how long it
/// took.
enum LogStartup {
    static func open(_ configuration: ServerConfiguration, operatorLog: OperatorLog) throws -> (MessageLog, DuplicateIndex?) {
        let directory = configuration.logDirectory
        func failure(_ error: any Error) -> ServerStartError {
            ServerStartError(description: "cannot open the log in \(directory): \(error)")
        }
        var index: DuplicateIndex? = nil
        var unsettled: UInt64 = 0
        if configuration.dedup == .flag {
            do { unsettled = try LogDirectoryInfo.unsettledFrom(directory: directory) } catch { throw failure(error) }
            let offset = configuration.testClockOffsetNanoseconds
            index = DuplicateIndex(directory: directory, options: configuration.dedupOptions,
                                   clock: { Clock.wallNanoseconds() &+ offset })
        }
        let log: MessageLog
        do {
            log = try MessageLog.open(directory: directory, options: configuration.logOptions, duplicateDetector: index)
        } catch {
            throw failure(error)
        }
        operatorLog.info("log_opened", [("dir", directory), ("recovery", "\(log.recoveryReport)")])
        guard let index else { return (log, nil) }
        do {
            let report = try index.load(from: OpenedLog(log: log, unsettledFrom: unsettled))
            let fields: [(String, String)] = [("index", index.path), ("what", "\(report)"),
                                              ("entries", "\(report.entries)"), ("capacity", "\(report.capacity)"),
                                              ("milliseconds", "\(report.nanoseconds / 1_000_000)")]
            if report.isNoteworthy {
                operatorLog.warn("dedup_index", fields)
            } else {
                operatorLog.info("dedup_index", fields)
            }
        } catch {
            try? log.close()
            throw ServerStartError(description: "cannot open the duplicate index in \(directory): \(error)")
        }
        return (log, index)
    }

    /// After the log is closed: makes the index durable and marks it closed cleanly. False (and
    /// a line) if that failed; the next start then checks it against the log.
    static func close(_ index: DuplicateIndex?, operatorLog: OperatorLog) -> Bool {
        guard let index else { return true }
        do {
            try index.close()
            return true
        } catch {
            operatorLog.error("dedup_index_close_failed", [("error", "\(error)")])
            return false
        }
    }
}
