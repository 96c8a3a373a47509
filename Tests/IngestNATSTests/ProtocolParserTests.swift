import IngestNATS
import IngestTestSupport
import XCTest

/// The server-operation parser gives the same operations for every cutting of a stream: whole,
/// byte by byte, every two-way split, random cuts; and refuses what is not the protocol.
final class ProtocolParserTests: XCTestCase {
    /// An operation with its byte ranges turned into values, so different cuttings compare.
    enum Parsed: Equatable {
        case info(String)
        case message(subject: String, sid: UInt64, reply: String?, headers: [UInt8]?, payload: [UInt8])
        case ping, pong, ok
        case error(String)
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, _ operation: NATSServerOperation) -> Parsed {
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
        func raw(_ r: Range<Int>) -> [UInt8] { Array(UnsafeRawBufferPointer(rebasing: bytes[r])) }
        switch operation {
        case .info(let json): return .info(text(json))
        case .message(let d):
            return .message(subject: text(d.subject), sid: d.subscriptionID, reply: d.replyTo.map(text),
                            headers: d.headers.map(raw), payload: raw(d.payload))
        case .ping: return .ping
        case .pong: return .pong
        case .ok: return .ok
        case .error(let t): return .error(text(t))
        }
    }

    /// Feeds pieces the way the client does: append, then parse every whole operation.
    static func run(_ pieces: [ArraySlice<UInt8>], parser: NATSProtocolParser = NATSProtocolParser()) throws -> [Parsed] {
        var buffer: [UInt8] = []
        var result: [Parsed] = []
        for piece in pieces {
            buffer += piece
            while true {
                let step = try buffer.withUnsafeBytes { raw -> (Parsed, Int)? in
                    guard let (operation, used) = try parser.parse(raw) else { return nil }
                    return (decode(raw, operation), used)
                }
                guard let (parsed, used) = step else { break }
                result.append(parsed)
                buffer.removeFirst(used)
            }
        }
        XCTAssertTrue(buffer.isEmpty, "bytes left over: \(String(decoding: buffer, as: UTF8.self))")
        return result
    }

    static let sample: [UInt8] = Array((
        "INFO {\"server_id\":\"X\",\"max_payload\":1048576,\"headers\":true}\r\n"
        + "+OK\r\nPING\r\npong\r\n"
        + "MSG foo.bar 9 12\r\nhello\r\nworld\r\n"
        + "MSG _INBOX.abc.17 1 reply.to 0\r\n\r\n"
        + "HMSG _INBOX.abc.18   1\t$JS.ACK.x 36 38\r\nNATS/1.0\r\nNats-Msg-Id: m-1\r\nX: y\r\n\r\nhi\r\n"
        + "hmsg _INBOX.abc.19 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"
        + "-ERR 'Authorization Violation'\r\n"
        + "-ERR 'Unknown Protocol Operation'\r\n").utf8)

    static let expected: [Parsed] = [
        .info("{\"server_id\":\"X\",\"max_payload\":1048576,\"headers\":true}"),
        .ok, .ping, .pong,
        .message(subject: "foo.bar", sid: 9, reply: nil, headers: nil, payload: Array("hello\r\nworld".utf8)),
        .message(subject: "_INBOX.abc.17", sid: 1, reply: "reply.to", headers: nil, payload: []),
        .message(subject: "_INBOX.abc.18", sid: 1, reply: "$JS.ACK.x",
                 headers: Array("NATS/1.0\r\nNats-Msg-Id: m-1\r\nX: y\r\n\r\n".utf8), payload: Array("hi".utf8)),
        .message(subject: "_INBOX.abc.19", sid: 1, reply: nil, headers: Array("NATS/1.0 503\r\n\r\n".utf8), payload: []),
        .error("Authorization Violation"),
        .error("Unknown Protocol Operation"),
    ]

