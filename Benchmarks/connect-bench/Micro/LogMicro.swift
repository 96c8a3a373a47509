#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import IngestLog
import Synchronization

/// IngestLog micro-benchmarks: append throughput for 450 B and 4 KB records with 1 and 2 writer
/// threads (32 records per commit, sync none, default 128 MiB segments so roll-overs count),
/// the cost of one commit under sync `batch` (msync of the batch), and crash recovery of a
/// full last segment. Each run uses a fresh directory under /tmp, checks afterwards with
/// `verifyLog` that the log holds exactly the records committed (every checksum), and deletes it.
func runLogMicro(minimumSeconds: Double) -> [MicroResult] {
    var results: [MicroResult] = []
    // Sync cost first, after flushing everyone's dirty pages, so earlier runs' writeback does
    // not queue in front of these msyncs. Baseline: the same commits with sync none.
    sync()
    for threads in [1, 2] {
        results.append(logAppendRun(recordSize: 450, threads: threads, batch: 32, sync: .batch,
                                    minimumSeconds: minimumSeconds, perCommit: true))
    }
    results.append(logAppendRun(recordSize: 450, threads: 1, batch: 1, sync: .batch,
                                minimumSeconds: minimumSeconds, perCommit: true))
    results.append(logAppendRun(recordSize: 450, threads: 1, batch: 32, sync: .none,
                                minimumSeconds: minimumSeconds, perCommit: true))
    for size in [450, 4096, 6400] {
        for threads in [1, 2] {
            results.append(logAppendRun(recordSize: size, threads: threads, batch: 32, sync: .none,
                                        minimumSeconds: minimumSeconds, perCommit: false))
        }
    }
    results.append(logRecoveryRun(megabytes: 64))
    return results
}

/// A body shaped like a small Connect message, `size` bytes.
private func logMicroBody(_ size: Int) -> [UInt8] {
    var body = Array("{\"event\":\"envelope-completed\",\"apiVersion\":\"v2.1\",\"configurationId\":10363315,\"data\":{\"x\":\"".utf8)
    while body.count < size - 4 { body.append(UInt8(97 + body.count % 26)) }
    body += Array("\"}}".utf8)
    return Array(body.prefix(size))
}

private func logMicroDirectory(_ tag: String) -> String {
    "/tmp/connect-bench-log-\(getpid())-\(tag)"
}

private func logMicroRemove(_ directory: String) {
    if let names = try? logMicroEntries(directory) {
        for name in names { unlink(directory + "/" + name) }
    }
    rmdir(directory)
}

