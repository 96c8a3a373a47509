import IngestTestSupport
import XCTest
@testable import IngestJSON

/// The deep fast path (JSONStreamScanner+Deep.swift) must end in exactly the state the
/// byte-by-byte scanner reaches: the same error with the same reason and offset, the same fields,
/// whatever the pieces. Compared on generated Connect documents (envelope summaries nested up to
/// seven levels, decoy keys, escapes, UTF-8, numbers, literals, whitespace of every kind) and on
/// their mutants (control bytes, bad escapes, invalid UTF-8, stray commas, truncations), each fed
/// whole, at random cut points and byte by byte. Fixed seeds; a failure names its seed.
final class DeepPathTests: XCTestCase {
    func testDeepPathAgreesWithByteByByteScanner() {
        let fast = ConnectFieldScanner(usesDeepPath: true)
        let reference = ConnectFieldScanner(usesDeepPath: false)
        let shallowLimit = ConnectFieldScanner(maxDepth: 4, usesDeepPath: true)
        let shallowReference = ConnectFieldScanner(maxDepth: 4, usesDeepPath: false)
        var compared = 0, failures = 0, deepErrors = 0
        for seed: UInt64 in 1...400 {
            guard failures < 5 else { break }
            var generator = ConnectDocumentGenerator(seed: seed &+ 10_000)
            let document = generator.serialize(generator.document())
            var mutator = JSONMutator(seed: seed &* 0x2545_F491)
            var inputs: [(String, [UInt8])] = [("document", document)]
            for index in 0..<4 {
                let (mutant, what) = mutator.mutate(document)
                inputs.append(("mutant \(index) (\(what))", mutant))
            }
            for (name, bytes) in inputs {
                var cuttings = Cuttings.randomPoints(bytes, count: 2, seed: seed)
                cuttings.insert(("whole", [bytes[...]]), at: 0)
                if seed % 10 == 0 { cuttings.append(Cuttings.byteByByte(bytes)) }
                let expected = Self.scan(reference, [bytes[...]])
                if let error = expected.error, error.offset > 200 { deepErrors += 1 }
                for (cutting, pieces) in cuttings {
                    compared += 1
                    let outcome = Self.scan(fast, pieces)
                    if outcome != expected {
                        failures += 1
                        XCTFail("seed \(seed) \(name), \(cutting): deep path \(outcome), byte by byte \(expected)\n  \(debugText(bytes))")
                    }
                }
                // The depth limit inside a deep container.
                let limited = Self.scan(shallowLimit, [bytes[...]])
                let limitedExpected = Self.scan(shallowReference, [bytes[...]])
                if limited != limitedExpected {
                    failures += 1
                    XCTFail("seed \(seed) \(name), maxDepth 4: deep path \(limited), byte by byte \(limitedExpected)")
                }
            }
        }
        XCTAssertGreaterThan(compared, 3_000)
        XCTAssertGreaterThan(deepErrors, 200, "mutants must break deep inside documents too")
    }

    /// Hand-picked inputs at the edges of what the fast path takes: each is compared whole and
    /// at every two-way split.
    func testEdgesAgreeAtEverySplit() {
        let fast = ConnectFieldScanner(usesDeepPath: true)
        let reference = ConnectFieldScanner(usesDeepPath: false)
        let deep = #"{"event":"e","data":{"envelopeId":"x","s":{"#
        let cases = [
            deep + #""a":"b","c":["d","e",{"f":"g"}],"h":{}}}}"#,           // the common rhythm
            deep + #""a" : "b" ,"c":[ "d" ,"e"] , "h" : { } }}}"#,         // spaces everywhere
            deep + "\"a\":\n\t\"b\",\r\n\"c\":[\n]}}}",                   // line controls between tokens
            deep + "\"a\":\"b\nc\"}}}",                                     // a line feed inside a string
            deep + #""a":"b\"c","d":"\u00e9","e":"é"}}}"#,                  // escapes and UTF-8
            deep + #""a":1,"b":-2.5e3,"c":true,"d":null,"e":[false]}}}"#,    // numbers and literals
            deep + #""a":"b",}}}"#, deep + #""a":"b""c":1}}}"#,              // errors at commas
            deep + #""a":"b"]}}"#, deep + #""a"]"#, deep + #""a":}"#,        // wrong closers
            deep + #"[["#, deep + #""a":"b"}"# + "}}  ",                      // unfinished; whitespace after
            deep + "\"a\":\"\u{01}\"}}}", deep + "\"a\":\"b\"\u{FF}}}}",      // a control byte; a byte outside a string
            #"{"data":{"envelopeId":"x"},"envelopeSummary":{"a":[{"b":"c"}]},"event":"e"}"#,
            #"{"x":{"data":{"envelopeId":"decoy"}},"data":{"s":{"envelopeId":"decoy"},"envelopeId":"real"}}"#,
        ]
        for text in cases {
            let bytes = Array(text.utf8)
            let expected = Self.scan(reference, [bytes[...]])
            for (name, pieces) in SplitFeeder.cuttings(of: bytes, maxExhaustive: 400) {
                let outcome = Self.scan(fast, pieces)
                XCTAssertEqual(outcome, expected, "\(name) of \(debugText(bytes))")
            }
        }
    }

    private static func scan(_ scanner: ConnectFieldScanner, _ pieces: [ArraySlice<UInt8>]) -> ScanOutcome {
        scanner.reset()
        for piece in pieces { piece.withUnsafeBytes { scanner.feed($0) } }
        let error = scanner.finish()
        return ScanOutcome(error: error, event: scanner.fieldBytes(.event), configurationId: scanner.fieldBytes(.configurationId),
                           envelopeId: scanner.fieldBytes(.envelopeId), generatedDateTime: scanner.fieldBytes(.generatedDateTime))
    }
}
