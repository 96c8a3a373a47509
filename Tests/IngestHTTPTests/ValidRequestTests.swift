import IngestHTTP
import IngestTestSupport
import XCTest

/// Well-formed requests: every field the server relies on, for every cutting of the input.
final class ValidRequestTests: XCTestCase {
    func testGetWithoutBodyEndsRightAfterHead() {
        let t = ParserDriver.checkAllCuttings(.crlf("GET /healthz?x=1 HTTP/1.1\nHost: example.com\nUser-Agent: curl/8.5\n\n"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.count, 1)
        let h = t.heads[0]
        XCTAssertEqual(h.method, .get)
        XCTAssertEqual(h.methodText, "GET")
        XCTAssertEqual(h.target, "/healthz?x=1")
        XCTAssertEqual(h.version, .http11)
        XCTAssertNil(h.contentLength)
        XCTAssertFalse(h.isChunked)
        XCTAssertTrue(h.keepAlive)
        XCTAssertFalse(h.expectsContinue)
        XCTAssertEqual(h.headers, [["Host", "example.com"], ["User-Agent", "curl/8.5"]])
        XCTAssertEqual(t.bodies, [[]])
        XCTAssertEqual(t.leftover, 0)
        XCTAssertTrue(t.idle)
    }

    func testPostWithContentLength() {
        let body = #"{"event":"envelope-sent"}"#
        let t = ParserDriver.checkAllCuttings(.crlf("POST /webhooks/docusign HTTP/1.1\nHost: h\nContent-Type: application/json\nContent-Length: \(body.utf8.count)\n\n") + Array(body.utf8))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.first?.method, .post)
        XCTAssertEqual(t.heads.first?.contentLength, body.utf8.count)
        XCTAssertEqual(t.bodies, [Array(body.utf8)])
        XCTAssertTrue(t.idle)
    }

    func testContentLengthZeroAndLeadingZeros() {
        let t = ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nContent-Length: 0\n\nPOST / HTTP/1.1\nHost: h\nContent-Length: 003\n\nabc"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.map(\.contentLength), [0, 3])
        XCTAssertEqual(t.bodies, [[], Array("abc".utf8)])
    }