private func logMicroEntries(_ directory: String) throws -> [String] {
    guard let stream = opendir(directory) else { return [] }
    defer { closedir(stream) }
    var names: [String] = []
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// `threads` appenders each commit batches of `batch` records for at least `minimumSeconds`.
/// With `perCommit`, an operation is one commit (ns/op = time per commit); else one record.
private func logAppendRun(recordSize: Int, threads: Int, batch: Int, sync: SyncPolicy,
                          minimumSeconds: Double, perCommit: Bool) -> MicroResult {
    let directory = logMicroDirectory("\(recordSize)-\(threads)-\(sync)-\(batch)")
    logMicroRemove(directory)
    defer { logMicroRemove(directory) }
    let name = "log \(perCommit ? "commit" : "append") \(recordSize == 4096 ? "4KB" : recordSize == 6400 ? "6.4KB" : "\(recordSize)B") x\(batch)/commit "
        + "\(threads) thread\(threads == 1 ? "" : "s") sync=\(sync)"
    let log: MessageLog
    do { log = try MessageLog.open(directory: directory, options: LogOptions(sync: sync)) } catch {
        return MicroResult(name: name, bytesPerOperation: 0, operations: 0, nanoseconds: 1, note: "open failed: \(error)")
    }
    let body = logMicroBody(recordSize)
    let event = Array("envelope-completed".utf8), configuration = Array("10363315".utf8)
    let envelope = Array("93be49ab-xxxx-xxxx-xxxx-f752070d71ec".utf8), generated = Array("2022-12-09T18:32:13.2990000Z".utf8)
    let limit = UInt64(minimumSeconds * 1e9)
    let total = Atomic<Int>(0)
    let start = monotonicNanoseconds()
    let cpuStart = processCPUNanoseconds()
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        let appender = log.makeAppender()
        var committed = 0
        body.withUnsafeBytes { b in event.withUnsafeBytes { e in configuration.withUnsafeBytes { c in
            envelope.withUnsafeBytes { v in generated.withUnsafeBytes { g in
                let fields = RecordFields(event: e, configurationId: c, envelopeId: v, generatedDateTime: g)
                repeat {
                    for _ in 0..<batch {
                        appender.stage(receivedAtNanoseconds: Int64(committed), flags: [.signatureVerified, .jsonWellFormed],
                                       fields: fields, body: b)
                    }
                    guard let range = try? appender.commit() else { return }
                    committed += range.count
                } while monotonicNanoseconds() - start < limit
            } }
        } } }
        total.add(committed, ordering: .relaxed)
    }
    let elapsed = Double(monotonicNanoseconds() - start)
    try? log.close()
    let cpu = Double(processCPUNanoseconds() - cpuStart)
    let records = total.load(ordering: .relaxed)
    let check: String
    if let report = try? verifyLog(directory: directory), report.records == records, report.isClean {
        check = "verified \(records) records"
    } else {
        check = "VERIFY FAILED"
    }
    blackHole(records)
    let operations = perCommit ? records / batch : records
    var note = check
    if perCommit {
        note += ", " + logMicroFixed(elapsed / Double(max(1, operations)) / 1000, 1) + " us/commit"
    } else {
        let perSecond = Double(records) / (elapsed / 1e9)
        let gigabytes = Double(records * recordSize) / elapsed
        note += ", " + logMicroFixed(perSecond, 0) + " records/s, " + logMicroFixed(gigabytes, 2) + " GB/s, "
            + logMicroFixed(cpu / Double(max(1, records)) / 1000, 2) + " us CPU/record (all threads, close included)"
    }
    return MicroResult(name: name, bytesPerOperation: perCommit ? recordSize * batch : recordSize,
                       operations: operations, nanoseconds: elapsed, note: note)
}

/// Fills `megabytes` of 450 B records, drops the log without closing it (as a crash would:
/// the segment is neither sealed nor settled), and times the reopen, which walks the last
/// segment record by record and checks that the rest of its 128 MiB is zero.
private func logRecoveryRun(megabytes: Int) -> MicroResult {
    let directory = logMicroDirectory("recovery")
    logMicroRemove(directory)
    defer { logMicroRemove(directory) }
    let name = "log recovery after crash, \(megabytes) MiB of 450B records in a 128 MiB segment"
    let body = logMicroBody(450)
    var written = 0
    do {
        let log = try MessageLog.open(directory: directory, options: LogOptions(sync: .none))
        let appender = log.makeAppender()
        body.withUnsafeBytes { b in
            while written * 512 < megabytes << 20 {
                for _ in 0..<64 { appender.stage(receivedAtNanoseconds: 0, flags: [], fields: .none, body: b) }
                written += (try? appender.commit())?.count ?? 0
            }
        }
    } catch {
        return MicroResult(name: name, bytesPerOperation: 0, operations: 0, nanoseconds: 1, note: "failed: \(error)")
    }
    let start = monotonicNanoseconds()
    guard let log = try? MessageLog.open(directory: directory, options: LogOptions(sync: .none)) else {
        return MicroResult(name: name, bytesPerOperation: 0, operations: 0, nanoseconds: 1, note: "reopen failed")
    }
    let elapsed = Double(monotonicNanoseconds() - start)
    let report = log.recoveryReport
    try? log.close()
    let ok = report.records == written && report.nextSequence == UInt64(written)
    return MicroResult(name: name, bytesPerOperation: megabytes << 20, operations: 1, nanoseconds: elapsed,
                       note: (ok ? "checked \(written) records" : "MISMATCH \(report)") + ", " + logMicroFixed(elapsed / 1e6, 1) + " ms")
}

/// `value` with `digits` decimals (no Foundation here).
private func logMicroFixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((value * scale).rounded())
    if digits == 0 { return String(scaled) }
    let whole = scaled / Int64(scale), fraction = String(abs(scaled) % Int64(scale))
    return "\(whole)." + String(repeating: "0", count: digits - fraction.count) + fraction
}
