import IngestTestSupport
import XCTest
@testable import IngestJSON

/// The 64-byte non-plain window (`NonPlainWindow`, `PlainBytes`) against a one-byte-at-a-time
/// classification, and the scanner's string handling around it against what the document says,
/// with the special bytes at every position relative to 8/16/32/64-byte blocks and piece ends.
/// Buffers sit against guard pages, so a read outside them crashes the test. Fixed seeds; a
/// failure names its seed.
final class NonPlainWindowTests: XCTestCase {
    private static func isNonPlain(_ b: UInt8) -> Bool { b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C }

    private static func referenceFirstNonPlain(_ bytes: ArraySlice<UInt8>, from i: Int, to end: Int) -> Int {
        var j = i
        while j < end && !isNonPlain(bytes[bytes.startIndex + j]) { j += 1 }
        return j
    }

    /// Random buffers (plain runs with non-plain bytes of every kind, sparse to dense), walked the
    /// way the scanner walks them: a lookup, then a step of 1 to 140 bytes (inside the window,
    /// just past it, far past it), up to the end of the piece; and every start in short pieces.
    func testWindowAgreesWithByteLoop() {
        let arena = GuardedArena(capacity: 1 << 12)
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x01, 0x0A, 0x1F, 0x80, 0xC3, 0xE2, 0xF0, 0xFF]
        var lookups = 0
        for seed: UInt64 in 1...3_000 {
            var rng = SeededRandom(seed: seed)
            let length = Int.random(in: 0...300, using: &rng)
            let density = [0, 1, 4, 16, 64][Int.random(in: 0..<5, using: &rng)]
            var bytes = (0..<length).map { _ in UInt8.random(in: 0x20...0x7F, using: &rng) }
            for k in bytes.indices where Self.isNonPlain(bytes[k]) { bytes[k] = 0x41 }
            for k in bytes.indices where density > 0 && Int.random(in: 0..<density, using: &rng) == 0 {
                bytes[k] = specials.randomElement(using: &rng)!
            }
            let slice = bytes[...]
            let guardSide: GuardedArena.Guard = seed % 2 == 0 ? .after : .before
            let failure: String? = arena.withGuarded(slice, guardSide) { raw -> String? in
                guard let base = raw.baseAddress else { return nil }
                let end = raw.count
                // The scanner's walk.
                var window = NonPlainWindow()
                var i = Int.random(in: 0...end, using: &rng)
                while i < end {
                    let found = window.firstNonPlain(base, from: i, to: end)
                    let expected = Self.referenceFirstNonPlain(slice, from: i, to: end)
                    lookups += 1
                    if found != expected { return "walk from \(i): window \(found), byte loop \(expected)" }
                    i = found + Int.random(in: 1...140, using: &rng)
                }
                // Every start, each with a fresh window and with one carried over.
                if end <= 140 {
                    var carried = NonPlainWindow()
                    for start in 0...end {
                        var fresh = NonPlainWindow()
                        let expected = Self.referenceFirstNonPlain(slice, from: start, to: end)
                        let a = fresh.firstNonPlain(base, from: start, to: end)
                        let b = carried.firstNonPlain(base, from: start, to: end)
                        lookups += 2
                        if a != expected || b != expected {
                            return "start \(start): fresh window \(a), carried window \(b), byte loop \(expected)"
                        }
                    }
                }
                return nil
            }
            if let failure {
                XCTFail("seed \(seed), \(length) bytes: \(failure)\n  \(debugText(bytes))")
                return
            }
        }
        XCTAssertGreaterThan(lookups, 100_000)
    }

    /// The consuming lookups `scanDeep` uses: after each non-plain byte found, it is stepped
    /// over (`consumeLowest`) and the next one looked up with `nextNonPlain`, with a jump now and
    /// then (`firstNonPlainClearingBelow`), in pieces of every length 0...300 (so the piece's
    /// last-window and no-window cases come up). Each answer must be the byte loop's, and the
    /// window must still answer `firstNonPlain` correctly afterwards (scanString shares it).
    func testConsumingLookupsAgreeWithByteLoop() {
        let arena = GuardedArena(capacity: 1 << 12)
        let specials: [UInt8] = [0x22, 0x5C, 0x0A, 0x09, 0x01, 0x80, 0xFF]
        var lookups = 0
        for seed: UInt64 in 1...3_000 {
            var rng = SeededRandom(seed: seed &+ 77_000)
            let length = Int(seed % 301)
            let density = [2, 3, 8, 30, 200][Int.random(in: 0..<5, using: &rng)]
            var bytes = (0..<length).map { _ in UInt8.random(in: 0x23...0x5B, using: &rng) }
            for k in bytes.indices where Int.random(in: 0..<density, using: &rng) == 0 {
                bytes[k] = specials.randomElement(using: &rng)!
            }
            let slice = bytes[...]
            let failure: String? = arena.withGuarded(slice, seed % 2 == 0 ? .after : .before) { raw -> String? in
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 0x1000)!
                let end = raw.count
                var window = NonPlainWindow()
                var i = Int.random(in: 0...min(end, 70), using: &rng)
                var found = window.firstNonPlainClearingBelow(base, from: i, to: end)
                while true {
                    let expected = Self.referenceFirstNonPlain(slice, from: i, to: end)
                    lookups += 1
                    if found != expected { return "from \(i): consuming lookup \(found), byte loop \(expected)" }
                    if found == end { break }
                    window.consumeLowest()
                    i = found + 1
                    if Int.random(in: 0..<8, using: &rng) == 0 {
                        i += Int.random(in: 0...100, using: &rng)
                        if i > end { break }
                        var check = window   // what scanString would see
                        let shared = check.firstNonPlain(base, from: i, to: end)
                        if shared != Self.referenceFirstNonPlain(slice, from: i, to: end) {
                            return "shared window from \(i): \(shared)"
                        }
                        found = window.firstNonPlainClearingBelow(base, from: i, to: end)
                    } else {
                        found = window.nextNonPlain(base, from: i, to: end)
                    }
                }
                return nil
            }
            if let failure {
                XCTFail("seed \(seed), \(length) bytes: \(failure)\n  \(debugText(bytes))")
                return
            }
        }
        XCTAssertGreaterThan(lookups, 20_000)
    }

    /// One special byte at every position of a 200-byte plain run: `PlainBytes.windowBits` and
    /// `anyNonPlain` at every 64-byte offset see exactly that byte.
    func testWindowBitsAtEveryPosition() {
        let arena = GuardedArena(capacity: 1 << 12)
        var failures = 0
        for special: UInt8 in [0x22, 0x5C, 0x00, 0x1F, 0x7F, 0x80, 0xFF] {
            for position in 0..<200 {
                var bytes = [UInt8](repeating: 0x61, count: 200)
                bytes[position] = special
                arena.withGuarded(bytes[...], position % 2 == 0 ? .after : .before) { raw in
                    let base = raw.baseAddress!
                    for offset in 0...(200 - 64) {
                        let inside = position >= offset && position < offset + 64
                        let expectedBits: UInt64 = inside && Self.isNonPlain(special) ? 1 << UInt64(position - offset) : 0
                        let bits = PlainBytes.windowBits(base, offset), any = PlainBytes.anyNonPlain(base, offset)
                        if bits != expectedBits || any != (expectedBits != 0) {
                            failures += 1
                            if failures <= 3 { XCTFail("byte \(special) at \(position), window at \(offset): bits \(bits), any \(any), expected \(expectedBits)") }
                        }
                    }
                }
            }
        }
    }

    /// Deep strings holding a quote escape, a backslash escape, `\u` escapes (a surrogate pair
    /// too), 2-, 3- and 4-byte UTF-8, and the errors (a raw control byte, a byte that is not
    /// UTF-8, a bad escape) at every position 0...140 of a plain run, so the special byte meets
    /// every offset of the 64-byte window and of the 16-byte loads; the document is fed whole,
    /// in two pieces cut at every point around the special byte, and in random pieces. The
    /// outcome must be what the document says (valid with the four fields, or the error at the
    /// special byte's offset), and the same as the byte-by-byte scanner's.
    func testSpecialBytesAtEveryBlockPositionAndCut() {
        let fast = ScanHarness()
        let reference = ConnectFieldScanner(usesDeepPath: false)
        let head = #"{"event":"e","configurationId":7,"data":{"envelopeId":"x","s":{"k":["#
        let tail = #"],"z":"w"}},"generatedDateTime":"t"}"#
        let tokens: [(text: [UInt8], error: JSONScanError.Reason?)] = [
            (Array(#"\""#.utf8), nil), (Array(#"\\"#.utf8), nil), (Array(#"\/\b\f\n\r\t"#.utf8), nil),
            (Array(#"\u00e9"#.utf8), nil), (Array(#"\ud83d\ude00"#.utf8), nil),
            (Array("é".utf8), nil), (Array("€".utf8), nil), (Array("😀".utf8), nil),
            ([0x01], .controlCharacterInString), ([0x1F], .controlCharacterInString),
            ([0xFF], .invalidUTF8), ([0xC3, 0x28], .invalidUTF8), (Array(#"\x"#.utf8), .invalidEscape),
            (Array(#"\udc00"#.utf8), .loneSurrogate),
        ]
        var rng = SeededRandom(seed: 16)
        var compared = 0
        for (tokenIndex, token) in tokens.enumerated() {
            for position in 0...140 {
                // The string at three places: an array element, a key and an object value.
                let run = [UInt8](repeating: 0x61, count: position) + token.text + [UInt8](repeating: 0x62, count: (position * 7) % 50)
                let string = [0x22] + run + [0x22]
                let variant = position % 3
                var body = Array(head.utf8)
                switch variant {
                case 0: body += string + Array(#","a","#.utf8) + string
                case 1: body += Array(#"{"#.utf8) + string + Array(#":"v","k":"#.utf8) + string + Array(#"}"#.utf8)
                default: body += Array(#"{"k":"#.utf8) + string + Array(#","#.utf8) + string + Array(#":1}"#.utf8)
                }
                body += Array(tail.utf8)
                // Where the first special byte is (its error offset), from the token's start.
                let tokenStart = Array(head.utf8).count + (variant == 0 ? 0 : variant == 1 ? 1 : 5) + 1 + position
                let expected: ScanOutcome
                if let reason = token.error {
                    let within: Int
                    switch reason {
                    case .invalidEscape: within = 1
                    case .loneSurrogate: within = 3
                    case .invalidUTF8 where token.text.count == 2: within = 1
                    default: within = 0
                    }
                    expected = ScanOutcome(error: JSONScanError(reason: reason, offset: tokenStart + within))
                } else {
                    expected = .valid(event: "e", configurationId: "7", envelopeId: "x", generatedDateTime: "t")
                }
                var cuttings: [(String, [ArraySlice<UInt8>])] = [("whole", [body[...]])]
                for cut in max(0, tokenStart - 6)...min(body.count, tokenStart + token.text.count + 6) {
                    cuttings.append(("cut at \(cut)", [body[..<cut], body[cut...]]))
                }
                for round in 0..<3 {
                    cuttings.append(("random pieces \(round)", SplitFeeder.randomCutting(of: body, maxPiece: 1 + 40 * round, using: &rng)))
                }
                reference.reset()
                body.withUnsafeBytes { reference.feed($0) }
                let referenceError = reference.finish()
                for (name, pieces) in cuttings {
                    compared += 1
                    var outcome = fast.scan(pieces)
                    if expected.error != nil { outcome = ScanOutcome(error: outcome.error) }
                    if outcome != expected || outcome.error != referenceError {
                        XCTFail("token \(tokenIndex) at \(position), \(name): \(outcome), expected \(expected), byte by byte \(String(describing: referenceError))\n  \(debugText(body))")
                        return
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 20_000)
    }
}
