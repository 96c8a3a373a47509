import IngestLog
import IngestNATS
import IngestShip
import IngestTestSupport
import XCTest

/// The subject template, its sanitising rule, and the header block of a shipped record.
final class SubjectAndHeaderTests: XCTestCase {
    func record(event: String? = "envelope-completed", configurationId: String? = "10363315",
                accountId: String? = "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d", envelopeId: String? = nil,
                messageId: MessageID? = nil, sequence: UInt64 = 42) -> LogRecord {
        LogRecord(sequence: sequence, receivedAtNanoseconds: 1_700_000_000_123_456_789, flags: [.signatureVerified],
                  event: event.map { Array($0.utf8) }, configurationId: configurationId.map { Array($0.utf8) },
                  envelopeId: envelopeId.map { Array($0.utf8) }, generatedDateTime: nil,
                  accountId: accountId.map { Array($0.utf8) }, messageId: messageId, duplicateOf: nil,
                  formatVersion: 2, body: Array("{}".utf8))
    }

    func render(_ template: String, _ record: LogRecord, instance: String = "box-1") throws -> String {
        var out: [UInt8] = []
        try SubjectTemplate(template).render(record, instance: Array(instance.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testDefaultTemplate() throws {
        XCTAssertEqual(try render(SubjectTemplate.defaultText, record()),
                       "connect.7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d.10363315.envelope-completed")
        XCTAssertEqual(try SubjectTemplate(SubjectTemplate.defaultText).streamSubjectFilter, "connect.>")
    }

    func testMissingFieldsBecomeUnderscore() throws {
        XCTAssertEqual(try render(SubjectTemplate.defaultText, record(event: nil, configurationId: "", accountId: nil)), "connect._._._")
        XCTAssertEqual(try render("c.{envelopeId}.{instance}", record(envelopeId: nil), instance: "i"), "c._.i")
    }

    func testCharactersATokenCannotHoldAreReplaced() throws {
        let nasty = "a b.c*d>e\tf\r\ng$h:i/j\u{00e9}k\u{0000}l"
        XCTAssertEqual(try render("x.{event}", record(event: nasty)), "x.a_b_c_d_e_f__g_h_i_j__k_l")
        let long = String(repeating: "z", count: 500)
        XCTAssertEqual(try render("x.{event}", record(event: long)), "x." + String(repeating: "z", count: 128))
    }

    /// Whatever bytes a field holds, the subject has exactly the template's tokens, each
    /// non-empty and of kept characters only.
    func testRandomFieldBytesNeverChangeTheSubjectShape() throws {
        let seed: UInt64 = 0x5348_4950
        var random = SeededRandom(seed: seed)
        let template = try SubjectTemplate("connect.{accountId}.{configurationId}.{event}")
        var out: [UInt8] = []
        for round in 0..<2000 {
            func field() -> [UInt8]? {
                Int.random(in: 0..<8, using: &random) == 0 ? nil
                    : (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            let r = LogRecord(sequence: 1, receivedAtNanoseconds: 0, flags: [], event: field(), configurationId: field(),
                              envelopeId: nil, generatedDateTime: nil, accountId: field(), messageId: nil, duplicateOf: nil,
                              formatVersion: 2, body: [])
            template.render(r, instance: [], into: &out)
            let tokens = out.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            XCTAssertEqual(tokens.count, 4, "seed \(seed) round \(round)")
            for token in tokens {
                XCTAssertFalse(token.isEmpty, "seed \(seed) round \(round)")
                XCTAssertTrue(token.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F },
                              "seed \(seed) round \(round): \(Array(token))")
            }
        }
    }

    func testTemplateValidation() {
        for bad in ["", "a..b", ".a", "a.", "a.{nope}", "a.{event", "a b.{event}", "a.*", "a.>", "a.{event}.\u{00e9}"] {
            XCTAssertThrowsError(try SubjectTemplate(bad), bad)
        }
        XCTAssertNil(try SubjectTemplate("{accountId}.x").streamSubjectFilter)
        XCTAssertEqual(try SubjectTemplate("docusign.in.{event}-x").streamSubjectFilter, "docusign.in.>")
        XCTAssertEqual(try SubjectTemplate("fixed.subject").streamSubjectFilter, "fixed.subject")
    }

    func testHeaderBlock() throws {
        let id = MessageID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
        var out: [UInt8] = []
        ShipHeaders.write(record(event: "bad\r\nX-Injected: 1", messageId: id), instance: Array("box-1".utf8), source: .message, into: &out)
        func value(_ name: StaticString) -> String? {
            out.withUnsafeBytes { raw in
                NATSHeaderBlock.value(raw, 0..<raw.count, named: name).map { String(decoding: UnsafeRawBufferPointer(rebasing: raw[$0]), as: UTF8.self) }
            }
        }
        XCTAssertTrue(out.starts(with: Array("NATS/1.0\r\n".utf8)))
        XCTAssertTrue(out.suffix(4).elementsEqual([13, 10, 13, 10]))
        XCTAssertEqual(value("Nats-Msg-Id"), id.hex)
        XCTAssertEqual(value("Connect-Message-Id"), id.hex)
        XCTAssertEqual(value("Connect-Instance"), "box-1")
        XCTAssertEqual(value("Connect-Seq"), "42")
        XCTAssertEqual(value("Connect-Received-At"), "1700000000123456789")
        XCTAssertEqual(value("Connect-Format"), "json")
        XCTAssertEqual(value("Connect-Event"), "bad??X-Injected: 1", "CR LF cannot end the header")
        XCTAssertNil(value("X-Injected"))
        XCTAssertEqual(value("Connect-Account-Id"), "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d")
        XCTAssertNil(value("Connect-Envelope-Id"), "absent fields have no header")

        ShipHeaders.write(record(messageId: id, sequence: 0), instance: Array("box-1".utf8), source: .record, into: &out)
        XCTAssertEqual(value("Nats-Msg-Id"), "box-1-0")
        ShipHeaders.write(record(messageId: nil, sequence: 18_446_744_073_709_551_615), instance: Array("b".utf8), source: .message, into: &out)
        XCTAssertEqual(value("Nats-Msg-Id"), "b-18446744073709551615")
    }

    func testCheckpointFileRoundTrip() throws {
        let folder = try ProjectPaths.temporaryDirectory("checkpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = CheckpointFile(path: folder.appendingPathComponent("ship-X.checkpoint").path)
        XCTAssertNil(try file.load())
        try file.store(12345)
        XCTAssertEqual(try file.load(), 12345)
        try file.store(0)
        XCTAssertEqual(try file.load(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path + ".tmp"))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: file.path))
        XCTAssertThrowsError(try file.load())
    }
}
