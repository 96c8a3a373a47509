import Foundation
import IngestDedup
import IngestLog
import IngestTestSupport
import XCTest

/// The index against an in-memory log: first copies and duplicates, persistence, the window with
/// an injected clock, early expiry when full, catch-up, crash recovery, damage, rebuild.
final class DuplicateIndexTests: XCTestCase {
    private var directories: [String] = []
    override func tearDown() { directories.forEach(DedupTest.remove) }

    private func directory(_ name: String) throws -> String {
        let path = try DedupTest.directory(name)
        directories.append(path)
        return path
    }

    private var indexPath: (String) -> String { { $0 + "/dedup.index" } }

    func testFirstCopyThenDuplicatesAcrossRestarts() throws {
        let dir = try directory("basic")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let index = DedupTest.index(dir, clock: clock)
        XCTAssertNil(index.firstCopy(of: MessageID(high: 1, low: 1), sequence: 0, receivedAtNanoseconds: clock.time),
                     "not loaded yet: detects nothing")
        let report = try index.load(from: log)
        XCTAssertEqual(report.rebuiltBecause, "no index file")
        let ids = DedupTest.ids(500, seed: 1)
        for id in ids { XCTAssertNil(log.commit(id, at: clock.time, to: index)) }
        for (n, id) in ids.enumerated() { XCTAssertEqual(log.commit(id, at: clock.time + 1, to: index), UInt64(n)) }
        XCTAssertEqual(index.metrics.duplicates, 500)
        XCTAssertEqual(index.metrics.entries, 500)
        try index.close()
        XCTAssertNil(index.firstCopy(of: ids[0], sequence: 9999, receivedAtNanoseconds: clock.time), "closed: detects nothing")

        let reopened = DedupTest.index(dir, clock: clock)
        let second = try reopened.load(from: log)
        XCTAssertNil(second.rebuiltBecause)
        XCTAssertFalse(second.recoveredAfterCrash)
        XCTAssertEqual(second.recordsApplied, 0, "a clean close leaves nothing to catch up")
        XCTAssertEqual(second.entries, 500)
        for (n, id) in ids.enumerated() { XCTAssertEqual(log.commit(id, at: clock.time + 2, to: reopened), UInt64(n)) }
        XCTAssertNil(log.commit(MessageID(high: 7, low: 7), at: clock.time + 3, to: reopened))
        try reopened.close()
    }

    /// Window 15 days, buckets of one day: an entry lives while its bucket is within 15 of the
    /// current one, so at least 15 days and less than 16.
    func testWindowExpiryWithAnInjectedClock() throws {
        let dir = try directory("window")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let index = DedupTest.index(dir, clock: clock)
        _ = try index.load(from: log)
        let bucketStart = DedupTest.start / DedupTest.day * DedupTest.day
        let id = MessageID(high: 42, low: 42)
        XCTAssertNil(log.commit(id, at: bucketStart + DedupTest.hour, to: index))
        let other = MessageID(high: 43, low: 43)
        XCTAssertNil(log.commit(other, at: bucketStart + 3 * DedupTest.day, to: index))
        // Redeliveries once a day for ten days, then at the edge of the window.
        for day in 1...10 { XCTAssertEqual(log.commit(id, at: bucketStart + Int64(day) * DedupTest.day, to: index), 0) }
        XCTAssertEqual(log.commit(id, at: bucketStart + 16 * DedupTest.day - 1, to: index), 0, "15 days later: still remembered")
        XCTAssertNil(log.commit(id, at: bucketStart + 16 * DedupTest.day, to: index), "in the 17th bucket: forgotten")
        let renewed = log.nextSequence - 1
        XCTAssertEqual(log.commit(id, at: bucketStart + 16 * DedupTest.day + 1, to: index), renewed, "remembered anew")
        XCTAssertEqual(log.commit(other, at: bucketStart + 17 * DedupTest.day, to: index), 1)
        try index.close()

        // Restarting later: the clock at load expires what the window no longer covers.
        clock.time = bucketStart + 19 * DedupTest.day
        let later = DedupTest.index(dir, clock: clock)
        _ = try later.load(from: log)
        XCTAssertNil(log.commit(other, at: clock.time, to: later), "3 + 16 days: gone")
        XCTAssertEqual(log.commit(id, at: clock.time, to: later), renewed)
        try later.close()
    }

