import IngestDedup
import IngestLog
import IngestTestSupport
import XCTest

/// The message id as the README specifies it: fixed vectors (computed independently with
/// Python's hashlib.blake2b from the documented encoding), the encoding rebuilt here from the
/// text and compared over random field sets, and the properties redelivery needs.
final class MessageIdentityTests: XCTestCase {
    static let account = "b5a4b3c2-1111-2222-3333-444455556666"
    static let envelope = "93be49ab-1234-4d6e-9a1b-f752070d71ec"
    static let generated = "2022-12-09T18:32:13.2990000Z"

    private func fieldsID(_ account: String?, _ configuration: String?, _ event: String?,
                          _ envelope: String?, _ generated: String?) -> MessageID {
        func with<R>(_ text: String?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
            guard let text else { return body(nil) }
            return Array(text.utf8).withUnsafeBytes { body($0) }
        }
        return with(account) { a in with(configuration) { c in with(event) { e in with(envelope) { v in with(generated) { g in
            MessageIdentity.fromFields(accountId: a, configurationId: c, event: e, envelopeId: v, generatedDateTime: g)
        } } } } }
    }

    private func bodyID(_ text: String, leavingOut range: Range<Int>?) -> MessageID {
        Array(text.utf8).withUnsafeBytes { MessageIdentity.fromBody($0, leavingOut: range) }
    }

    func testDocumentedVectors() {
        let full = fieldsID(Self.account, "10363315", "envelope-completed", Self.envelope, Self.generated)
        XCTAssertEqual(full.hex, "b44140e902c2cef48ac2062529e6b928")
        XCTAssertEqual(fieldsID(nil, "10363315", "envelope-completed", Self.envelope, Self.generated).hex,
                       "bed204461a487d0bebfc533b819532bc")
        XCTAssertEqual(fieldsID("", "10363315", "envelope-completed", Self.envelope, Self.generated).hex,
                       "668b3728476d6ea5ef0c89e09465095c", "empty is not absent")
        let body = #"{"event":"click-agreed","retryCount":0,"data":{"x":1}}"#
        let offset = Array(body.utf8).firstIndex(of: UInt8(ascii: "0"))!
        XCTAssertEqual(bodyID(body, leavingOut: offset..<(offset + 1)).hex, "b8e99cabca3e83820feec5caa24717d9")
        let redelivered = #"{"event":"click-agreed","retryCount":12,"data":{"x":1}}"#
        XCTAssertEqual(bodyID(redelivered, leavingOut: offset..<(offset + 2)).hex, "b8e99cabca3e83820feec5caa24717d9")
        XCTAssertEqual(bodyID(body, leavingOut: nil).hex, "1df398ece0fce43e6a2a73c59e866972")
    }

