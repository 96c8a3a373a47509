#if canImport(Glibc)
import Glibc
#endif
import IngestDedup
import IngestLog

/// IngestDedup micro-benchmarks: the message id (BLAKE2b-128 of the five identity fields, and of
/// a whole body), and the duplicate index's lookup+insert as the log calls it, with 10 million
/// entries already in a 12-million-capacity index (a 576 MB file under /tmp, deleted afterwards).
/// Every loop checks its answers: new ids must be first copies, repeated ids must name the
/// sequence they were first inserted with.
///
/// Each note also gives the thread's CPU time per operation ("cpu N ns"), which other processes
/// on a shared machine do not inflate the way they inflate wall time.
func runDedupMicro(minimumSeconds: Double) -> [MicroResult] {
    var results: [MicroResult] = []
    results.append(withCPUTime { identityFieldsRun(minimumSeconds: minimumSeconds) })
    for size in [450, 1 << 20] { results.append(withCPUTime { identityBodyRun(size: size, minimumSeconds: minimumSeconds) }) }
    results.append(contentsOf: indexRuns(prefill: 10_000_000, capacity: 12_000_000, minimumSeconds: minimumSeconds))
    return results
}

/// Minor page faults taken by the calling thread so far (`getrusage(RUSAGE_THREAD)`).
private func threadMinorFaults() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(1) /* RUSAGE_THREAD */, &usage)
    return usage.ru_minflt
}