    func testFullIndexExpiresTheOldestBucketEarly() throws {
        let dir = try directory("full")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let index = DedupTest.index(dir, capacity: 1024, clock: clock)
        _ = try index.load(from: log)
        let dayOne = DedupTest.ids(600, seed: 11), dayTwo = DedupTest.ids(400, seed: 12), dayThree = DedupTest.ids(100, seed: 13)
        for id in dayOne { log.commit(id, at: DedupTest.start, to: index) }
        for id in dayTwo { log.commit(id, at: DedupTest.start + DedupTest.day, to: index) }
        XCTAssertEqual(index.metrics.earlyExpiries, 0)
        for id in dayThree { log.commit(id, at: DedupTest.start + 2 * DedupTest.day, to: index) }
        let metrics = index.metrics
        XCTAssertEqual(metrics.earlyExpiries, 1, "1100 entries > 1024: the first day's bucket goes")
        XCTAssertEqual(metrics.earlyExpiredEntries, 600)
        XCTAssertEqual(metrics.entries, 500)
        let now = DedupTest.start + 2 * DedupTest.day + 1
        XCTAssertNil(log.commit(dayOne[0], at: now, to: index), "expired early")
        XCTAssertNotNil(log.commit(dayTwo[0], at: now, to: index), "the newer buckets stay")
        XCTAssertNotNil(log.commit(dayThree[99], at: now, to: index))
        try index.close()

        // One bucket alone over capacity: it is closed and expired; newer messages are remembered.
        let flood = DedupTest.ids(1100, seed: 14)
        let reopened = DedupTest.index(dir, capacity: 1024, clock: clock)
        _ = try reopened.load(from: log)
        for id in flood { log.commit(id, at: now + 1, to: reopened) }
        XCTAssertEqual(reopened.metrics.earlyExpiries, 3, "the early-expiry count is kept across restarts")
        XCTAssertNotNil(log.commit(flood[1099], at: now + 2, to: reopened))
        XCTAssertLessThanOrEqual(reopened.metrics.entries, 1024)
        try reopened.close()
    }

    func testRebuildFromTheLogGivesTheSameAnswers() throws {
        let dir = try directory("rebuild")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let index = DedupTest.index(dir, clock: clock)
        _ = try index.load(from: log)
        let ids = DedupTest.ids(300, seed: 21)
        var random = SeededRandom(seed: 22)
        for step in 0..<2000 {
            let time = DedupTest.start + Int64(step) * 20 * DedupTest.hour / 2000 * 10
            log.commit(ids[Int(random.next() % 300)], at: time, to: index)
        }
        clock.time = log.records.last!.receivedAtNanoseconds
        try index.close()
        let answers = try answersOf(dir, log: log, ids: ids, clock: clock)
        try FileManager.default.removeItem(atPath: indexPath(dir))
        let rebuilt = DedupTest.index(dir, clock: clock)
        let report = try rebuilt.load(from: log)
        XCTAssertEqual(report.rebuiltBecause, "no index file")
        XCTAssertGreaterThan(report.recordsApplied, 0)
        try rebuilt.close()
        XCTAssertEqual(try answersOf(dir, log: log, ids: ids, clock: clock), answers)
    }

    /// What the index in `dir` says about each id (without changing it: a copy of the file is asked).
    private func answersOf(_ dir: String, log: FakeLog, ids: [MessageID], clock: TestClock) throws -> [UInt64?] {
        let copy = try directory("answers")
        try FileManager.default.copyItem(atPath: indexPath(dir), toPath: indexPath(copy))
        let probe = DedupTest.index(copy, clock: clock)
        let report = try probe.load(from: log)
        XCTAssertNil(report.rebuiltBecause, "the copy must be reused as it is")
        let answers = ids.enumerated().map { n, id in
            probe.firstCopy(of: id, sequence: log.nextSequence + UInt64(n), receivedAtNanoseconds: clock.time)
        }
        try probe.close()
        return answers
    }

