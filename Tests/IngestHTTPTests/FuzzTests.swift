import IngestHTTP
import IngestTestSupport
import XCTest

/// Seeded, bounded fuzzing: mutated valid requests and random garbage never crash the parser,
/// every step stays inside the bytes given, and the answer does not depend on how the input was cut.
final class FuzzTests: XCTestCase {
    static let seeds: [UInt64] = [1, 2, 3, 0xD0C5_1647]

    static let templates: [[UInt8]] = [
        .crlf("GET / HTTP/1.1\nHost: h\n\n"),
        .crlf("POST /webhooks/docusign HTTP/1.1\nHost: h\nContent-Length: 5\nX-DocuSign-Signature-1: abc=\n\nhello"),
        .crlf("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n5;x=y\nhello\n0\nT: v\n\n"),
        .crlf("GET / HTTP/1.0\nConnection: keep-alive\n\nGET /2 HTTP/1.1\nHost: h\nExpect: 100-continue\n\n"),
    ]

    static let alphabet: [UInt8] = Array("\r\n \t:;,0123456789abcdefABCDEF/-HTTP.".utf8) + [0x00, 0x7F, 0x80, 0xFF]

    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            let byte = Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            default:
                let length = Int.random(in: 0...min(16, bytes.count - position), using: &rng)
                bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
            }
        }
        return bytes
    }

    static func randomLimits(_ rng: inout SeededRandom) -> HTTPLimits {
        if Bool.random(using: &rng) { return HTTPLimits() }
        return HTTPLimits(maxHeaderBytes: Int.random(in: 1...120, using: &rng),
                          maxHeaderCount: Int.random(in: 0...4, using: &rng),
                          maxBodyBytes: Int.random(in: 0...8, using: &rng))
    }

    func testMutatedRequestsAreCuttingIndependent() {
        var errors: Set<String> = []
        var ends = 0
        for seed in Self.seeds {
            var rng = SeededRandom(seed: seed)
            for round in 0..<3000 {
                let template = Self.templates.randomElement(using: &rng)!
                let input = Self.mutate(template, &rng)
                let limits = Self.randomLimits(&rng)
                let t = check(input, limits: limits, rng: &rng, label: "seed \(seed) round \(round)")
                if let e = t.error { errors.insert("\(e)") }
                ends += t.endCount
            }
        }
        // The mutations reach deep into the parser, not just the first byte.
        XCTAssertGreaterThanOrEqual(errors.count, 11, "errors seen: \(errors.sorted())")
        XCTAssertGreaterThan(ends, 1000)
    }

    func testRandomGarbage() {
        for seed in Self.seeds {
            var rng = SeededRandom(seed: seed)
            for round in 0..<1500 {
                let length = Int.random(in: 0...96, using: &rng)
                var input: [UInt8] = Bool.random(using: &rng) ? Array("POST / HTTP/1.1\r\n".utf8) : []
                for _ in 0..<length {
                    input.append(Bool.random(using: &rng) ? Self.alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng))
                }
                check(input, limits: Self.randomLimits(&rng), rng: &rng, label: "seed \(seed) round \(round)")
            }
        }
    }

    @discardableResult
    private func check(_ input: [UInt8], limits: HTTPLimits, rng: inout SeededRandom, label: String) -> Transcript {
        let whole = ParserDriver.run([input[...]], limits: limits)
        let pieces = SplitFeeder.randomCutting(of: input, maxPiece: Int.random(in: 1...8, using: &rng), using: &rng)
        let cut = ParserDriver.run(pieces, limits: limits)
        if !whole.violations.isEmpty || !cut.violations.isEmpty || whole != cut {
            XCTFail("\(label) input \(input.map { String($0) }.joined(separator: ","))\n--- whole\n\(whole)\n--- cut\n\(cut)")
        }
        return whole
    }
}