    /// The encoding written out again from the README's text (with Foundation-free arrays),
    /// hashed with the one-shot BLAKE2b, against `fromFields` for random present/empty/absent fields.
    func testFieldsFormMatchesTheSpecificationText() {
        let seed: UInt64 = 0x1D_E471
        var random = SeededRandom(seed: seed)
        for round in 0..<500 {
            let fields: [String?] = (0..<5).map { _ in
                switch random.next() % 5 {
                case 0: return nil
                case 1: return ""
                case 2 where round % 3 == 0:   // long values: encodings over 512 bytes take the streaming path
                    return String((0..<Int(200 + random.next() % 300)).map { _ in Character(Unicode.Scalar(UInt8(33 + random.next() % 90))) })
                default: return String((0..<Int(random.next() % 60)).map { _ in Character(Unicode.Scalar(UInt8(33 + random.next() % 90))) })
                }
            }
            var input: [UInt8] = [0x01]
            for field in fields {
                if let field {
                    let count = UInt32(field.utf8.count)
                    input += [UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 24)]
                    input += Array(field.utf8)
                } else {
                    input += [0xFF, 0xFF, 0xFF, 0xFF]
                }
            }
            let digest = input.withUnsafeBytes { BLAKE2b.hash($0, digestLength: 16) }
            let expected = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
            let actual = fieldsID(fields[0], fields[1], fields[2], fields[3], fields[4]).hex
            XCTAssertEqual(actual, expected, "round \(round), seed \(seed), fields \(fields)")
            if actual != expected { return }
        }
    }

    func testFieldBoundariesAndOrderMatter() {
        let a = fieldsID("ab", "c", "e", "v", "g")
        XCTAssertNotEqual(a, fieldsID("a", "bc", "e", "v", "g"))
        XCTAssertNotEqual(a, fieldsID("c", "ab", "e", "v", "g"))
        XCTAssertNotEqual(fieldsID(nil, "", "e", "v", "g"), fieldsID("", nil, "e", "v", "g"))
        XCTAssertNotEqual(fieldsID(Self.account, "1", "e", "v", "g"), fieldsID(Self.account, "2", "e", "v", "g"),
                          "two configurations of one account: two messages")
        XCTAssertEqual(a, fieldsID("ab", "c", "e", "v", "g"))
    }

    func testChoiceOfForm() {
        let body = Array(#"{"event":"envelope-sent","generatedDateTime":"x","data":{"envelopeId":"y"},"retryCount":1}"#.utf8)
        func id(_ event: String?, _ envelope: String?, _ generated: String?) -> MessageID {
            body.withUnsafeBytes { b in
                func with<R>(_ text: String?, _ f: (UnsafeRawBufferPointer?) -> R) -> R {
                    guard let text else { return f(nil) }
                    return Array(text.utf8).withUnsafeBytes { f($0) }
                }
                return with(event) { e in with(envelope) { v in with(generated) { g in
                    MessageIdentity.of(accountId: nil, configurationId: nil, event: e, envelopeId: v, generatedDateTime: g,
                                       body: b, retryCountValue: nil)
                } } }
            }
        }
        XCTAssertEqual(id("envelope-sent", "y", "x"), fieldsID(nil, nil, "envelope-sent", "y", "x"))
        let bodyForm = body.withUnsafeBytes { MessageIdentity.fromBody($0, leavingOut: nil) }
        XCTAssertEqual(id(nil, "y", "x"), bodyForm)
        XCTAssertEqual(id("envelope-sent", nil, "x"), bodyForm)
        XCTAssertEqual(id("envelope-sent", "y", nil), bodyForm)
    }

    /// Redeliveries (only the retryCount value differs) share the body form's id; any other
    /// change does not; a body with its value left out never equals the literal shortened body.
    func testBodyFormProperties() {
        func message(_ retry: String, tail: String = "}") -> (String, Range<Int>) {
            let head = #"{"event":"click","retryCount":"#
            let text = head + retry + #","data":{"k":"v"}"# + tail
            let start = head.utf8.count
            return (text, start..<(start + retry.utf8.count))
        }
        let (first, r1) = message("0")
        let (second, r2) = message("\"7\"")
        let (third, r3) = message(" 12 ")
        XCTAssertEqual(bodyID(first, leavingOut: r1), bodyID(second, leavingOut: r2))
        XCTAssertEqual(bodyID(first, leavingOut: r1), bodyID(third, leavingOut: r3))
        let (other, r4) = message("0", tail: ",\"x\":1}")
        XCTAssertNotEqual(bodyID(first, leavingOut: r1), bodyID(other, leavingOut: r4))
        let shortened = #"{"event":"click","retryCount":,"data":{"k":"v"}}"#
        XCTAssertNotEqual(bodyID(first, leavingOut: r1), bodyID(shortened, leavingOut: nil))
        XCTAssertNotEqual(bodyID(first, leavingOut: r1), bodyID(first, leavingOut: nil))
    }

    /// The streaming hasher gives the one-shot answer whatever the pieces and wherever the
    /// left-out range falls (inside one piece, across several, at the ends).
    func testStreamingBodyHasherAtRandomCuts() {
        let seed: UInt64 = 0xB0D1
        var random = SeededRandom(seed: seed)
        for round in 0..<400 {
            let length = Int(random.next() % 600)
            let body = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var range: Range<Int>? = nil
            if length > 0 && random.next() % 5 != 0 {
                let start = Int(random.next() % UInt64(length))
                range = start..<(start + 1 + Int(random.next() % UInt64(length - start)))
            }
            let expected = body.withUnsafeBytes { MessageIdentity.fromBody($0, leavingOut: range) }
            var hasher = BodyIdentityHasher(leavingOut: range)
            let pieces = SplitFeeder.randomCutting(of: body, maxPiece: [1, 3, 17, 130, 600][round % 5], using: &random)
            for piece in pieces { piece.withUnsafeBytes { hasher.update($0) } }
            XCTAssertEqual(hasher.finish(), expected, "round \(round), seed \(seed), length \(length), range \(String(describing: range))")
        }
    }
}
