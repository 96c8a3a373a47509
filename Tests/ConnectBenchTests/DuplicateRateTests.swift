import BenchSupport
import Foundation
import XCTest

/// `--duplicate-rate`: redeliveries are generated as DocuSign sends them, and the log check of
/// message ids and duplicate marks catches every planted fault.
final class DuplicateRateTests: XCTestCase {
    let signer = RequestSigner(key: "dup-key=")

    private func pool(rate: Double, count: Int = 400) -> RequestPool {
        RequestPool(settings: PayloadSettings(kind: .small, seed: 9),
                    target: RequestTarget(path: "/webhooks/docusign", hostHeader: "127.0.0.1:1"),
                    signer: signer, forgery: ForgeryPlan(rate: 0, seed: 9), firstIndex: 1000, count: count,
                    duplicates: DuplicatePlan(rate: rate, seed: 9))
    }

    private func retryCount(_ body: [UInt8]) -> Int {
        let text = String(decoding: body, as: UTF8.self)
        let range = text.range(of: #""retryCount":\d+"#, options: .regularExpression)!
        return Int(text[range].split(separator: ":")[1])!
    }

    private func withoutRetryCount(_ body: [UInt8]) -> String {
        String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""retryCount":\d+"#, with: "", options: .regularExpression)
    }

    func testRedeliveriesDifferOnlyInAGrowingRetryCount() {
        let p = pool(rate: 0.3)
        var lastRetry: [Int: Int] = [:]
        var redeliveries = 0
        for i in 0..<p.count {
            let body = p.body(i)
            let message = p.messages[i]
            if message == p.firstIndex + i {
                XCTAssertEqual(retryCount(body), 0, "a first delivery")
                lastRetry[message] = 0
            } else {
                redeliveries += 1
                XCTAssertLessThan(message, p.firstIndex + i)
                XCTAssertGreaterThanOrEqual(message, p.firstIndex)
                XCTAssertEqual(withoutRetryCount(body), withoutRetryCount(p.body(message - p.firstIndex)), "same message")
                XCTAssertEqual(retryCount(body), lastRetry[message]! + 1, "retryCount one higher each time")
                lastRetry[message] = retryCount(body)
            }
        }
        XCTAssertEqual(Double(redeliveries) / Double(p.count), 0.3, accuracy: 0.08)
        XCTAssertEqual(Set((0..<p.count).map { p.digests[$0] }).count, p.count, "every body is distinct")
        XCTAssertEqual(pool(rate: 0).messages, Array(1000..<1400), "rate 0: no redeliveries")
    }

    func testLoggedCopyReadsTheReaderLine() {
        let line = #"{"seq":42,"receivedAt":"2026-01-01T00:00:00Z","event":"a \"messageId\":7","configurationId":"1","envelopeId":null,"generatedDateTime":null,"accountId":null,"format":"json","messageId":"0123456789abcdef0123456789abcdef","duplicateOf":17,"flags":["duplicate"],"body":"{}"}"#
        XCTAssertEqual(LoggedCopy.parse(line: Array(line.utf8)),
                       LoggedCopy(sequence: 42, messageId: "0123456789abcdef0123456789abcdef", duplicateOf: 17))
        let first = #"{"seq":7,"messageId":null,"duplicateOf":null,"flags":[],"body":"x"}"#
        XCTAssertEqual(LoggedCopy.parse(line: Array(first.utf8)), LoggedCopy(sequence: 7, messageId: nil, duplicateOf: nil))
        let reordered = #"{"duplicateOf":3,"messageId":"ab","seq":9}"#   // not the reader's order: Foundation path
        XCTAssertEqual(LoggedCopy.parse(line: Array(reordered.utf8)), LoggedCopy(sequence: 9, messageId: "ab", duplicateOf: 3))
    }

    /// A log as a correct server writes it: ids per message, the first stored copy unflagged.
    private func correctLog(_ p: RequestPool) -> [(BodyDigest, LoggedCopy)] {
        var firstSequence: [Int: UInt64] = [:]
        return (0..<p.count).map { i in
            let message = p.messages[i]
            let sequence = UInt64(i)
            let id = String(format: "%032x", message)
            if let first = firstSequence[message] {
                return (p.digests[i], LoggedCopy(sequence: sequence, messageId: id, duplicateOf: first))
            }
            firstSequence[message] = sequence
            return (p.digests[i], LoggedCopy(sequence: sequence, messageId: id, duplicateOf: nil))
        }
    }

    private func verdict(_ p: RequestPool, _ log: [(BodyDigest, LoggedCopy)], dedupOn: Bool = true,
                         forgotEarly: Bool = false) -> DuplicateFlagVerdict {
        var check = DuplicateFlagCheck(dedupOn: dedupOn)
        for i in 0..<p.count { check.expect(p.digests[i], message: p.messages[i]) }
        for (digest, copy) in log { check.observe(digest, copy: copy) }
        return check.verdict(indexForgotEarly: forgotEarly)
    }

    func testTheCheckPassesACorrectLogAndCatchesEachFault() {
        let p = pool(rate: 0.3)
        let log = correctLog(p)
        let clean = verdict(p, log)
        XCTAssertTrue(clean.passed, "\(clean)")
        XCTAssertEqual(clean.flagged, (0..<p.count).filter { p.messages[$0] != p.firstIndex + $0 }.count)
        let redelivered = log.indices.first { log[$0].1.duplicateOf != nil }!

        var unflagged = log
        unflagged[redelivered].1.duplicateOf = nil
        XCTAssertEqual(verdict(p, unflagged).flagErrors, 1, "a redelivery not flagged")

        var wrongFirst = log
        wrongFirst[redelivered].1.duplicateOf = 999_999
        XCTAssertEqual(verdict(p, wrongFirst).flagErrors, 1, "duplicateOf naming another record")

        var flaggedFirst = log
        let firstCopy = log.firstIndex { $0.1.sequence == log[redelivered].1.duplicateOf! }!
        flaggedFirst[firstCopy].1.duplicateOf = 5
        XCTAssertEqual(verdict(p, flaggedFirst).flagErrors, 1, "no unflagged copy")

        var splitId = log
        splitId[redelivered].1.messageId = String(repeating: "f", count: 32)
        XCTAssertEqual(verdict(p, splitId).identityErrors, 1, "copies of one message with two ids")

        var sharedId = log
        sharedId[0].1.messageId = sharedId[1].1.messageId
        XCTAssertGreaterThanOrEqual(verdict(p, sharedId).identityErrors, 1, "two messages with one id")

        let messagesWithFlags = Set(log.filter { $0.1.duplicateOf != nil }.map { digest, _ in
            p.messages[p.digests.firstIndex(of: digest)!]
        })
        XCTAssertEqual(verdict(p, log, dedupOn: false).flagErrors, messagesWithFlags.count,
                       "with --dedup off, every message with a flagged copy is an error")
        XCTAssertTrue(verdict(p, log.filter { $0.1.duplicateOf == nil }, dedupOn: false).passed)

        let noIds = log.map { ($0.0, LoggedCopy(sequence: $0.1.sequence, messageId: nil, duplicateOf: nil)) }
        XCTAssertTrue(verdict(p, noIds).notApplicable, "a server from before message ids")
        var oneMissing = log
        oneMissing[0].1.messageId = nil
        XCTAssertGreaterThanOrEqual(verdict(p, oneMissing).identityErrors, 1, "one record without an id is an error")

        var forgotten = log
        forgotten[redelivered].1.duplicateOf = nil
        let lenient = verdict(p, forgotten, forgotEarly: true)
        XCTAssertTrue(lenient.passed, "after dedup_index_full a message may be stored unflagged twice")
        XCTAssertEqual(lenient.forgottenEarly, 1)
    }
}