    func testEveryCuttingOfASampleStream() throws {
        for (name, pieces) in SplitFeeder.cuttings(of: Self.sample) {
            XCTAssertEqual(try Self.run(pieces), Self.expected, "cutting \(name)")
        }
    }

    func testRandomCutsOfGeneratedStreams() throws {
        let seed: UInt64 = 0x4E41_5453
        var random = SeededRandom(seed: seed)
        for round in 0..<300 {
            var stream: [UInt8] = []
            var expected: [Parsed] = []
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                let (bytes, parsed) = Self.randomOperation(&random)
                stream += bytes
                expected.append(parsed)
            }
            let pieces = SplitFeeder.randomCutting(of: stream, maxPiece: Int.random(in: 1...64, using: &random), using: &random)
            XCTAssertEqual(try Self.run(pieces), expected, "seed \(seed) round \(round)")
        }
    }

    /// One random operation, its bytes and what it must parse to. Payloads hold any byte,
    /// including CR LF, and operation names come in random case.
    static func randomOperation(_ random: inout SeededRandom) -> ([UInt8], Parsed) {
        func randomCase(_ text: String) -> String {
            String(text.map { Bool.random(using: &random) ? Character($0.lowercased()) : $0 })
        }
        func blanks() -> String { String(repeating: Bool.random(using: &random) ? " " : "\t", count: Int.random(in: 1...3, using: &random)) }
        let subject = "s\(Int.random(in: 0...999, using: &random)).t"
        let payload = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let reply: String? = Bool.random(using: &random) ? "_INBOX.r\(Int.random(in: 0...99, using: &random))" : nil
        let sid = UInt64.random(in: 0...100_000, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0: return (Array("\(randomCase("PING"))\r\n".utf8), .ping)
        case 1: return (Array("\(randomCase("PONG"))\r\n".utf8), .pong)
        case 2: return (Array("+\(randomCase("OK"))\r\n".utf8), .ok)
        case 3: return (Array("\(randomCase("-ERR")) 'e\(sid)'\r\n".utf8), .error("e\(sid)"))
        case 4: return (Array("\(randomCase("INFO")) {\"n\":\(sid)}\r\n".utf8), .info("{\"n\":\(sid)}"))
        case 5:
            let head = "\(randomCase("MSG"))\(blanks())\(subject)\(blanks())\(sid)\(reply.map { blanks() + $0 } ?? "")\(blanks())\(payload.count)\r\n"
            return (Array(head.utf8) + payload + [13, 10], .message(subject: subject, sid: sid, reply: reply, headers: nil, payload: payload))
        default:
            var headers = Array("NATS/1.0".utf8)
            if Bool.random(using: &random) { headers += Array(" 503".utf8) }
            headers += Array("\r\nK: v\(sid)\r\n\r\n".utf8)
            let head = "\(randomCase("HMSG")) \(subject) \(sid)\(reply.map { " " + $0 } ?? "") \(headers.count) \(headers.count + payload.count)\r\n"
            return (Array(head.utf8) + headers + payload + [13, 10],
                    .message(subject: subject, sid: sid, reply: reply, headers: headers, payload: payload))
        }
    }

    func testMalformedInputIsRefused() {
        let cases: [(String, NATSProtocolError)] = [
            ("HELLO\r\n", .unknownOperation),
            ("\r\n", .unknownOperation),
            ("PINGX\r\n", .unknownOperation),
            ("MSG a\r\n", .malformedArguments),
            ("MSG a b 3\r\nabc\r\n", .malformedArguments),
            ("MSG a 1 x y z 3\r\nabc\r\n", .malformedArguments),
            ("MSG a 1 -3\r\n", .malformedArguments),
            ("HMSG a 1 10 5\r\n", .malformedArguments),
            ("MSG a 1 3\r\nabcXY", .missingPayloadTerminator),
            ("HMSG a 1 12 12\r\nHTTP/1.1\r\n\r\n\r\n", .malformedHeaders),
            ("MSG a 1 99999999\r\n", .payloadTooLarge(99_999_999)),
            ("PUB a 1\r\n", .unknownOperation),
        ]
        let parser = NATSProtocolParser(maximumPayload: 1 << 20)
        for (text, error) in cases {
            let bytes = Array(text.utf8)
            XCTAssertThrowsError(try bytes.withUnsafeBytes { try parser.parse($0) }, text) {
                XCTAssertEqual($0 as? NATSProtocolError, error, text)
            }
        }
        let long = Array(("INFO " + String(repeating: "x", count: NATSProtocolParser.maximumControlLine)).utf8)
        XCTAssertThrowsError(try long.withUnsafeBytes { try parser.parse($0) }) {
            XCTAssertEqual($0 as? NATSProtocolError, .controlLineTooLong)
        }
        // An incomplete line is not an error, just not yet an operation.
        XCTAssertNil(try Array("MSG a 1 3\r\nab".utf8).withUnsafeBytes { try parser.parse($0) })
        XCTAssertNil(try Array("PIN".utf8).withUnsafeBytes { try parser.parse($0) })
    }

    func testHeaderBlockStatusAndValues() {
        let block = Array("NATS/1.0 503 No Responders\r\nNats-Msg-Id:  abc \r\nconnect-seq: 42\r\n\r\n".utf8)
        block.withUnsafeBytes { raw in
            let all = 0..<raw.count
            XCTAssertEqual(NATSHeaderBlock.status(raw, all), 503)
            let id = NATSHeaderBlock.value(raw, all, named: "nats-msg-id")
            XCTAssertEqual(id.map { String(decoding: UnsafeRawBufferPointer(rebasing: raw[$0]), as: UTF8.self) }, "abc")
            let seq = NATSHeaderBlock.value(raw, all, named: "Connect-Seq")
            XCTAssertEqual(seq.map { String(decoding: UnsafeRawBufferPointer(rebasing: raw[$0]), as: UTF8.self) }, "42")
            XCTAssertNil(NATSHeaderBlock.value(raw, all, named: "Missing"))
        }
        Array("NATS/1.0\r\nA: b\r\n\r\n".utf8).withUnsafeBytes { XCTAssertNil(NATSHeaderBlock.status($0, 0..<$0.count)) }
    }

    func testPublishAcknowledgementKinds() throws {
        /// A parse that does not give a message fails the test (a skip would hide it).
        struct NotAMessage: Error { let text: String }
        func read(_ text: String) throws -> PublishAcknowledgement {
            let bytes = Array(text.utf8)
            return try bytes.withUnsafeBytes { raw in
                guard case .message(let d)? = try NATSProtocolParser().parse(raw)?.0 else { throw NotAMessage(text: text) }
                return PublishAcknowledgement.read(raw, d)
            }
        }
        func msg(_ payload: String) -> String { "MSG i.1 1 \(payload.utf8.count)\r\n\(payload)\r\n" }
        let plain = "MSG i.1 1 26\r\n"
        XCTAssertEqual(try read(msg("{\"stream\":\"S\",\"seq\":12345}")), .stored(duplicate: false, stream: (plain.utf8.count + 11)..<(plain.utf8.count + 12)))
        XCTAssertEqual(try read(msg("{\"stream\":\"S\",\"seq\":5,\"duplicate\":true}")), .stored(duplicate: true, stream: (plain.utf8.count + 11)..<(plain.utf8.count + 12)))
        XCTAssertEqual(try read(msg("{\"seq\":5}")), .stored(duplicate: false, stream: nil))
        XCTAssertEqual(try read("HMSG i.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"), .noResponders)
        XCTAssertEqual(try read(msg("{\"error\":{\"code\":503,\"description\":\"unavailable\"}}")), .failed(code: 503))
        XCTAssertEqual(try read(msg("{\"stream\":\"S\"}")), .failed(code: 0))
    }
}
