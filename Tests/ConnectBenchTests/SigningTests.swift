import BenchSupport
import IngestHMAC
import XCTest

/// The generator's signatures must be exactly what a correct listener verifies.
final class SigningTests: XCTestCase {
    /// Independent values: the corpus vectors were computed with OpenSSL/Python outside this code.
    func testSignerMatchesCorpusVectorsForEveryFileAndBothKeys() throws {
        let vectors = try TestCorpus.vectors()
        let key1 = vectors["key_1"] as! String
        let key2 = vectors["key_2"] as! String
        let list = vectors["vectors"] as! [[String: Any]]
        XCTAssertEqual(list.count, 12)
        for vector in list {
            let file = vector["file"] as! String
            let body = try TestCorpus.bytes(file)
            XCTAssertEqual(body.count, vector["body_len"] as? Int, file)
            let sig1 = String(decoding: RequestSigner(key: key1).signature(of: body), as: UTF8.self)
            let sig2 = String(decoding: RequestSigner(key: key2).signature(of: body), as: UTF8.self)
            XCTAssertEqual(sig1, vector["X-DocuSign-Signature-1"] as? String, file)
            XCTAssertEqual(sig2, vector["X-DocuSign-Signature-2"] as? String, file)
            XCTAssertNotEqual(sig1, vector["WRONG_if_key_base64_decoded"] as? String, file)
        }
        let empty = String(decoding: RequestSigner(key: key1).signature(of: []), as: UTF8.self)
        XCTAssertEqual(empty, (vectors["empty_body"] as! [String: String])["X-DocuSign-Signature-1"])
    }

    /// Every generated request carries the HMAC of its exact body bytes (forged ones a different,
    /// well-formed value), and its Content-Length is the body length.
    func testGeneratedRequestsAreSignedOverTheirExactBodies() throws {
        let key = "K4vZ3oQ1v0m9b2XkTQ8Wn6YpRr5sUu7wAa1Bc2De3Fg="
        let signer = RequestSigner(key: key)
        for kind in [PayloadKind.small, .summary, .mix, .documents] {
            let settings = PayloadSettings(kind: kind, documentSize: 32 * 1024, seed: 42)
            let pool = RequestPool(settings: settings, target: RequestTarget(path: "/webhooks/docusign", hostHeader: "127.0.0.1:8080"),
                                   signer: signer, forgery: ForgeryPlan(rate: 0.3, seed: 42), firstIndex: 100,
                                   count: kind == .documents ? 6 : 60)
            var forgedCount = 0
            for i in 0..<pool.count {
                let request = ParsedRequest(pool.request(i))
                XCTAssertEqual(request.requestLine, "POST /webhooks/docusign HTTP/1.1")
                XCTAssertEqual(request.headers["host"], "127.0.0.1:8080")
                XCTAssertEqual(request.headers["content-length"], String(request.body.count))
                XCTAssertEqual(request.headers["x-authorization-digest"], "HMACSHA256")
                XCTAssertEqual(request.body, pool.body(i))
                let expected = request.body.withUnsafeBytes {
                    String(decoding: HMACSHA256.signatureHeaderValue(key: Array(key.utf8), message: $0), as: UTF8.self)
                }
                let header = try XCTUnwrap(request.headers["x-docusign-signature-1"])
                XCTAssertEqual(header.count, 44)
                XCTAssertNotNil(Data(base64Encoded: header), "signature header is valid base64")
                if pool.forged[i] {
                    forgedCount += 1
                    XCTAssertNotEqual(header, expected, "\(kind) #\(i) forged but matches")
                } else {
                    XCTAssertEqual(header, expected, "\(kind) #\(i)")
                }
                XCTAssertEqual(pool.digests[i], signer.digest(of: request.body))
            }
            if kind != .documents { XCTAssertTrue(forgedCount > 5 && forgedCount < 35, "\(kind): \(forgedCount) forged of 60") }
        }
    }

    func testForgeryRateIsRespectedAndDeterministic() {
        let plan = ForgeryPlan(rate: 0.1, seed: 9)
        let forged = (0..<10_000).filter { plan.isForged($0) }.count
        XCTAssertTrue(forged > 850 && forged < 1150, "\(forged) of 10000 at rate 0.1")
        XCTAssertEqual((0..<1000).map { plan.isForged($0) }, (0..<1000).map { ForgeryPlan(rate: 0.1, seed: 9).isForged($0) })
        XCTAssertFalse((0..<1000).contains { ForgeryPlan(rate: 0, seed: 9).isForged($0) })
        XCTAssertTrue((0..<1000).allSatisfy { ForgeryPlan(rate: 1, seed: 9).isForged($0) })
    }
}