    /// Records committed while the index was not attached (`--dedup off`) are applied at load.
    func testCatchUpAfterALag() throws {
        let dir = try directory("lag")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let index = DedupTest.index(dir, clock: clock)
        _ = try index.load(from: log)
        let early = DedupTest.ids(100, seed: 31), late = DedupTest.ids(100, seed: 32)
        for id in early { log.commit(id, at: clock.time, to: index) }
        try index.close()
        let lagFrom = log.nextSequence
        for id in late + early.prefix(10) {
            log.records.append(LoggedIdentity(sequence: log.nextSequence, receivedAtNanoseconds: clock.time + 1, messageId: id))
            log.nextSequence += 1
        }
        let reopened = DedupTest.index(dir, clock: clock)
        let report = try reopened.load(from: log)
        XCTAssertEqual(report.appliedFrom, lagFrom)
        XCTAssertEqual(report.recordsApplied, 110)
        for (n, id) in late.enumerated() {
            XCTAssertEqual(log.commit(id, at: clock.time + 2, to: reopened), lagFrom + UInt64(n))
        }
        XCTAssertEqual(log.commit(early[3], at: clock.time + 2, to: reopened), 3, "the earliest copy stays the first copy")
        try reopened.close()
    }

    /// kill -9 between the index insertion and the record's publication: recovery voids the
    /// record, so the entry must go; a copy flagged duplicate of the lost one then stands as
    /// the first copy.
    func testEntriesForRecordsTheCrashLostAreRemoved() throws {
        let dir = try directory("crash")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        var index: DuplicateIndex? = DedupTest.index(dir, clock: clock)
        _ = try index!.load(from: log)
        let settled = DedupTest.ids(200, seed: 41), lost = DedupTest.ids(20, seed: 42)
        for id in settled { log.commit(id, at: clock.time, to: index!) }
        log.unsettledFrom = 150
        var lostSequences: Set<UInt64> = []
        for id in lost {
            lostSequences.insert(log.nextSequence)
            log.commit(id, at: clock.time, to: index!)
        }
        let orphan = log.commit(lost[0], at: clock.time, to: index!)   // a copy published, its first copy lost
        XCTAssertEqual(orphan, 200)
        let orphanSequence = log.nextSequence - 1
        index = nil   // no close: the crash
        log.void(lostSequences)

        let restarted = DedupTest.index(dir, clock: clock)
        let report = try restarted.load(from: log)
        XCTAssertNil(report.rebuiltBecause)
        XCTAssertTrue(report.recoveredAfterCrash)
        XCTAssertEqual(report.entriesVerified, 70, "entries at or after the unsettled point")
        XCTAssertEqual(report.entriesRemoved, 20)
        XCTAssertEqual(report.orphanedDuplicates, 1)
        XCTAssertEqual(log.commit(lost[0], at: clock.time + 1, to: restarted), orphanSequence)
        for id in lost.dropFirst() { XCTAssertNil(log.commit(id, at: clock.time + 1, to: restarted), "lost: a new first copy") }
        for (n, id) in settled.enumerated() { XCTAssertEqual(log.commit(id, at: clock.time + 1, to: restarted), UInt64(n)) }
        try restarted.close()
    }

    func testAnIndexLeftOpenByAnEarlierBootIsRebuilt() throws {
        let dir = try directory("reboot")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        var index: DuplicateIndex? = DedupTest.index(dir, clock: clock, boot: BootIdentity(high: 1, low: 1))
        _ = try index!.load(from: log)
        let ids = DedupTest.ids(50, seed: 51)
        for id in ids { log.commit(id, at: clock.time, to: index!) }
        index = nil
        let rebooted = DedupTest.index(dir, clock: clock, boot: BootIdentity(high: 2, low: 2))
        let report = try rebooted.load(from: log)
        XCTAssertNotNil(report.rebuiltBecause)
        XCTAssertTrue(report.rebuiltBecause!.contains("earlier boot"), report.rebuiltBecause!)
        for (n, id) in ids.enumerated() { XCTAssertEqual(log.commit(id, at: clock.time, to: rebooted), UInt64(n)) }
        try rebooted.close()
    }

