import Foundation
@testable import IngestOAuth
import IngestTestSupport
import XCTest

/// The JOSE JSON parser: agrees with Foundation on generated documents, and is stricter where
/// JOSE asks (duplicate member names, nesting, UTF-8).
final class JSONValueTests: XCTestCase {
    func testAgreesWithFoundationOnGeneratedDocuments() throws {
        let seed: UInt64 = 0x150_0001
        var random = SeededRandom(seed: seed)
        for round in 0..<500 {
            let value = generate(&random, depth: 0)
            let text = render(value, &random)
            let parsed = JSONValue.parse(Array(text.utf8))
            XCTAssertEqual(parsed, value, "seed \(seed) round \(round): \(text)")
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            XCTAssertTrue(matches(parsed, foundation), "seed \(seed) round \(round): \(text)")
        }
    }

    func testRefusesWhatJOSERefuses() {
        XCTAssertNil(JSONValue.parse(Array(#"{"alg":"RS256","alg":"none"}"#.utf8)), "duplicate member")
        XCTAssertNil(JSONValue.parse(Array(#"{"a":1}x"#.utf8)), "trailing bytes")
        XCTAssertNil(JSONValue.parse(Array(#"{"a":01}"#.utf8)), "leading zero")
        XCTAssertNil(JSONValue.parse(Array(#"{"a":1.}"#.utf8)))
        XCTAssertNil(JSONValue.parse(Array(#"{"a":.5}"#.utf8)))
        XCTAssertNil(JSONValue.parse(Array(#"{"a":1e999}"#.utf8)), "not finite")
        XCTAssertNil(JSONValue.parse(Array(#"{"a":"\ud800"}"#.utf8)), "lone surrogate")
        XCTAssertNil(JSONValue.parse(Array(#"{"a":"\x"}"#.utf8)), "bad escape")
        XCTAssertNil(JSONValue.parse([0x22, 0xC3, 0x28, 0x22]), "invalid UTF-8")
        XCTAssertNil(JSONValue.parse([0x22, 0x0A, 0x22]), "raw control character")
        XCTAssertNil(JSONValue.parse(Array(#"{"a":tru}"#.utf8)))
        XCTAssertNil(JSONValue.parse(Array(#"[1,]"#.utf8)))
        XCTAssertNil(JSONValue.parse(Array(#"{"a":1,}"#.utf8)))
        let deep = String(repeating: "[", count: JSONValue.depthLimit + 1) + String(repeating: "]", count: JSONValue.depthLimit + 1)
        XCTAssertNil(JSONValue.parse(Array(deep.utf8)))
        let limit = String(repeating: "[", count: JSONValue.depthLimit) + String(repeating: "]", count: JSONValue.depthLimit)
        XCTAssertNotNil(JSONValue.parse(Array(limit.utf8)))
        XCTAssertEqual(JSONValue.parse(Array(#" {"k":"\u00e9\ud83d\ude00\/"} "#.utf8)), .object([("k", .string("é😀/"))]))
    }

    // MARK: generation

    private func generate(_ random: inout SeededRandom, depth: Int) -> JSONValue {
        switch random.next() % (depth > 3 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2:
            let integer = Double(Int64(bitPattern: random.next()) % 10_000_000_000)
            return .number(random.next() % 3 == 0 ? integer / 1000 : integer)
        case 3: return .string(randomString(&random))
        case 4: return .array((0..<Int(random.next() % 4)).map { _ in generate(&random, depth: depth + 1) })
        default:
            var names = Set<String>()
            var members: [(String, JSONValue)] = []
            for _ in 0..<Int(random.next() % 5) {
                let name = randomString(&random)
                if names.insert(name).inserted { members.append((name, generate(&random, depth: depth + 1))) }
            }
            return .object(members)
        }
    }

    private func randomString(_ random: inout SeededRandom) -> String {
        let pieces = ["a", "kid", "é", "😀", "\"", "\\", "/", "\n", "\t", "\u{1}", " ", "RS256", "\u{7F}", "中"]
        return (0..<Int(random.next() % 6)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    /// Text for `value`, with random whitespace and random choice of escapes.
    private func render(_ value: JSONValue, _ random: inout SeededRandom) -> String {
        let space = [" ", "", "\n", "\t", "\r\n"][Int(random.next() % 5)]
        switch value {
        case .null: return space + "null"
        case .bool(let b): return space + (b ? "true" : "false")
        case .number(let n): return space + (n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)")
        case .string(let s): return space + quote(s, &random)
        case .array(let items): return "[" + items.map { render($0, &random) }.joined(separator: ",") + space + "]"
        case .object(let members):
            return "{" + members.map { quote($0.0, &random) + space + ":" + render($0.1, &random) }.joined(separator: ",") + "}"
        }
    }

    private func quote(_ text: String, _ random: inout SeededRandom) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += random.next() % 2 == 0 ? "\\n" : "\\u000a"
            case "\t": out += "\\t"
            case "/": out += random.next() % 2 == 0 ? "/" : "\\/"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else if scalar.value > 0xFFFF && random.next() % 2 == 0 {
                    let v = scalar.value - 0x10000
                    out += String(format: "\\u%04x\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private func matches(_ value: JSONValue?, _ object: Any) -> Bool {
        switch value {
        case .null?: return object is NSNull
        case .bool(let b)?: return (object as? Bool) == b
        case .number(let n)?: return (object as? NSNumber)?.doubleValue == n
        case .string(let s)?: return (object as? String) == s
        case .array(let items)?:
            guard let list = object as? [Any], list.count == items.count else { return false }
            return zip(items, list).allSatisfy { matches($0, $1) }
        case .object(let members)?:
            guard let dictionary = object as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { name, member in dictionary[name].map { matches(member, $0) } ?? false }
        case nil: return false
        }
    }
}
