import IngestJSON
import IngestTestSupport
import XCTest

/// The SIMD string skipping and its edges: every string length around the 16- and 64-byte steps,
/// every alignment, and a special byte (quote, escape, control character, UTF-8 lead, invalid
/// byte) at every position, whole and split.
final class StringScanningTests: XCTestCase {
    private let harness = ScanHarness()

    func testLengthsAndAlignments() {
        for padding in 0..<18 {
            for length in 0...200 {
                let value = String(repeating: "a", count: length)
                let text = String(repeating: " ", count: padding) + #"{"event":"\#(value)"}"#
                let bytes = Array(text.utf8)
                let whole = harness.scan(bytes)
                XCTAssertEqual(whole, .valid(event: value), "padding \(padding) length \(length)")
                let cut = (padding * 7 + length * 13) % (bytes.count + 1)
                XCTAssertEqual(harness.scan([bytes[..<cut], bytes[cut...]]), whole, "padding \(padding) length \(length) cut \(cut)")
            }
        }
    }

    /// In a 150-byte string, each kind of special byte at each position.
    func testSpecialByteAtEveryPosition() {
        let prefix = Array(#"{"event":""#.utf8)
        for position in 0..<150 {
            func document(_ insert: [UInt8]) -> [UInt8] {
                var body = [UInt8](repeating: UInt8(ascii: "b"), count: 150)
                body.replaceSubrange(position..<(position + 1), with: insert)
                return prefix + body + Array(#""}"#.utf8)
            }
            let at = prefix.count + position
            let cases: [([UInt8], ScanOutcome)] = [
                (Array("\\n".utf8), .valid(event: String(repeating: "b", count: position) + "\n" + String(repeating: "b", count: 149 - position))),
                (Array("é".utf8), .valid(event: String(repeating: "b", count: position) + "é" + String(repeating: "b", count: 149 - position))),
                (Array("😀".utf8), .valid(event: String(repeating: "b", count: position) + "😀" + String(repeating: "b", count: 149 - position))),
                ([0x7F], .valid(event: String(repeating: "b", count: position) + "\u{7F}" + String(repeating: "b", count: 149 - position))),
                ([0x09], ScanOutcome(error: JSONScanError(reason: .controlCharacterInString, offset: at))),
                ([0x00], ScanOutcome(error: JSONScanError(reason: .controlCharacterInString, offset: at))),
                ([0xFF], ScanOutcome(error: JSONScanError(reason: .invalidUTF8, offset: at))),
                ([0x80], ScanOutcome(error: JSONScanError(reason: .invalidUTF8, offset: at))),
                (Array("\\q".utf8), ScanOutcome(error: JSONScanError(reason: .invalidEscape, offset: at + 1))),
                // An early closing quote: the rest is structure, and "b" is not.
                ([0x22], ScanOutcome(error: JSONScanError(reason: .unexpectedByte, offset: at + 1),
                                     event: Array(String(repeating: "b", count: position).utf8))),
            ]
            for (insert, expected) in cases {
                let bytes = document(insert)
                XCTAssertEqual(harness.scan(bytes), expected, "\(debugText(insert)) at \(position)")
                let cut = at + insert.count / 2
                XCTAssertEqual(harness.scan([bytes[..<cut], bytes[cut...]]), expected, "\(debugText(insert)) at \(position) split \(cut)")
            }
        }
    }

    /// A 1 MiB base64 string with one special byte near each 64-byte window edge.
    func testMegabyteStringWithSpecialsNearWindowEdges() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var rng = SeededRandom(seed: 42)
        let prefix = Array(#"{"documents":[{"PDFBytes":""#.utf8)
        let suffix = Array(#""}],"event":"envelope-completed"}"#.utf8)
        var content = (0..<(1 << 20)).map { _ in alphabet[Int(rng.next() % 64)] }
        let harness = ScanHarness(arenaCapacity: 1 << 22)
        XCTAssertEqual(harness.scan(prefix + content + suffix), .valid(event: "envelope-completed"))
        for offset in [0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 4095, 4096, (1 << 20) - 65, (1 << 20) - 64, (1 << 20) - 1] {
            let saved = content[offset]
            content[offset] = 0x01
            let bytes = prefix + content + suffix
            let expected = JSONScanError(reason: .controlCharacterInString, offset: prefix.count + offset)
            XCTAssertEqual(harness.scan(bytes).error, expected, "control at \(offset)")
            let cut = prefix.count + offset - offset % 7
            XCTAssertEqual(harness.scan([bytes[..<cut], bytes[cut...]]).error, expected, "control at \(offset) split at \(cut)")
            content[offset] = saved
        }
        // In 1, 3 and 64 KiB pieces, the fields after it are still found.
        let bytes = prefix + content + suffix
        for pieceSize in [1000, 3 * 1024, 64 * 1024] {
            let pieces = stride(from: 0, to: bytes.count, by: pieceSize).map { bytes[$0..<min(bytes.count, $0 + pieceSize)] }
            XCTAssertEqual(harness.scan(pieces), .valid(event: "envelope-completed"), "pieces of \(pieceSize)")
        }
    }

    func testKeysOfEveryLengthAroundTheKeyBuffer() {
        for length in 0...80 {
            let key = String(repeating: "k", count: length)
            XCTAssertEqual(harness.scan(#"{"\#(key)":"v","event":"e"}"#), .valid(event: "e"), "key length \(length)")
            XCTAssertEqual(harness.scan(#"{"data":{"\#(key)":"v","envelopeId":"x"}}"#), .valid(envelopeId: "x"))
        }
    }
}