    /// Damage of every kind after a clean close: the start rebuilds, and answers are unchanged.
    func testDamagedOrMismatchedIndexFilesAreRebuilt() throws {
        let dir = try directory("damage")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let ids = DedupTest.ids(400, seed: 61)
        do {
            let index = DedupTest.index(dir, clock: clock)
            _ = try index.load(from: log)
            for id in ids { log.commit(id, at: clock.time, to: index) }
            try index.close()
        }
        let pristine = try Data(contentsOf: URL(fileURLWithPath: indexPath(dir)))
        let damages: [(String, (inout Data) -> Void, String)] = [
            ("header byte", { $0[20] ^= 0x40 }, "checksum"),
            ("magic", { $0[0] = 0x58 }, "magic"),
            ("state word", { $0[66] ^= 1 }, "state"),
            ("state field", { $0[90] ^= 1 }, "state checksum"),
            ("truncated", { $0 = $0.prefix(8192) }, "bytes"),
            ("slot bytes", { data in for offset in stride(from: 4096, to: data.count, by: 997) { data[offset] ^= 0x5A } }, "damaged slots"),
        ]
        for (name, damage, reason) in damages {
            var bytes = pristine
            damage(&bytes)
            try bytes.write(to: URL(fileURLWithPath: indexPath(dir)))
            let index = DedupTest.index(dir, clock: clock)
            let report = try index.load(from: log)
            XCTAssertTrue(report.rebuiltBecause?.contains(reason) ?? false, "\(name): \(String(describing: report.rebuiltBecause))")
            for (n, id) in ids.enumerated() {
                let answer = index.firstCopy(of: id, sequence: 100_000, receivedAtNanoseconds: clock.time)
                if answer != UInt64(n) { XCTFail("\(name): id \(n) answered \(String(describing: answer))"); break }
            }
            try index.close()
        }
        let bigger = DuplicateIndex(directory: dir, options: DedupOptions(capacity: 8192, windowNanoseconds: 15 * DedupTest.day),
                                    clock: clock.closure, bootIdentity: { DedupTest.boot })
        let report = try bigger.load(from: log)
        XCTAssertTrue(report.rebuiltBecause?.contains("capacity 8192") ?? false, String(describing: report.rebuiltBecause))
        XCTAssertEqual(bigger.firstCopy(of: ids[7], sequence: 100_000, receivedAtNanoseconds: clock.time), 7)
        try bigger.close()
    }