/// CPU time of the calling thread, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
private func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs one benchmark and appends its CPU time per operation to its note (the warm-up call
/// `measure` makes is included, so this slightly overstates).
private func withCPUTime(_ run: () -> MicroResult) -> MicroResult {
    let start = threadCPUNanoseconds()
    var result = run()
    let cpu = Double(threadCPUNanoseconds() - start) / Double(max(1, result.operations))
    result.note += (result.note.isEmpty ? "" : ", ") + "cpu \(Int(cpu.rounded())) ns/op"
    return result
}

private func identityFieldsRun(minimumSeconds: Double) -> MicroResult {
    let account = Array("b5a4b3c2-1111-2222-3333-444455556666".utf8), configuration = Array("10363315".utf8)
    let event = Array("envelope-completed".utf8), envelope = Array("93be49ab-1234-4d6e-9a1b-f752070d71ec".utf8)
    var generated = Array("2022-12-09T18:32:13.2990000Z".utf8)
    var last = MessageID(high: 0, low: 0)
    var distinct = 0
    let batch = 1000
    let timing = account.withUnsafeBytes { a in configuration.withUnsafeBytes { c in event.withUnsafeBytes { e in
        envelope.withUnsafeBytes { v in
            measure(minimumSeconds: minimumSeconds, batch: batch) {
                for n in 0..<batch {
                    generated[20] = UInt8(48 + n % 10)   // a different message each time
                    let id = generated.withUnsafeBytes { g in
                        MessageIdentity.fromFields(accountId: a, configurationId: c, event: e, envelopeId: v, generatedDateTime: g)
                    }
                    if id != last { distinct += 1 }
                    last = id
                }
            }
        }
    } } }
    precondition(distinct == timing.operations + batch, "identity micro: ids repeated")
    return MicroResult(name: "message id, fields form (5 fields, 126 B)", bytesPerOperation: 0,
                       operations: timing.operations, nanoseconds: timing.nanoseconds, note: "BLAKE2b-128, ids all distinct")
}

private func identityBodyRun(size: Int, minimumSeconds: Double) -> MicroResult {
    var body = [UInt8](repeating: 0, count: size)
    for index in body.indices { body[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
    let batch = size > 4096 ? 1 : 500
    var distinct = 0
    var counter = 0
    var last = MessageID(high: 0, low: 0)
    let timing = measure(minimumSeconds: minimumSeconds, batch: batch) {
        for _ in 0..<batch {
            counter += 1
            body[0] = UInt8(truncatingIfNeeded: counter)
            body[1] = UInt8(truncatingIfNeeded: counter >> 8)
            let id = body.withUnsafeBytes { MessageIdentity.fromBody($0, leavingOut: 10..<11) }
            if id != last { distinct += 1 }
            last = id
        }
    }
    precondition(distinct >= timing.operations, "body identity micro: ids repeated")
    return MicroResult(name: "message id, body form \(size == 450 ? "450B" : "1MB")", bytesPerOperation: size,
                       operations: timing.operations, nanoseconds: timing.nanoseconds, note: "BLAKE2b-128")
}

/// The log as the benchmark's index sees it: no records to read (the index is filled by calls),
/// ending at `nextSequence`.
private struct EmptyLog: IndexedLog {
    var nextSequence: UInt64 = 0
    var unsettledFrom: UInt64 { 0 }
    func firstSequence(receivedAtOrAfter time: Int64) throws -> UInt64 { 0 }
    func forEachIdentity(from sequence: UInt64, _ body: (LoggedIdentity) throws -> Void) throws {}
}

/// SplitMix64 ids: stand-ins for BLAKE2b outputs (uniform), reproducible by sequence number.
@inline(__always)
private func benchId(_ n: UInt64) -> MessageID {
    func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    return MessageID(high: mix(n &* 2), low: mix(n &* 2 &+ 1))
}

private func indexRuns(prefill: Int, capacity: Int, minimumSeconds: Double) -> [MicroResult] {
    let directory = "/tmp/connect-bench-dedup-\(getpid())"
    mkdir(directory, 0o755)
    defer {
        unlink(directory + "/dedup.index")
        rmdir(directory)
    }
    let time: Int64 = 1_800_000_000 * 1_000_000_000
    let index = DuplicateIndex(directory: directory, options: DedupOptions(capacity: capacity), clock: { time })
    let loadStart = monotonicNanoseconds()
    do { _ = try index.load(from: EmptyLog()) } catch {
        return [MicroResult(name: "dedup index", bytesPerOperation: 0, operations: 0, nanoseconds: 1, note: "load failed: \(error)")]
    }
    let loadNanoseconds = Double(monotonicNanoseconds() - loadStart)
    var sequence: UInt64 = 0
    let fillStart = monotonicNanoseconds()
    while sequence < UInt64(prefill) {
        precondition(index.firstCopy(of: benchId(sequence), sequence: sequence, receivedAtNanoseconds: time) == nil)
        sequence += 1
    }
    let fillNanoseconds = Double(monotonicNanoseconds() - fillStart)
    // Close and reopen, as a server restarting on this index does (its pages are clean now).
    do { try index.close() } catch {
        return [MicroResult(name: "dedup index", bytesPerOperation: 0, operations: 0, nanoseconds: 1, note: "close failed: \(error)")]
    }
    let reopenStart = monotonicNanoseconds()
    let reopened: DedupLoadReport
    do { reopened = try index.load(from: EmptyLog(nextSequence: sequence)) } catch {
        return [MicroResult(name: "dedup index", bytesPerOperation: 0, operations: 0, nanoseconds: 1, note: "reopen failed: \(error)")]
    }
    let reopenNanoseconds = Double(monotonicNanoseconds() - reopenStart)
    precondition(reopened.rebuiltBecause == nil && reopened.entries == prefill, "dedup micro: reopen \(reopened)")
    var results = [MicroResult(name: "index create+prefault, capacity \(capacity / 1_000_000)M", bytesPerOperation: 0,
                               operations: 1, nanoseconds: loadNanoseconds,
                               note: "\(DedupOptions(capacity: capacity).fileBytes >> 20) MiB file"),
                   MicroResult(name: "index prefill, \(prefill / 1_000_000)M new ids", bytesPerOperation: 0,
                               operations: prefill, nanoseconds: fillNanoseconds, note: "all first copies"),
                   MicroResult(name: "index close+reopen, \(prefill / 1_000_000)M entries", bytesPerOperation: 0,
                               operations: 1, nanoseconds: reopenNanoseconds,
                               note: "reopen (checks every slot, prefaults) \(Int(reopenNanoseconds / 1e6)) ms")]
    let faultsBefore = threadMinorFaults()

    // New ids (each a miss, then an insert), as most messages are. At most 1.5M more so the
    // index stays under capacity (no early expiry inside the timed loop).
    let batch = 1000
    let limit = UInt64(prefill + 1_500_000)
    var firsts = 0
    var timedNew = 0
    let newCPU = threadCPUNanoseconds()
    let newStart = monotonicNanoseconds()
    repeat {
        for _ in 0..<batch {
            if index.firstCopy(of: benchId(sequence), sequence: sequence, receivedAtNanoseconds: time) == nil { firsts += 1 }
            sequence += 1
        }
        timedNew += batch
    } while monotonicNanoseconds() - newStart < UInt64(minimumSeconds * 1e9) && sequence + UInt64(batch) <= limit
    let newIds = (operations: timedNew, nanoseconds: Double(monotonicNanoseconds() - newStart))
    precondition(firsts == timedNew, "dedup micro: \(firsts) first copies of \(timedNew) new ids")
    results.append(MicroResult(name: "lookup+insert, new id, \(prefill / 1_000_000)M entries", bytesPerOperation: 0,
                               operations: newIds.operations, nanoseconds: newIds.nanoseconds,
                               note: "all first copies; \(index.metrics.entries) entries; "
                                   + "cpu \((threadCPUNanoseconds() - newCPU) / UInt64(max(1, timedNew))) ns/op; "
                                   + "\(threadMinorFaults() - faultsBefore) page faults"))

    // Redeliveries: ids inserted earlier, anywhere in the table.
    var random: UInt64 = 0x1234_5678
    var correct = 0
    let duplicatesCPU = threadCPUNanoseconds()
    let duplicates = measure(minimumSeconds: minimumSeconds, batch: batch) {
        for _ in 0..<batch {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let original = (random >> 11) % UInt64(prefill)
            if index.firstCopy(of: benchId(original), sequence: sequence, receivedAtNanoseconds: time) == original { correct += 1 }
            sequence += 1
        }
    }
    precondition(correct == duplicates.operations + batch, "dedup micro: \(correct) right answers of \(duplicates.operations + batch)")
    results.append(MicroResult(name: "lookup, duplicate id, \(prefill / 1_000_000)M entries", bytesPerOperation: 0,
                               operations: duplicates.operations, nanoseconds: duplicates.nanoseconds,
                               note: "all named their first copy; cpu "
                                   + "\((threadCPUNanoseconds() - duplicatesCPU) / UInt64(duplicates.operations + batch)) ns/op"))

    // The same redeliveries with the home slot prefetched 16 messages ahead (what the server does
    // when it computes the id, long before the commit asks).
    correct = 0
    let ahead = 16
    var pending = [UInt64](repeating: 0, count: ahead)
    let prefetchedCPU = threadCPUNanoseconds()
    let prefetched = measure(minimumSeconds: minimumSeconds, batch: batch) {
        for n in 0..<batch {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let upcoming = (random >> 11) % UInt64(prefill)
            index.prefetch(benchId(upcoming))
            let original = pending[n % ahead]
            pending[n % ahead] = upcoming
            if index.firstCopy(of: benchId(original), sequence: sequence, receivedAtNanoseconds: time) == original { correct += 1 }
            sequence += 1
        }
    }
    precondition(correct == prefetched.operations + batch, "dedup micro (prefetch): \(correct) of \(prefetched.operations + batch)")
    results.append(MicroResult(name: "lookup, duplicate id, prefetched, \(prefill / 1_000_000)M", bytesPerOperation: 0,
                               operations: prefetched.operations, nanoseconds: prefetched.nanoseconds,
                               note: "home slot prefetched \(ahead) messages ahead; cpu "
                                   + "\((threadCPUNanoseconds() - prefetchedCPU) / UInt64(prefetched.operations + batch)) ns/op"))
    try? index.close()
    return results
}
