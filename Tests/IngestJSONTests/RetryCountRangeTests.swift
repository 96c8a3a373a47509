import IngestJSON
import IngestTestSupport
import XCTest

/// `retryCountValueRange`: the document offsets of the top-level `retryCount` value, which the
/// message id leaves out of a body. Checked on fixed cases, on the corpus, and on generated
/// documents (retryCount members of every JSON type placed among Connect-like members, with
/// random whitespace and escaped keys) against offsets recorded while serialising, for every
/// cutting of each document.
final class RetryCountRangeTests: XCTestCase {
    private func range(_ pieces: [ArraySlice<UInt8>]) -> Range<Int>? {
        let scanner = ConnectFieldScanner()
        scanner.reset()
        for piece in pieces { piece.withUnsafeBytes { scanner.feed($0) } }
        _ = scanner.finish()
        return scanner.retryCountValueRange
    }

    private func range(_ text: String) -> Range<Int>? { range([Array(text.utf8)[...]]) }

    /// The bytes the range covers, as text.
    private func covered(_ text: String) -> String? {
        guard let r = range(text) else { return nil }
        return String(decoding: Array(text.utf8)[r], as: UTF8.self)
    }

    func testValuesOfEveryType() {
        XCTAssertEqual(range(#"{"retryCount":0}"#), 14..<15)
        XCTAssertEqual(covered(#"{"event":"x","retryCount": 12 ,"data":{}}"#), "12")
        XCTAssertEqual(covered(#"{"retryCount" : "3" }"#), #""3""#)
        XCTAssertEqual(covered(#"{"retryCount":-1.5e3}"#), "-1.5e3")
        XCTAssertEqual(covered(#"{"retryCount":null,"a":1}"#), "null")
        XCTAssertEqual(covered(#"{"retryCount":true}"#), "true")
        XCTAssertEqual(covered(#"{"retryCount":[1,{"retryCount":2}],"b":2}"#), #"[1,{"retryCount":2}]"#)
        XCTAssertEqual(covered(#"{"retryCount":{},"b":2}"#), "{}")
        XCTAssertEqual(covered(#"{"retry\u0043ount":7}"#), "7", "keys compare decoded")
    }

    func testOnlyTheTopLevelMemberCounts() {
        XCTAssertNil(range(#"{"data":{"retryCount":1}}"#))
        XCTAssertNil(range(#"[{"retryCount":1}]"#))
        XCTAssertNil(range(#"{"a":[{"retryCount":1}]}"#))
        XCTAssertNil(range(#"{"retrycount":1,"retryCounts":2,"RetryCount":3}"#))
        XCTAssertNil(range(#""retryCount""#))
        XCTAssertEqual(covered(#"{"data":{"retryCount":1},"retryCount":2}"#), "2")
    }

    func testLastOccurrenceWinsAndErrorsCutTheValue() {
        XCTAssertEqual(covered(#"{"retryCount":1,"x":0,"retryCount":"22"}"#), #""22""#)
        XCTAssertNil(range(#"{"retryCount":1,"retryCount":"2"#), "the last value is cut by the end")
        XCTAssertNil(range(#"{"retryCount":12"#), "a number cut by the end of input")
        XCTAssertNil(range(#"{"retryCount":[1,2"#))
        XCTAssertNil(range(#"{"retryCount":tru"#))
        XCTAssertEqual(covered(#"{"retryCount":1x}"#), "1", "the number ended before the bad byte")
        XCTAssertEqual(covered(#"{"retryCount":5,"a":tru}"#), "5", "complete before the error: kept")
        let scanner = ConnectFieldScanner()
        _ = Array(#"{"retryCount":5}"#.utf8).withUnsafeBytes { scanner.scan($0) }
        XCTAssertEqual(scanner.retryCountValueRange, 14..<15)
        scanner.reset()
        XCTAssertNil(scanner.retryCountValueRange, "reset forgets it")
    }

    func testCorpus() throws {
        let body = try Corpus.bytes("envelope-completed.v2.retryCount3.json")
        guard let r = range([body[...]]) else { return XCTFail("no range") }
        XCTAssertEqual(String(decoding: body[r], as: UTF8.self), "3")
        for name in try Corpus.files(withExtension: "json") where name.hasPrefix("envelope-completed.v2") {
            let bytes = try Corpus.bytes(name)
            let text = String(decoding: bytes, as: UTF8.self)
            let r = range([bytes[...]])
            XCTAssertEqual(r != nil, text.contains("\"retryCount\""), name)
            if let r { XCTAssertTrue(["0", "3", "\"0\""].contains(String(decoding: bytes[r], as: UTF8.self)), name) }
        }
    }

    /// Generated top-level objects with 0...3 retryCount members among other members; the
    /// expected range is recorded while serialising. Every cutting must give the same answer.
    func testGeneratedDocumentsAtEverySplit() {
        let seed: UInt64 = 0x5E7C_0C0A
        var generator = ConnectDocumentGenerator(seed: seed)
        for documentIndex in 0..<120 {
            let top: ModelValue = generator.connectObject(depth: 0)
            guard case .object(let generated) = top else { continue }
            var keys: [ModelString] = generated.map { $0.key }
            var values: [ModelValue] = generated.map { $0.value }
            for _ in 0..<generator.int(0...3) {
                let value: ModelValue
                if generator.chance(0.5) {
                    value = .number(String(generator.int(0...12)))
                } else if generator.chance(0.5) {
                    let digits = String(generator.int(0...12))
                    value = .string(generator.text(Array(digits.unicodeScalars)))
                } else {
                    value = generator.anyValue(depth: 1)
                }
                let key: ModelString = generator.key("retryCount")
                let position = generator.int(0...keys.count)
                keys.insert(key, at: position)
                values.insert(value, at: position)
            }
            let (document, expected) = serialize(keys, values, &generator)
            let cuttings = Cuttings.thorough(document, maxSplits: 32, random: 4, seed: seed &+ UInt64(documentIndex))
            for (name, pieces) in cuttings {
                let actual = range(pieces)
                if actual != expected {
                    XCTFail("document \(documentIndex) (seed \(seed)), \(name): \(String(describing: actual)) "
                            + "expected \(String(describing: expected)) in \(debugText(document))")
                    return
                }
            }
        }
    }

    /// Serialises a top-level object, returning the range of its last `retryCount` value.
    private func serialize(_ keys: [ModelString], _ values: [ModelValue],
                           _ generator: inout ConnectDocumentGenerator) -> ([UInt8], Range<Int>?) {
        var document: [UInt8] = []
        var expected: Range<Int>? = nil
        document.append(contentsOf: generator.whitespace())
        document.append(UInt8(ascii: "{"))
        for index in keys.indices {
            let key = keys[index]
            let value = values[index]
            if index > 0 { document.append(UInt8(ascii: ",")) }
            document.append(contentsOf: generator.whitespace())
            document.append(0x22)
            document.append(contentsOf: key.spelling)
            document.append(0x22)
            document.append(contentsOf: generator.whitespace())
            document.append(UInt8(ascii: ":"))
            document.append(contentsOf: generator.whitespace())
            let start = document.count
            var copy = generator
            let text: [UInt8] = value.serialized(whitespace: { copy.whitespace() })
            generator = copy
            document.append(contentsOf: text)
            if key.decodedUTF8 == Array("retryCount".utf8) { expected = start..<document.count }
            document.append(contentsOf: generator.whitespace())
        }
        document.append(UInt8(ascii: "}"))
        document.append(contentsOf: generator.whitespace())
        return (document, expected)
    }
}
