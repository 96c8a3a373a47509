@testable import BenchSupport
import Foundation
import XCTest

/// Generated bodies have real Connect 2.0 shapes, parse as JSON, and are unique.
final class PayloadTests: XCTestCase {
    func bodies(_ kind: PayloadKind, first: Int = 0, count: Int, seed: UInt64 = 1, documentSize: Int = 1 << 20,
                recipients: Int? = nil) -> [[UInt8]] {
        var settings = PayloadSettings(kind: kind, documentSize: documentSize, seed: seed)
        settings.recipients = recipients
        var generator = PayloadGenerator(settings: settings, firstIndex: first)
        var out: [[UInt8]] = []
        var body: [UInt8] = []
        for _ in 0..<count {
            generator.next(into: &body)
            out.append(body)
        }
        return out
    }

    func object(_ body: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(body))
        return try XCTUnwrap(parsed as? [String: Any], file: file, line: line)
    }

    static let timestampPattern = try! NSRegularExpression(pattern: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$"#)

    func checkTopLevel(_ o: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws {
        let event = try XCTUnwrap(o["event"] as? String, file: file, line: line)
        XCTAssertEqual(o["apiVersion"] as? String, "v2.1", file: file, line: line)
        XCTAssertEqual(o["retryCount"] as? Int, 0, file: file, line: line)
        let configuration = try XCTUnwrap(o["configurationId"] as? Int, file: file, line: line)
        XCTAssertTrue(configuration >= 10_000_000 && configuration < 100_000_000, file: file, line: line)
        let generated = try XCTUnwrap(o["generatedDateTime"] as? String, file: file, line: line)
        XCTAssertEqual(Self.timestampPattern.numberOfMatches(in: generated, range: NSRange(generated.startIndex..., in: generated)), 1,
                       generated, file: file, line: line)
        let data = try XCTUnwrap(o["data"] as? [String: Any], file: file, line: line)
        let account = try XCTUnwrap(data["accountId"] as? String, file: file, line: line)
        let envelope = try XCTUnwrap(data["envelopeId"] as? String, file: file, line: line)
        XCTAssertNotNil(UUID(uuidString: envelope), envelope, file: file, line: line)
        XCTAssertNotNil(data["userId"] as? String, file: file, line: line)
        XCTAssertEqual(o["uri"] as? String, "/restapi/v2.1/accounts/\(account)/envelopes/\(envelope)", file: file, line: line)
        if event.hasPrefix("recipient-") {
            XCTAssertNotNil(data["recipientId"] as? String, "recipient events carry data.recipientId", file: file, line: line)
        } else {
            XCTAssertNil(data["recipientId"], file: file, line: line)
        }
        if let summary = data["envelopeSummary"] as? [String: Any] {
            XCTAssertEqual(summary["envelopeId"] as? String, envelope, file: file, line: line)
            XCTAssertTrue(summary["anySigner"] is NSNull, file: file, line: line)
            let recipients = try XCTUnwrap(summary["recipients"] as? [String: Any], file: file, line: line)
            let signers = try XCTUnwrap(recipients["signers"] as? [[String: Any]], file: file, line: line)
            XCTAssertEqual(recipients["recipientCount"] as? String, String(signers.count), file: file, line: line)
            XCTAssertNotNil(summary["envelopeDocuments"] as? [[String: Any]], file: file, line: line)
        }
    }

    func testSmallBodiesAreBareEventsOfAbout450Bytes() throws {
        let all = bodies(.small, count: 300)
        for body in all {
            let o = try object(body)
            try checkTopLevel(o)
            XCTAssertNil((o["data"] as! [String: Any])["envelopeSummary"])
        }
        let average = Double(all.map(\.count).reduce(0, +)) / Double(all.count)
        XCTAssertTrue(average > 380 && average < 520, "average small body \(average) B")
    }

    func testSummaryBodiesCarryTheEnvelopeSummaryAndAreAbout4KB() throws {
        let all = bodies(.summary, count: 100)
        for body in all {
            let o = try object(body)
            try checkTopLevel(o)
            XCTAssertNotNil((o["data"] as! [String: Any])["envelopeSummary"])
        }
        let average = Double(all.map(\.count).reduce(0, +)) / Double(all.count)
        XCTAssertTrue(average > 3000 && average < 6500, "average summary body \(average) B")
    }

    /// `--recipients 6`: every summary lists six signers, and bodies average about 6.4 KB (the
    /// perf suite's envelope-summary case).
    func testFixedRecipientsMakeSixSignerSummariesOfAbout6KB() throws {
        let all = bodies(.summary, count: 60, recipients: 6)
        for body in all {
            let o = try object(body)
            try checkTopLevel(o)
            let summary = (o["data"] as! [String: Any])["envelopeSummary"] as! [String: Any]
            let signers = (summary["recipients"] as! [String: Any])["signers"] as! [Any]
            XCTAssertEqual(signers.count, 6)
        }
        let average = Double(all.map(\.count).reduce(0, +)) / Double(all.count)
        XCTAssertTrue(average > 5800 && average < 7000, "average six-signer summary body \(average) B")
    }

    /// Per envelope: envelope-sent, then sent/delivered/completed per recipient, then
    /// envelope-completed; summaries for some envelopes only, all or none within one envelope.
    func testMixFollowsEachEnvelopesEventOrder() throws {
        var byEnvelope: [String: [(event: String, recipient: String?, summary: Bool)]] = [:]
        var order: [String] = []
        for body in bodies(.mix, count: 2000) {
            let o = try object(body)
            try checkTopLevel(o)
            let data = o["data"] as! [String: Any]
            let envelope = data["envelopeId"] as! String
            if byEnvelope[envelope] == nil { order.append(envelope) }
            byEnvelope[envelope, default: []].append((o["event"] as! String, data["recipientId"] as? String, data["envelopeSummary"] != nil))
        }
        var withSummary = 0
        for envelope in order.dropLast() {                        // the last one may be cut short
            let events = byEnvelope[envelope]!
            let recipients = (events.count - 2) / 3
            XCTAssertEqual(events.count, 2 + 3 * recipients)
            var expected = ["envelope-sent"]
            for r in 1...recipients {
                expected += ["recipient-sent:\(r)", "recipient-delivered:\(r)", "recipient-completed:\(r)"]
            }
            expected.append("envelope-completed")
            let actual = events.map { e in e.recipient.map { r in "\(e.event):\(r)" } ?? e.event }
            XCTAssertEqual(actual, expected, envelope)
            XCTAssertEqual(Set(events.map(\.summary)).count, 1, "summary all or nothing within \(envelope)")
            if events[0].summary { withSummary += 1 }
        }
        let fraction = Double(withSummary) / Double(order.count - 1)
        XCTAssertTrue(fraction > 0.1 && fraction < 0.45, "fraction of envelopes with summaries: \(fraction)")
    }

    func testDocumentBodiesHaveTheRequestedSizeAndABase64PDF() throws {
        let size = 256 * 1024
        for body in bodies(.documents, count: 3, documentSize: size) {
            XCTAssertTrue(abs(body.count - size) < 64, "body \(body.count) B for document size \(size)")
            let o = try object(body)
            try checkTopLevel(o)
            XCTAssertEqual(o["event"] as? String, "envelope-completed")
            let summary = (o["data"] as! [String: Any])["envelopeSummary"] as! [String: Any]
            let documents = summary["envelopeDocuments"] as! [[String: Any]]
            let pdf = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(documents[0]["PDFBytes"] as? String)))
            XCTAssertEqual(Array(pdf.prefix(8)), Array("%PDF-1.7".utf8))
            XCTAssertEqual(Array(pdf.suffix(6)), Array("%%EOF\n".utf8))
        }
    }

    /// Two slices (as two client threads generate them) never produce the same body or the same
    /// (envelope, event, recipient); generatedDateTime increases with the global index.
    func testBodiesAndIdentifiersAreUniqueAcrossSlicesAndTimestampsIncrease() throws {
        for kind in [PayloadKind.small, .mix] {
            let all = bodies(kind, first: 0, count: 1500) + bodies(kind, first: 1500, count: 1500)
            XCTAssertEqual(Set(all).count, all.count, "\(kind): duplicate bodies")
            var keys = Set<String>()
            var previous = ""
            var recipientGuids = Set<String>()
            for body in all {
                let o = try object(body)
                let data = o["data"] as! [String: Any]
                let key = "\(data["envelopeId"]!)|\(o["event"]!)|\(data["recipientId"] ?? "-")"
                XCTAssertTrue(keys.insert(key).inserted, "\(kind): repeated \(key)")
                let generated = o["generatedDateTime"] as! String
                XCTAssertTrue(generated > previous, "\(kind): \(generated) not after \(previous)")
                previous = generated
                if let summary = data["envelopeSummary"] as? [String: Any], o["event"] as? String == "envelope-sent" {
                    let signers = (summary["recipients"] as! [String: Any])["signers"] as! [[String: Any]]
                    for s in signers { XCTAssertTrue(recipientGuids.insert(s["recipientIdGuid"] as! String).inserted) }
                }
            }
        }
    }

    func testSameSeedSameBytesOtherSeedOtherIdentifiers() {
        XCTAssertEqual(bodies(.mix, count: 50, seed: 5), bodies(.mix, count: 50, seed: 5))
        let a = bodies(.small, count: 20, seed: 5), b = bodies(.small, count: 20, seed: 6)
        XCTAssertTrue(Set(a).isDisjoint(with: Set(b)))
    }

    func testUUIDsAreUniqueAndWellFormed() {
        var seen = Set<[UInt8]>()
        for serial in 0..<50_000 as Range<UInt64> {
            let id = ConnectIdentifiers.uuid(serial: serial, namespace: 7, seed: 99)
            XCTAssertTrue(seen.insert(id).inserted, "serial \(serial)")
            if serial % 997 == 0 {
                let text = String(decoding: id, as: UTF8.self)
                XCTAssertNotNil(UUID(uuidString: text), text)
                XCTAssertEqual(Array(id)[14], UInt8(ascii: "4"))
                XCTAssertTrue("89ab".utf8.contains(Array(id)[19]), text)
            }
        }
        XCTAssertNotEqual(ConnectIdentifiers.uuid(serial: 1, namespace: 7, seed: 99), ConnectIdentifiers.uuid(serial: 1, namespace: 8, seed: 99))
    }

    func testTimestampsFormatCivilUTC() {
        func text(_ ticks: Int64) -> String { String(decoding: ConnectIdentifiers.timestamp(ticks: ticks), as: UTF8.self) }
        let gle = ConnectIdentifiers.ticks(year: 2022, month: 12, day: 9, hour: 18, minute: 32, second: 13) + 2_990_000
        XCTAssertEqual(text(gle), "2022-12-09T18:32:13.2990000Z")
        XCTAssertEqual(text(0), "1970-01-01T00:00:00.0000000Z")
        XCTAssertEqual(text(ConnectIdentifiers.ticks(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59) + 9_999_999),
                       "2024-02-29T23:59:59.9999999Z")
        XCTAssertEqual(text(ConnectIdentifiers.ticks(year: 2100, month: 3, day: 1)), "2100-03-01T00:00:00.0000000Z")
        // Round trip over ~300 years of days.
        for days in stride(from: 0, to: 110_000, by: 7) {
            let (y, m, d) = ConnectIdentifiers.civilFromDays(days)
            XCTAssertEqual(ConnectIdentifiers.daysFromCivil(year: y, month: m, day: d), days)
        }
    }

    func testFilePayloadIsSentAsIs() throws {
        let body = try TestCorpus.bytes("envelope-completed.v2.min.GLE.json")
        var generator = PayloadGenerator(settings: PayloadSettings(kind: .file(path: "x"), seed: 1, fileBody: body), firstIndex: 0)
        var out: [UInt8] = []
        generator.next(into: &out)
        XCTAssertEqual(out, body)
        generator.next(into: &out)
        XCTAssertEqual(out, body)
    }
}