    func testChunkedWithExtensionsAndTrailers() {
        let input: [UInt8] = .crlf("POST /in HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n")
            + .crlf("5;name=value;quoted=\"a b\"\nhello\n")
            + .crlf("0A \t; ext\n0123456789\n")
            + .crlf("1\n!\n")
            + .crlf("000\nX-Trailer: yes\nOther:\tv\t\n\n")
        let t = ParserDriver.checkAllCuttings(input)
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.first?.isChunked, true)
        XCTAssertNil(t.heads.first?.contentLength)
        XCTAssertEqual(t.bodies, [Array("hello0123456789!".utf8)])
        XCTAssertEqual(t.leftover, 0)
        XCTAssertTrue(t.idle)
    }

    func testChunkedWithoutTrailersAndUppercaseHex() {
        let t = ParserDriver.checkAllCuttings(.crlf("PUT /x HTTP/1.1\nHost: h\nTransfer-Encoding: Chunked\n\nA\n0123456789\n0\n\n"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.first?.method, .put)
        XCTAssertEqual(t.bodies, [Array("0123456789".utf8)])
    }

    func testTransferEncodingListWithEmptyMembers() {
        let t = ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: , chunked ,\n\n0\n\n"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.first?.isChunked, true)
        XCTAssertEqual(t.bodies, [[]])
    }

    func testHTTP10KeepAliveRules() {
        let t = ParserDriver.checkAllCuttings(.crlf("GET / HTTP/1.0\n\nGET / HTTP/1.0\nConnection: Keep-Alive\n\nGET / HTTP/1.0\nConnection: keep-alive, close\n\n"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.map(\.version), [.http10, .http10, .http10])
        XCTAssertEqual(t.heads.map(\.keepAlive), [false, true, false])
        XCTAssertEqual(t.endCount, 3)
    }

    func testConnectionClose() {
        let t = ParserDriver.checkAllCuttings(.crlf("GET / HTTP/1.1\nHost: h\nConnection: upgrade, CLOSE\n\n"))
        XCTAssertEqual(t.heads.first?.keepAlive, false)
        let u = ParserDriver.checkAllCuttings(.crlf("GET / HTTP/1.1\nHost: h\nConnection: keep-alive\nConnection: close-ish\n\n"))
        XCTAssertEqual(u.heads.first?.keepAlive, true)
    }

    func testExpectContinue() {
        let t = ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nExpect: 100-Continue\nContent-Length: 2\n\nok"))
        XCTAssertEqual(t.heads.first?.expectsContinue, true)
        XCTAssertEqual(t.bodies, [Array("ok".utf8)])
        // HTTP/1.0 must ignore it (RFC 9110 section 10.1.1); other expectations are not 100-continue.
        let u = ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.0\nExpect: 100-continue\nContent-Length: 0\n\nPOST / HTTP/1.1\nHost: h\nExpect: 200-ok\n\n"))
        XCTAssertEqual(u.heads.map(\.expectsContinue), [false, false])
    }

    func testPipelinedRequestsInOneBuffer() {
        let input: [UInt8] = .crlf("POST /a HTTP/1.1\nHost: h\nContent-Length: 3\n\nabc")
            + .crlf("GET /b HTTP/1.1\nHost: h\n\n")
            + .crlf("POST /c HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n2\nxy\n0\n\n")
            + .crlf("DELETE /d HTTP/1.1\nHost: h\n\n")
            + .crlf("GET /partial HTTP/1.1\nHo")
        let t = ParserDriver.checkAllCuttings(input)
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.map(\.target), ["/a", "/b", "/c", "/d"])
        XCTAssertEqual(t.heads.map(\.method), [.post, .get, .post, .delete])
        XCTAssertEqual(t.bodies, [Array("abc".utf8), [], Array("xy".utf8), []])
        XCTAssertEqual(t.leftover, "GET /partial HTTP/1.1\r\nHo".utf8.count)
        XCTAssertFalse(t.idle, "a partial request is not idle")
        XCTAssertFalse(t.inBody)
    }

    func testOddCaseNamesEmptyValuesAndTrimming() {
        let t = ParserDriver.checkAllCuttings(.crlf("OPTIONS * HTTP/1.1\nhOsT:   h  \nX-EMPTY:\nx-Spaces: \t \nCONTENT-length:1\nX-Inner:  a \t b \n\nZ"))
        XCTAssertNil(t.error)
        let h = t.heads[0]
        XCTAssertEqual(h.method, .options)
        XCTAssertEqual(h.target, "*")
        XCTAssertEqual(h.contentLength, 1)
        XCTAssertEqual(h.headers, [["hOsT", "h"], ["X-EMPTY", ""], ["x-Spaces", ""], ["CONTENT-length", "1"], ["X-Inner", "a \t b"]])
        XCTAssertEqual(t.bodies, [Array("Z".utf8)])
    }

    func testMethodsAndObsTextValues() {
        let t = ParserDriver.checkAllCuttings(.crlf("PATCH /p HTTP/1.1\nHost: h\nX-Utf8: caf\u{E9}\n\nHEAD / HTTP/1.1\nHost: h\n\nget / HTTP/1.1\nHost: h\n\nM-SEARCH * HTTP/1.1\nHost: h\n\n"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.heads.map(\.method), [.patch, .head, .other, .other])
        XCTAssertEqual(t.heads.map(\.methodText), ["PATCH", "HEAD", "get", "M-SEARCH"])
        XCTAssertEqual(t.heads[0].headers[1], ["X-Utf8", "caf\u{E9}"])
    }

    func testLeadingEmptyLinesAreSkippedAndConsumed() {
        let t = ParserDriver.checkAllCuttings(.crlf("\n\nGET / HTTP/1.1\nHost: h\n\n"))
        XCTAssertNil(t.error)
        XCTAssertEqual(t.endCount, 1)
        // An old client's extra CRLF after a body leaves the connection idle, not "partial".
        let u = ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nContent-Length: 1\n\nx\n"))
        XCTAssertEqual(u.endCount, 1)
        XCTAssertEqual(u.leftover, 0)
        XCTAssertTrue(u.idle)
    }

    func testLargeBodyIsDeliveredInPiecesWithoutBuffering() {
        var rng = SeededRandom(seed: 42)
        let body = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let input: [UInt8] = .crlf("POST /big HTTP/1.1\nHost: h\nContent-Length: \(body.count)\n\n") + body
        let t = ParserDriver.checkAllCuttings(input, maxExhaustive: 40, randomRounds: 2)
        XCTAssertEqual(t.bodies, [body])

        // Fed in 64 KB reads, no body step is larger than the read that carried it.
        let parser = RequestParser(limits: HTTPLimits())
        var offset = 0
        var pending: [UInt8] = []
        var largest = 0
        var total = 0
        while offset < input.count {
            pending += input[offset..<min(input.count, offset + 65_536)]
            offset += 65_536
            loop: while true {
                let step = pending.withUnsafeBytes { parser.parse($0) }
                switch step {
                case .needMore(let c): pending.removeFirst(c); break loop
                case .head(let c), .end(let c): pending.removeFirst(c)
                case .body(_, let n, let c): largest = max(largest, n); total += n; pending.removeFirst(c)
                case .error(let e): XCTFail("\(e)"); return
                }
            }
        }
        XCTAssertEqual(total, body.count)
        XCTAssertLessThanOrEqual(largest, 65_536)
        XCTAssertTrue(parser.isIdle)
    }

    func testChunkedLargeBodyManyChunks() {
        var input: [UInt8] = .crlf("POST /c HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n")
        var expected: [UInt8] = []
        for k in 1...40 {
            let chunk = [UInt8](repeating: UInt8(65 + k % 26), count: k * 37)
            input += Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10]
            expected += chunk
        }
        input += .crlf("0\n\n")
        let t = ParserDriver.checkAllCuttings(input, maxExhaustive: 300)
        XCTAssertEqual(t.bodies, [expected])
    }

    func testParserIsReusableAfterReset() {
        let parser = RequestParser(limits: HTTPLimits())
        let bad = ParserDriver.run([Array("BAD\r\n".utf8)[...]], parser: parser)
        XCTAssertEqual(bad.error, .invalidRequestLine)
        parser.reset()
        XCTAssertTrue(parser.isIdle)
        let good = ParserDriver.run([[UInt8].crlf("GET / HTTP/1.1\nHost: h\n\n")[...]], parser: parser)
        XCTAssertNil(good.error)
        XCTAssertEqual(good.endCount, 1)
    }

    func testHeaderAccessorsAndSpanHelpers() {
        let input: [UInt8] = .crlf("POST /webhooks/docusign?a=b HTTP/1.1\nHost: h\nX-DocuSign-Signature-1: abc=\nx-docusign-signature-2: def=\nContent-Length: 0\n\n")
        let parser = RequestParser(limits: HTTPLimits())
        input.withUnsafeBytes { bytes in
            guard case .head = parser.parse(bytes) else { return XCTFail("no head") }
            let head = parser.head
            XCTAssertTrue(spanEquals(head.target, in: bytes, lowercase: "/webhooks/docusign?a=b"))
            XCTAssertTrue(spanEquals(pathSpan(of: head.target, in: bytes), in: bytes, lowercase: "/webhooks/docusign"))
            var signatures: [String] = []
            for i in 0..<head.headerCount where spanHasPrefix(parser.headerName(at: i), in: bytes, lowercase: "x-docusign-signature-") {
                signatures.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[parser.headerValue(at: i).range]), as: UTF8.self))
            }
            XCTAssertEqual(signatures, ["abc=", "def="])
            XCTAssertEqual(parser.firstHeader(named: "content-length", in: bytes), 3)
            XCTAssertNil(parser.firstHeader(named: "content-type", in: bytes))
            XCTAssertFalse(spanEquals(parser.headerName(at: 0), in: bytes, lowercase: "hos"))
            XCTAssertFalse(spanHasPrefix(parser.headerName(at: 0), in: bytes, lowercase: "hosts"))
            XCTAssertTrue(spanHasPrefix(parser.headerName(at: 0), in: bytes, lowercase: ""))
            XCTAssertTrue(spanEquals(parser.headerName(at: 0), in: bytes, lowercase: "host"))
            XCTAssertTrue(spanEquals(ByteSpan(offset: 0, length: 1), in: bytes, lowercase: "p"))
        }
    }
}
