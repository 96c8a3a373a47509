import Foundation
import Synchronization
import XCTest
@testable import IngestLog

extension TestLog {
    /// Appends `bodies` from `threads` appenders at once (thread t stages the t-th run of
    /// `bodies.count / threads` in order, committing after every `commitEvery` records and at the
    /// end) while a follower reads the log from the start; returns once the follower has seen
    /// every record or `followerTimeout` seconds passed, after the log's background work ran.
    /// Returns what the follower read, in the order it read it.
    static func appendConcurrentlyWhileFollowing(log: MessageLog, directory: String, bodies: [[UInt8]], threads: Int,
                                                 commitEvery: Int, followerTimeout: TimeInterval) -> [LogRecord] {
        let perThread = bodies.count / threads
        precondition(perThread * threads == bodies.count, "bodies must split evenly over the threads")
        let followed = Mutex<[LogRecord]>([])
        let follower = Thread {
            guard let reader = try? LogReader(directory: directory) else { return }
            let deadline = Date().addingTimeInterval(followerTimeout)
            var records: [LogRecord] = []
            while records.count < bodies.count && Date() < deadline {
                if let record = try? reader.next() { records.append(record) } else { usleep(200) }
            }
            followed.withLock { $0 = records }
        }
        follower.start()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let appender = log.makeAppender()
            for i in 0..<perThread {
                appender.stage(bodies[thread * perThread + i])
                if i % commitEvery == commitEvery - 1 { _ = try? appender.commit() }
            }
            _ = try? appender.commit()
        }
        while !follower.isFinished { usleep(1000) }
        log.waitForBackgroundWork()
        return followed.withLock { $0 }
    }

    /// What a follower of `appendConcurrentlyWhileFollowing` must have seen, and the files must
    /// hold: the run crossed at least `minimumSegments` segments; the follower saw every record
    /// once, in sequence order, byte-exact; after `log` is closed a fresh read of the files
    /// gives the same bodies and `verify` finds the log clean with every record.
    static func assertFollowedAndStored(_ seen: [LogRecord], expected: [[UInt8]], log: MessageLog, directory: String,
                                        minimumSegments: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertGreaterThanOrEqual(try segments(directory).count, minimumSegments, "the run must cross segments", file: file, line: line)
        XCTAssertEqual(seen.map(\.sequence), Array(0..<UInt64(expected.count)), "the follower saw every record in order",
                       file: file, line: line)
        XCTAssertEqual(Set(seen.map(\.body)), Set(expected), "the follower saw every body byte-exact", file: file, line: line)
        try log.close()

        let reread = try readAll(directory).records
        XCTAssertEqual(reread.map(\.body), seen.map(\.body), file: file, line: line)
        let report = try verifyLog(directory: directory)
        XCTAssertTrue(report.isClean, "verify: \(report)", file: file, line: line)
        XCTAssertEqual(report.records, expected.count, file: file, line: line)
    }
}