    /// A crash tears at most the one slot being written: that is repaired, not rebuilt.
    func testATornSlotAfterACrashIsRepaired() throws {
        let dir = try directory("torn")
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let ids = DedupTest.ids(1500, seed: 71)
        do {
            let index = DedupTest.index(dir, capacity: 1024, clock: clock)
            _ = try index.load(from: log)
            for id in ids.prefix(1000) { log.commit(id, at: clock.time, to: index) }
            // no close: crash, with every record in settled segments (nothing to re-read)
        }
        log.unsettledFrom = log.nextSequence
        var bytes = try Data(contentsOf: URL(fileURLWithPath: indexPath(dir)))
        var torn = -1
        for slot in 0..<((bytes.count - 4096) / 32) where bytes[4096 + slot * 32 + 24] != 0 {
            // Pick an occupied slot followed by another occupied one (a cluster to re-seat).
            if bytes[4096 + (slot + 1) * 32 + 24] != 0 { torn = slot; break }
        }
        XCTAssertGreaterThanOrEqual(torn, 0)
        bytes[4096 + torn * 32 + 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: indexPath(dir)))
        let restarted = DedupTest.index(dir, capacity: 1024, clock: clock)
        let report = try restarted.load(from: log)
        XCTAssertNil(report.rebuiltBecause)
        XCTAssertEqual(report.tornSlotsRepaired, 1)
        let remembered = ids.prefix(1000).enumerated().filter { n, id in
            restarted.firstCopy(of: id, sequence: 100_000, receivedAtNanoseconds: clock.time) == UInt64(n)
        }.count
        XCTAssertEqual(remembered, 999, "all but the torn slot's entry (in a real crash, that one's record was in flight)")
        try restarted.close()
    }

    /// Many days of random traffic through a small table (heavy expiry, lazy deletion, the
    /// sweep, backward shifts) against a model of the documented semantics, with restarts.
    func testRandomTrafficAgainstAModel() throws {
        let dir = try directory("model")
        let seed: UInt64 = 0xD0D0
        var random = SeededRandom(seed: seed)
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        let pool = DedupTest.ids(6000, seed: seed)
        var index = DedupTest.index(dir, capacity: 4096, clock: clock)
        _ = try index.load(from: log)
        var model: [MessageID: (sequence: UInt64, bucket: Int64)] = [:]
        var time = DedupTest.start
        for step in 0..<30_000 {
            time += Int64(random.next() % UInt64(DedupTest.day / 100))   // ~200 messages a day, ~150 days
            let id = pool[Int(random.next() % UInt64(pool.count))]
            let bucket = time / DedupTest.day
            let expected: UInt64? = model[id].flatMap { bucket - $0.bucket <= 15 ? $0.sequence : nil }
            let actual = log.commit(id, at: time, to: index)
            if actual != expected {
                XCTFail("step \(step), seed \(seed): \(String(describing: actual)) expected \(String(describing: expected))")
                return
            }
            if expected == nil { model[id] = (log.nextSequence - 1, bucket) }
            if step % 5000 == 4999 {
                clock.time = time
                let how = (step / 5000) % 3   // close, crash, or lose the file
                if how != 1 { try index.close() }
                if how == 2 { try FileManager.default.removeItem(atPath: indexPath(dir)) }
                log.unsettledFrom = log.nextSequence - random.next() % 300
                index = DedupTest.index(dir, capacity: 4096, clock: clock)
                let report = try index.load(from: log)
                XCTAssertEqual(report.rebuiltBecause != nil, how == 2, "step \(step): \(report)")
                XCTAssertEqual(report.recoveredAfterCrash, how == 1, "step \(step): \(report)")
            }
        }
        XCTAssertEqual(index.metrics.earlyExpiries, 0, "the model assumes no early expiry")
        XCTAssertLessThan(index.metrics.occupiedSlots, 6144 * 3 / 4, "the sweep keeps dead entries in check")
        try index.close()
    }
}

/// A rebuild whose records all fall in one bucket and overflow the index (a log of 20,000
/// messages received in the same minute, an index for 16,384): the bucket is closed and forgotten
/// early, the rest of the rebuild is skipped as expired, and new messages are then remembered.
final class OverflowingRebuildTests: XCTestCase {
    func testARebuildThatOverflowsInOneBucketLeavesAWorkingIndex() throws {
        let dir = try DedupTest.directory("overflow")
        defer { DedupTest.remove(dir) }
        let clock = TestClock(DedupTest.start)
        let log = FakeLog()
        for (n, id) in DedupTest.ids(20_000, seed: 101).enumerated() {
            log.records.append(LoggedIdentity(sequence: UInt64(2 * n), receivedAtNanoseconds: clock.time, messageId: id))
        }
        log.nextSequence = 40_000
        let index = DedupTest.index(dir, capacity: 16_384, clock: clock)
        let report = try index.load(from: log)
        XCTAssertEqual(report.recordsApplied, 20_000)
        XCTAssertEqual(index.metrics.earlyExpiries, 1)
        let fresh = DedupTest.ids(10_000, seed: 102)
        for id in fresh { XCTAssertNil(log.commit(id, at: clock.time, to: index)) }
        for (n, id) in fresh.enumerated() { XCTAssertEqual(log.commit(id, at: clock.time, to: index), 40_000 + UInt64(n)) }
        XCTAssertLessThanOrEqual(index.metrics.entries, 16_384)
        try index.close()
    }
}
