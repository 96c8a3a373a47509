import BenchSupport
import Foundation
import XCTest

/// The --spawn log check catches every planted fault and accepts what is legitimately there.
final class ExactlyOnceCheckTests: XCTestCase {
    let signer = RequestSigner(key: "check-key=")

    /// 40 requests, a quarter forged; every genuine one answered 200 once, forged ones 401.
    func makeRun() -> (pool: RequestPool, check: ExactlyOnceCheck, stored: [[UInt8]]) {
        let pool = RequestPool(settings: PayloadSettings(kind: .mix, seed: 3),
                               target: RequestTarget(path: "/webhooks/docusign", hostHeader: "127.0.0.1:1"),
                               signer: signer, forgery: ForgeryPlan(rate: 0.25, seed: 3), firstIndex: 0, count: 40)
        var check = ExactlyOnceCheck()
        var stored: [[UInt8]] = []
        for i in 0..<pool.count {
            check.expect(pool.digests[i], index: i, forged: pool.forged[i], sends: 1, oks: pool.forged[i] ? 0 : 1)
            if !pool.forged[i] { stored.append(pool.body(i)) }
        }
        XCTAssertTrue(pool.forged.contains(true) && pool.forged.contains(false))
        return (pool, check, stored)
    }

    func verdict(_ check: ExactlyOnceCheck, reading stored: [[UInt8]]) -> ExactlyOnceVerdict {
        var check = check
        for (n, body) in stored.enumerated() { check.observe(signer.digest(of: body), record: n + 1) }
        return check.verdict()
    }

    func testCleanLogPasses() {
        let run = makeRun()
        let v = verdict(run.check, reading: run.stored.shuffled())
        XCTAssertTrue(v.passed, "\(v)")
        XCTAssertEqual(v.recordsRead, run.stored.count)
        XCTAssertEqual(v.acknowledged, run.stored.count)
    }

    func testMissingRecordIsCaught() {
        var run = makeRun()
        run.stored.remove(at: 7)
        let v = verdict(run.check, reading: run.stored)
        XCTAssertFalse(v.passed)
        XCTAssertEqual(v.missing, 1)
        XCTAssertEqual(v.duplicated + v.forgedStored + v.unexpected, 0)
        XCTAssertTrue(v.examples.first?.contains("in the log 0x") ?? false, "\(v.examples)")
    }

    func testDuplicatedRecordIsCaught() {
        var run = makeRun()
        run.stored.append(run.stored[3])
        let v = verdict(run.check, reading: run.stored)
        XCTAssertFalse(v.passed)
        XCTAssertEqual(v.duplicated, 1)
        XCTAssertEqual(v.missing + v.forgedStored + v.unexpected, 0)
    }

    func testModifiedBodyIsCaughtAsUnexpectedPlusMissing() {
        var run = makeRun()
        run.stored[5][run.stored[5].count / 2] ^= 0x01
        let v = verdict(run.check, reading: run.stored)
        XCTAssertFalse(v.passed)
        XCTAssertEqual(v.unexpected, 1)
        XCTAssertEqual(v.missing, 1)
    }

    func testForgedRecordIsCaught() {
        var run = makeRun()
        let forged = run.pool.forged.firstIndex(of: true)!
        run.stored.append(run.pool.body(forged))
        let v = verdict(run.check, reading: run.stored)
        XCTAssertFalse(v.passed)
        XCTAssertEqual(v.forgedStored, 1)
        XCTAssertEqual(v.missing + v.duplicated + v.unexpected, 0)
    }

    /// A send whose answer was lost (connection broke) may or may not be stored.
    func testUnansweredSendMayBeStoredOnce() {
        var check = ExactlyOnceCheck()
        let a = signer.digest(of: Array("a".utf8)), b = signer.digest(of: Array("b".utf8))
        check.expect(a, index: 0, forged: false, sends: 1, oks: 0)
        check.expect(b, index: 1, forged: false, sends: 1, oks: 0)
        check.observe(a, record: 1)
        let v = check.verdict()
        XCTAssertTrue(v.passed, "\(v)")
        XCTAssertEqual(v.storedWithoutAcknowledgement, 1)
        check.observe(a, record: 2)
        XCTAssertEqual(check.verdict().duplicated, 1)
    }

    /// When the pool wraps, one body is sent several times; each 200 needs its own record.
    func testWrappedPoolCountsPerSend() {
        let body = signer.digest(of: Array("same body".utf8))
        var check = ExactlyOnceCheck()
        check.expect(body, index: 0, forged: false, sends: 3, oks: 2)
        check.observe(body, record: 1)
        XCTAssertEqual(check.verdict().missing, 1)
        check.observe(body, record: 2)
        XCTAssertTrue(check.verdict().passed)
        check.observe(body, record: 3)
        XCTAssertTrue(check.verdict().passed, "third send's answer was lost; storing it is allowed")
        check.observe(body, record: 4)
        XCTAssertEqual(check.verdict().duplicated, 1)
    }

    func testUnreadableRecordFailsTheCheck() {
        var check = ExactlyOnceCheck()
        check.observeUnreadable(record: 1, reason: "noBody")
        XCTAssertFalse(check.verdict().passed)
        XCTAssertEqual(check.verdict().unexpected, 1)
    }
}
