import IngestJSON
import IngestTestSupport
import XCTest

/// Each error reason, with the exact offset it must report: the first byte at which the input
/// can no longer be the beginning of a valid document (the length, for `.unexpectedEnd`).
final class ErrorReasonTests: XCTestCase {
    private let harness = ScanHarness()

    private func assertError(_ bytes: [UInt8], _ reason: JSONScanError.Reason, _ offset: Int,
                             file: StaticString = #filePath, line: UInt = #line) {
        let expected = JSONScanError(reason: reason, offset: offset)
        let cuttings = [("whole", [bytes[...]]), Cuttings.byteByByte(bytes)]
            + (0...bytes.count).map { ("split@\($0)", [bytes[..<$0], bytes[$0...]]) }
        for (name, pieces) in cuttings {
            XCTAssertEqual(harness.scan(pieces).error, expected, "\(debugText(bytes)) \(name)", file: file, line: line)
        }
    }

    private func assertError(_ text: String, _ reason: JSONScanError.Reason, _ offset: Int,
                             file: StaticString = #filePath, line: UInt = #line) {
        assertError(Array(text.utf8), reason, offset, file: file, line: line)
    }

    func testUnexpectedByte() {
        assertError(#"{"a" 1}"#, .unexpectedByte, 5)      // missing colon
        assertError(#"{"a":1 "b":2}"#, .unexpectedByte, 7) // missing comma
        assertError("[1 2]", .unexpectedByte, 3)
        assertError("{,}", .unexpectedByte, 1)
        assertError(#"{"a":1,}"#, .unexpectedByte, 7)     // trailing comma (JSONSerialization accepts it)
        assertError("[1,]", .unexpectedByte, 3)
        assertError("[1,,2]", .unexpectedByte, 3)
        assertError("{1:2}", .unexpectedByte, 1)           // keys are strings
        assertError("{null:2}", .unexpectedByte, 1)
        assertError("]", .unexpectedByte, 0)
        assertError(#"{"a":1]"#, .unexpectedByte, 6)      // mismatched bracket
        assertError("[1}", .unexpectedByte, 2)
        assertError(#"{"a":}"#, .unexpectedByte, 5)
        assertError(":", .unexpectedByte, 0)
        assertError([0xEF, 0xBB, 0xBF] + Array("{}".utf8), .unexpectedByte, 0)  // UTF-8 BOM
        assertError("[\u{0C}1]", .unexpectedByte, 1)      // form feed is not JSON whitespace
        assertError("[é]", .unexpectedByte, 1)
        assertError("[1]\u{0}", .trailingContent, 3)
        assertError("<?xml version=\"1.0\"?>", .unexpectedByte, 0)
        assertError("[NaN]", .unexpectedByte, 1)
        assertError("[True]", .unexpectedByte, 1)
        assertError("[0x10]", .unexpectedByte, 2)
        assertError("[1/*c*/]", .unexpectedByte, 2)
    }

    func testUnexpectedEnd() {
        for text in ["", "   ", "\n", "{", "[", #"{"a""#, #"{"a":"#, #"{"a":1"#, #"{"a":1,"#, #""abc"#, #""\"#,
                     #""\u12"#, #""\uD83D"#, #""\uD83D\"#, #""\uD83D\u"#, #""\uD83D\uDE0"#, "[1", "-", "1.", "1e",
                     "1e+", "tru", "nul", "fals", #"{"a":[{"b":["#] {
            assertError(text, .unexpectedEnd, text.utf8.count)
        }
        assertError([0x22, 0xC3], .unexpectedEnd, 2)           // inside a UTF-8 sequence
        assertError([0x22, 0xF0, 0x9F, 0x98], .unexpectedEnd, 4)
    }

    func testTrailingContent() {
        assertError("1 2", .trailingContent, 2)
        assertError("{} {}", .trailingContent, 3)
        assertError(#""a""b""#, .trailingContent, 3)
        assertError("null x", .trailingContent, 5)
        assertError("nulll", .trailingContent, 4)
        assertError("[]]", .trailingContent, 2)
        assertError("{},", .trailingContent, 2)
        assertError("0 1", .trailingContent, 2)
    }

    func testControlCharacterInString() {
        assertError("\"a\tb\"", .controlCharacterInString, 2)
        assertError("\"\u{0}\"", .controlCharacterInString, 1)
        assertError("{\"ev\nent\":1}", .controlCharacterInString, 4)  // in a key
        assertError("\"abc\u{1F}\"", .controlCharacterInString, 4)
        // DEL (0x7F) is allowed raw.
        XCTAssertNil(harness.scan("\"a\u{7F}b\"").error)
    }

    func testInvalidEscape() {
        assertError(#""\x""#, .invalidEscape, 2)
        assertError(#""\a""#, .invalidEscape, 2)
        assertError(#""\'""#, .invalidEscape, 2)
        assertError(#""\U0041""#, .invalidEscape, 2)
        assertError(#""\u12G4""#, .invalidEscape, 5)
        assertError(#""\u""#, .invalidEscape, 3)
        assertError(#""\uD83D\uDEZ0""#, .invalidEscape, 11)
        assertError("\"\\\u{0}\"", .invalidEscape, 2)
    }

    func testLoneSurrogate() {
        assertError(#""\uDC00""#, .loneSurrogate, 4)          // a low half: certain at its 2nd digit
        assertError(#""\udfff""#, .loneSurrogate, 4)
        assertError(#""\uD800""#, .loneSurrogate, 7)          // a high half followed by the quote
        assertError(#""\uD800x""#, .loneSurrogate, 7)
        assertError(#""\uD800\n""#, .loneSurrogate, 8)        // followed by another escape
        assertError(#""\uD800\u0041""#, .loneSurrogate, 9)    // followed by a non-surrogate
        assertError(#""\uD800\uD800""#, .loneSurrogate, 10)   // two high halves
        assertError(#""\uDBFF\uDBFF""#, .loneSurrogate, 10)
        XCTAssertNil(harness.scan(#""\uD800\uDC00\uDBFF\uDFFF""#).error)
        // U+D7FF and U+E000 border the surrogates and are fine.
        XCTAssertNil(harness.scan(#""\uD7FF\uE000""#).error)
    }

    func testInvalidUTF8() {
        let q: UInt8 = 0x22
        assertError([q, 0x80, q], .invalidUTF8, 1)                // stray continuation
        assertError([q, 0xBF, q], .invalidUTF8, 1)
        assertError([q, 0xC0, 0x80, q], .invalidUTF8, 1)          // overlong lead bytes
        assertError([q, 0xC1, 0xBF, q], .invalidUTF8, 1)
        assertError([q, 0xE0, 0x80, 0x80, q], .invalidUTF8, 2)    // overlong 3-byte
        assertError([q, 0xE0, 0x9F, 0xBF, q], .invalidUTF8, 2)
        assertError([q, 0xED, 0xA0, 0x80, q], .invalidUTF8, 2)    // UTF-16 surrogate
        assertError([q, 0xF0, 0x8F, 0xBF, 0xBF, q], .invalidUTF8, 2)  // overlong 4-byte
        assertError([q, 0xF4, 0x90, 0x80, 0x80, q], .invalidUTF8, 2)  // above U+10FFFF
        assertError([q, 0xF5, 0x80, 0x80, 0x80, q], .invalidUTF8, 1)
        assertError([q, 0xFF, q], .invalidUTF8, 1)
        assertError([q, 0xC3, 0x28, q], .invalidUTF8, 2)          // truncated sequences
        assertError([q, 0xE2, 0x82, q], .invalidUTF8, 3)
        assertError([q, 0xF0, 0x9F, 0x98, q], .invalidUTF8, 4)
        assertError([q, 0x61, 0xE2, 0x82, 0xAC, 0xC3], .unexpectedEnd, 6)
        // The edges of each range are valid.
        let valid: [[UInt8]] = [[0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
                                [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF]]
        for sequence in valid {
            XCTAssertNil(harness.scan([q] + sequence + [q]).error, "\(sequence)")
        }
    }

    func testInvalidNumber() {
        assertError("01", .invalidNumber, 1)
        assertError("[-01]", .invalidNumber, 3)
        assertError("[00]", .invalidNumber, 2)
        assertError("-a", .invalidNumber, 1)
        assertError("[-]", .invalidNumber, 2)
        assertError("[1.]", .invalidNumber, 3)
        assertError("[1.e5]", .invalidNumber, 3)
        assertError("[1e]", .invalidNumber, 3)
        assertError("[1e+]", .invalidNumber, 4)
        assertError("[1E-x]", .invalidNumber, 4)
        assertError("[+1]", .invalidNumber, 1)
        assertError("[.5]", .invalidNumber, 1)
        assertError("[-.5]", .invalidNumber, 2)
        assertError(#"{"configurationId":0123}"#, .invalidNumber, 20)
        // Valid shapes, including huge ones (the grammar has no limit).
        for text in ["0", "-0", "0.0", "-0.5e-0", "1E5", "1e+5", "123456789012345678901234567890", "1e400", "-1.5E+300"] {
            XCTAssertNil(harness.scan(text).error, text)
            XCTAssertNil(harness.scan("[\(text)]").error, text)
        }
    }

    func testInvalidLiteral() {
        assertError("[tru]", .invalidLiteral, 4)
        assertError("[nul]", .invalidLiteral, 4)
        assertError("[fals e]", .invalidLiteral, 5)
        assertError("[tRue]", .invalidLiteral, 2)
        assertError("nil", .invalidLiteral, 1)
        for text in ["true", "false", "null", "[true,false,null]", #"{"a":null}"#] {
            XCTAssertNil(harness.scan(text).error, text)
        }
    }

    func testDescriptionAndNames() {
        let error = JSONScanError(reason: .invalidEscape, offset: 1234)
        XCTAssertEqual(error.description, "invalid escape at byte 1234")
        XCTAssertEqual(JSONScanError.Reason.allCases.map(\.rawValue), [
            "unexpectedByte", "unexpectedEnd", "trailingContent", "controlCharacterInString", "invalidEscape",
            "loneSurrogate", "invalidUTF8", "invalidNumber", "invalidLiteral", "depthLimitExceeded",
        ])
    }
}
