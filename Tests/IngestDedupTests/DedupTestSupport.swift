import Foundation
import IngestDedup
import IngestLog
import IngestTestSupport
import Synchronization

/// A log as the index sees it, held in memory: the records a server would have committed.
final class FakeLog: IndexedLog, @unchecked Sendable {
    var records: [LoggedIdentity] = []
    var nextSequence: UInt64 = 0
    var unsettledFrom: UInt64 = 0

    func firstSequence(receivedAtOrAfter time: Int64) throws -> UInt64 {
        records.first { $0.receivedAtNanoseconds >= time }?.sequence ?? nextSequence
    }

    func forEachIdentity(from sequence: UInt64, _ body: (LoggedIdentity) throws -> Void) throws {
        for record in records where record.sequence >= sequence { try body(record) }
    }

    /// Commits a message the way the log does: asks the index, then records the verdict.
    @discardableResult
    func commit(_ id: MessageID, at time: Int64, to index: DuplicateIndex) -> UInt64? {
        let sequence = nextSequence
        nextSequence += 1
        let firstCopy = index.firstCopy(of: id, sequence: sequence, receivedAtNanoseconds: time)
        records.append(LoggedIdentity(sequence: sequence, receivedAtNanoseconds: time, messageId: id, duplicateOf: firstCopy))
        return firstCopy
    }

    /// Drops records (as recovery voids reservations a crash left unpublished).
    func void(_ sequences: Set<UInt64>) {
        records.removeAll { sequences.contains($0.sequence) }
    }
}

/// A wall clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let now = Atomic<Int64>(0)
    init(_ start: Int64) { now.store(start, ordering: .relaxed) }
    var time: Int64 {
        get { now.load(ordering: .relaxed) }
        set { now.store(newValue, ordering: .relaxed) }
    }
    var closure: @Sendable () -> Int64 { { [self] in self.time } }
}

enum DedupTest {
    static let day: Int64 = 86_400 * 1_000_000_000
    static let hour: Int64 = 3600 * 1_000_000_000
    /// 2027-01-15T08:00:00Z: the tests' day 0.
    static let start: Int64 = 1_800_000_000 * 1_000_000_000
    static let boot = BootIdentity(high: 0xB007, low: 1)

    static func directory(_ name: String) throws -> String {
        try ProjectPaths.temporaryDirectory("dedup-\(name)").path
    }

    static func remove(_ directory: String) { try? FileManager.default.removeItem(atPath: directory) }

    static func index(_ directory: String, capacity: Int = 4096, windowDays: Int64 = 15, clock: TestClock,
                      boot: BootIdentity? = DedupTest.boot) -> DuplicateIndex {
        DuplicateIndex(directory: directory, options: DedupOptions(capacity: capacity, windowNanoseconds: windowDays * day),
                       clock: clock.closure, bootIdentity: { boot })
    }

    /// Random ids from a seed (stand-ins for BLAKE2b outputs).
    static func ids(_ count: Int, seed: UInt64) -> [MessageID] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in MessageID(high: random.next(), low: random.next()) }
    }
}
