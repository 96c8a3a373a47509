@testable import BenchSupport
import Foundation
import XCTest

/// `connect-ingest read --format jsonl` lines decode back to the exact body bytes, and the fast
/// scanner agrees with Foundation's parser on every line (differential, fixed seed).
final class LogLineDecoderTests: XCTestCase {
    /// A line the way the reader writes it: raw UTF-8, with `"`, `\` and control bytes escaped.
    func readerLine(body: [UInt8], seq: Int) -> [UInt8] {
        var out = Array("{\"seq\":\(seq),\"receivedAt\":\"2026-11-23T10:00:00.000000Z\",\"event\":\"envelope-sent\",".utf8)
        out += Array("\"configurationId\":\"10363315\",\"envelopeId\":null,\"generatedDateTime\":null,\"flags\":[\"verified\",\"json\"],\"body\":\"".utf8)
        for byte in body {
            switch byte {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out += Array("\"}".utf8)
        return out
    }

    func testDecodesReaderLinesExactly() throws {
        var rng = SplitMix(seed: 0xB0D1E5)
        let pieces: [[UInt8]] = [Array("{\"event\":\"x\"}".utf8), [0x22], [0x5C], [0x0A], [0x00], [0x1F], [0x7F],
                                 Array("é".utf8), Array("✓".utf8), Array("😀".utf8), Array("\\u0041".utf8), Array("/".utf8)]
        for seq in 0..<300 {
            var body: [UInt8] = []
            for _ in 0..<Int(rng.next() % 40) { body += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let line = readerLine(body: body, seq: seq)
            XCTAssertEqual(FlatObjectScanner.body(in: line), .body(body), "seed 0xB0D1E5, line \(seq)")
            XCTAssertEqual(try LogLineDecoder.slowBody(line), body, "Foundation disagrees on line \(seq)")
            XCTAssertEqual(try LogLineDecoder.body(fromLine: line), body)
        }
    }

    func testFoundationEncodedLinesDecodeToo() throws {
        let body = Array("{\"a\":\"quote \\\" slash / é ✓\"}\n\t".utf8)
        let line = try JSONSerialization.data(withJSONObject: ["seq": 1, "event": NSNull(), "flags": ["a", "b]"],
                                                               "nested": ["body": "not this one"],
                                                               "body": String(decoding: body, as: UTF8.self)])
        XCTAssertEqual(try LogLineDecoder.body(fromLine: [UInt8](line)), body)
        let escaped = Array(#"{"seq":2,"body":"caf\u00e9 \ud83d\ude00 \"x\"\n\/"}"#.utf8)
        XCTAssertEqual(FlatObjectScanner.body(in: escaped), .body(Array("café 😀 \"x\"\n/".utf8)))
    }

    func testBase64BodiesAndFailures() {
        let binary: [UInt8] = [0xFF, 0x00, 0x80, 0x41]
        let base64Line = Array("{\"seq\":3,\"flags\":[],\"bodyBase64\":\"\(Data(binary).base64EncodedString())\"}".utf8)
        XCTAssertEqual(try LogLineDecoder.body(fromLine: base64Line), binary)
        XCTAssertThrowsError(try LogLineDecoder.body(fromLine: Array("{\"seq\":4}".utf8))) { XCTAssertEqual($0 as? LogLineDecoder.Failure, .noBody) }
        XCTAssertThrowsError(try LogLineDecoder.body(fromLine: Array("not json".utf8))) {
            XCTAssertEqual($0 as? LogLineDecoder.Failure, .notAJSONObject)
        }
        XCTAssertThrowsError(try LogLineDecoder.body(fromLine: Array("{\"bodyBase64\":\"***\"}".utf8)))
        // Unusual shapes go to Foundation, which still finds the body.
        XCTAssertEqual(FlatObjectScanner.body(in: Array(#"{"b\u006fdy":"x"}"#.utf8)), .unsure)
        XCTAssertEqual(try LogLineDecoder.body(fromLine: Array(#"{"b\u006fdy":"x"}"#.utf8)), Array("x".utf8))
        XCTAssertEqual(FlatObjectScanner.body(in: Array(#"{"body":"\udc00"}"#.utf8)), .unsure)
    }
}

/// SplitMix64, for repeatable test data (the seed is in each failure message).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
