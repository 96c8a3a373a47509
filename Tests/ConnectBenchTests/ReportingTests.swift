import BenchSupport
import Foundation
import XCTest

/// Report numbers, JSON shape, failure rules, pool sizing and /proc parsing.
final class ReportingTests: XCTestCase {
    func counters() -> LoadCounters {
        var c = LoadCounters()
        c.startTime = 1_000_000_000
        c.endTime = 3_000_000_000                                  // 2 s
        c.completed = 1000
        c.statusCounts[200] = 900
        c.statusCounts[401] = 100
        c.bodyBytesCompleted = 4_000_000
        for v in 1...1000 as ClosedRange<UInt64> { c.latency.record(v * 1000) }   // 1 us ... 1 ms
        return c
    }

    func testNumbersAndJSON() throws {
        let options = try BenchOptions.parse(["--messages", "1000", "--bad-signature-rate", "0.1"])
        let report = BenchReport.make(command: "connect-bench --messages 1000", options: options, seed: 7, uniqueMessages: 1000,
                                      averageBodyBytes: 4000, requestsSent: 1000, forgedSent: 100, counters: counters())
        XCTAssertEqual(report.seconds, 2, accuracy: 1e-9)
        XCTAssertEqual(report.messagesPerSecond, 500, accuracy: 1e-9)
        XCTAssertEqual(report.acceptedPerSecond, 450, accuracy: 1e-9)
        XCTAssertEqual(report.megabytesPerSecond, 2, accuracy: 1e-9)
        XCTAssertEqual(report.latency.max, 1000)
        XCTAssertGreaterThanOrEqual(report.latency.p50, 500)
        XCTAssertLessThanOrEqual(report.latency.p50, 504)
        XCTAssertTrue(report.passed, "\(report.failures)")
        let object = try JSONSerialization.jsonObject(with: Data(report.jsonText().utf8)) as! [String: Any]
        for key in ["messagesPerSecond", "megabytesPerSecond", "latency", "statuses", "errors", "failures", "seed", "payload"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertEqual((object["statuses"] as! [String: Int])["401"], 100)
        XCTAssertTrue(report.text().contains("p99.9"))
        XCTAssertEqual(try JSONDecoder().decode(BenchReport.self, from: Data(report.jsonText().utf8)), report)
    }

    func testFailuresAreLoud() throws {
        let options = try BenchOptions.parse([])
        var c = counters()
        c.forgedAccepted = 1
        c.genuineUnauthorized = 2
        var report = BenchReport.make(command: "", options: options, seed: 1, uniqueMessages: 1, averageBodyBytes: 1,
                                      requestsSent: 1000, forgedSent: 0, counters: c)
        XCTAssertEqual(report.failures.count, 2)
        var verdict = ExactlyOnceVerdict()
        verdict.missing = 1
        report.logCheck = BenchReport.LogCheck(verdict)
        report.server = BenchReport.Server(binary: "connect-ingest", arguments: [], exitStatus: 1)
        report.refreshFailures()
        XCTAssertEqual(report.failures.count, 4)
        XCTAssertTrue(report.text().contains("FAILED"))
        let nothing = BenchReport.make(command: "", options: options, seed: 1, uniqueMessages: 1, averageBodyBytes: 1,
                                       requestsSent: 0, forgedSent: 0, counters: LoadCounters())
        XCTAssertEqual(nothing.failures, ["no responses at all"])
    }

    func testPoolSizing() {
        XCTAssertEqual(PoolSizing.split(10, into: 3), [4, 3, 3])
        XCTAssertEqual(PoolSizing.split(2, into: 4), [1, 1, 0, 0])
        // Everything fits: exactly what is needed.
        XCTAssertEqual(PoolSizing.messageCount(averageRequestBytes: 700, budgetBytes: 256 << 20, needed: 5000), 5000)
        // Unknown (closed loop for a duration): as many as fit.
        XCTAssertEqual(PoolSizing.messageCount(averageRequestBytes: 1024, budgetBytes: 1 << 20, needed: nil), 1024)
        // More than fits: the budget decides (the pool wraps), never less than one.
        XCTAssertEqual(PoolSizing.messageCount(averageRequestBytes: 1024, budgetBytes: 1 << 20, needed: 1_000_000), 1024)
        XCTAssertEqual(PoolSizing.messageCount(averageRequestBytes: Double(100 << 20), budgetBytes: 1 << 20, needed: nil), 1)
    }

    func testProcStatParsing() {
        let line = "4242 (connect ingest) (x)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 731 269 0 0 20 0 3 0 1000 0 0"
        XCTAssertEqual(ProcStat.cpuTicks(statLine: line), 1000)
        XCTAssertNil(ProcStat.cpuTicks(statLine: "garbage"))
        XCTAssertNotNil(ProcStat.cpuSeconds(pid: getpid()), "this process's own stat is readable")
    }
}
