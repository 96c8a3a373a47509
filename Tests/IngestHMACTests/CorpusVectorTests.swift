import Foundation
import XCTest
import IngestHMAC
import IngestTestSupport

/// Every corpus body against `corpus/hmac-test-vectors.selfmade.json`.
final class CorpusVectorTests: XCTestCase {
    struct Vector {
        var file: String
        var bodyLength: Int
        var signature1: [UInt8]
        var signature2: [UInt8]
        var wrongIfKeyDecoded: [UInt8]
    }

    struct Vectors {
        var key1: [UInt8]
        var key2: [UInt8]
        var emptyBodySignature1: [UInt8]
        var vectors: [Vector]
    }

    static let vectorFile = "hmac-test-vectors.selfmade.json"

    func loadVectors() throws -> Vectors {
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(Corpus.bytes(Self.vectorFile))) as? [String: Any])
        func string(_ object: [String: Any], _ key: String) throws -> [UInt8] {
            try XCTUnwrap(object[key] as? String, "missing \(key)").bytes
        }
        let entries = try XCTUnwrap(json["vectors"] as? [[String: Any]])
        let vectors = try entries.map { entry in
            Vector(file: try XCTUnwrap(entry["file"] as? String),
                   bodyLength: try XCTUnwrap(entry["body_len"] as? Int),
                   signature1: try string(entry, "X-DocuSign-Signature-1"),
                   signature2: try string(entry, "X-DocuSign-Signature-2"),
                   wrongIfKeyDecoded: try string(entry, "WRONG_if_key_base64_decoded"))
        }
        let empty = try XCTUnwrap(json["empty_body"] as? [String: Any])
        return Vectors(key1: try string(json, "key_1"), key2: try string(json, "key_2"),
                       emptyBodySignature1: try string(empty, "X-DocuSign-Signature-1"), vectors: vectors)
    }

    /// A new corpus body without a vector would silently go untested.
    func testEveryCorpusBodyHasAVector() throws {
        let vectors = try loadVectors()
        let bodies = try FileManager.default.contentsOfDirectory(atPath: Corpus.directory.path)
            .filter { $0 != Self.vectorFile && $0 != "SOURCES.md" }.sorted()
        XCTAssertEqual(vectors.vectors.map(\.file).sorted(), bodies)
        XCTAssertGreaterThanOrEqual(bodies.count, 12)
    }

    func testEachKeyVerifiesItsOwnSignatureOnly() throws {
        let vectors = try loadVectors()
        let only1 = MessageAuthenticator(keys: SigningKeys(secrets: [vectors.key1]))
        let only2 = MessageAuthenticator(keys: SigningKeys(secrets: [vectors.key2]))
        for v in vectors.vectors {
            let body = try Corpus.bytes(v.file)
            XCTAssertEqual(body.count, v.bodyLength, v.file)
            XCTAssertEqual(only1.verdict(signatures: [v.signature1], body: body), .verified, v.file)
            XCTAssertEqual(only2.verdict(signatures: [v.signature2], body: body), .verified, v.file)
            XCTAssertEqual(only1.verdict(signatures: [v.signature2], body: body), .mismatch, v.file)
            XCTAssertEqual(only2.verdict(signatures: [v.signature1], body: body), .mismatch, v.file)
            XCTAssertTrue(only1.verifies(signatures: [v.signature1], body: body), v.file)
            XCTAssertFalse(only1.verifies(signatures: [v.signature2], body: body), v.file)
        }
    }

    func testOneShotReproducesTheVectors() throws {
        let vectors = try loadVectors()
        for v in vectors.vectors {
            let body = try Corpus.bytes(v.file)
            XCTAssertEqual(HMACSHA256.signatureHeaderValue(key: vectors.key1, message: body), v.signature1, v.file)
            XCTAssertEqual(HMACSHA256.signatureHeaderValue(key: vectors.key2, message: body), v.signature2, v.file)
        }
        XCTAssertEqual(HMACSHA256.signatureHeaderValue(key: vectors.key1, message: [UInt8]()), vectors.emptyBodySignature1)
    }

    /// The classic bug: base64-decoding the key. Its signature must not verify under the key as
    /// configured (the string's bytes), and it is indeed what the decoded key produces.
    func testSignatureFromDecodedKeyIsRejected() throws {
        let vectors = try loadVectors()
        let both = MessageAuthenticator(keys: SigningKeys(secrets: [vectors.key1, vectors.key2]))
        let decodedKey = try XCTUnwrap(Base64.decode(vectors.key1))
        XCTAssertEqual(decodedKey.count, 32)
        for v in vectors.vectors {
            let body = try Corpus.bytes(v.file)
            XCTAssertEqual(both.verdict(signatures: [v.wrongIfKeyDecoded], body: body), .mismatch, v.file)
            XCTAssertEqual(HMACSHA256.signatureHeaderValue(key: decodedKey, message: body), v.wrongIfKeyDecoded, v.file)
            XCTAssertEqual(both.verdict(signatures: [v.wrongIfKeyDecoded, v.signature2], body: body), .verified, v.file)
        }
    }

    func testEmptyBody() throws {
        let vectors = try loadVectors()
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: [vectors.key1]))
        XCTAssertEqual(authenticator.verdict(signatures: [vectors.emptyBodySignature1], pieces: []), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [vectors.emptyBodySignature1], body: []), .verified)
        XCTAssertEqual(authenticator.verdict(signatures: [vectors.emptyBodySignature1], body: [0x20]), .mismatch)
    }

    /// Every corpus body, whole, byte by byte and at every two-way split (sampled for the large
    /// files), verifies under both keys with one authenticator reused across all messages.
    func testEverySplitOfEveryCorpusBodyVerifies() throws {
        let vectors = try loadVectors()
        let both = MessageAuthenticator(keys: SigningKeys(secrets: [vectors.key1, vectors.key2]))
        for v in vectors.vectors {
            let body = try Corpus.bytes(v.file)
            for cutting in SplitFeeder.cuttings(of: body, maxExhaustive: body.count > 8192 ? 256 : 8192) {
                XCTAssertEqual(both.verdict(signatures: [v.signature1], pieces: cutting.pieces), .verified, "\(v.file) \(cutting.name) key 1")
                XCTAssertEqual(both.verdict(signatures: [v.signature2], pieces: cutting.pieces), .verified, "\(v.file) \(cutting.name) key 2")
            }
        }
    }
}
