import IngestHTTP
import XCTest

/// Malformed and hostile requests: each gets its error and status, for every cutting, and the
/// requests before it on the same connection are still served.
final class MalformedRequestTests: XCTestCase {
    struct Case {
        var name: String
        var input: [UInt8]
        var error: HTTPParseError
        var status: Int
        var limits = HTTPLimits()
    }

    static let post = "POST / HTTP/1.1\nHost: h\n"

    static var cases: [Case] {
        var c: [Case] = []
        func add(_ name: String, _ text: String, _ error: HTTPParseError, _ status: Int, limits: HTTPLimits = HTTPLimits()) {
            c.append(Case(name: name, input: .crlf(text), error: error, status: status, limits: limits))
        }
        func addRaw(_ name: String, _ bytes: [UInt8], _ error: HTTPParseError, _ status: Int, limits: HTTPLimits = HTTPLimits()) {
            c.append(Case(name: name, input: bytes, error: error, status: status, limits: limits))
        }
        // Request line.
        add("empty method", " / HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("two spaces after method", "GET  / HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("two spaces after target", "GET /  HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("missing version", "GET /\nHost: h\n\n", .invalidRequestLine, 400)
        add("missing target", "GET HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("non-token method", "GE(T / HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("lowercase protocol", "GET / http/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("short version", "GET / HTTP/1\nHost: h\n\n", .invalidRequestLine, 400)
        add("long minor", "GET / HTTP/1.10\nHost: h\n\n", .invalidRequestLine, 400)
        add("two-digit major", "GET / HTTP/11.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("trailing space after version", "GET / HTTP/1.1 \nHost: h\n\n", .invalidRequestLine, 400)
        add("tab separator", "GET\t/ HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("control byte in target", "GET /a\u{01}b HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("DEL in target", "GET /a\u{7F} HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        add("non-ASCII in target", "GET /caf\u{E9} HTTP/1.1\nHost: h\n\n", .invalidRequestLine, 400)
        addRaw("bare LF ends request line", Array("GET / HTTP/1.1\nHost: h\r\n\r\n".utf8), .invalidRequestLine, 400)
        addRaw("bare LF before request", Array("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8), .invalidRequestLine, 400)
        addRaw("TLS client hello", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03], .invalidRequestLine, 400)
        add("HTTP/2.0", "GET / HTTP/2.0\nHost: h\n\n", .unsupportedVersion, 505)
        add("HTTP/0.9 shape", "GET / HTTP/0.9\n\n", .unsupportedVersion, 505)
        add("HTTP/1.2", "GET / HTTP/1.2\nHost: h\n\n", .unsupportedVersion, 505)
        add("h2 preface", "PRI * HTTP/2.0\n\nSM\n\n", .unsupportedVersion, 505)
        // Header lines.
        add("space before colon", post + "Content-Length : 5\n\nhello", .invalidHeader, 400)
        add("empty name", post + ": v\n\n", .invalidHeader, 400)
        add("no colon", post + "NoColon\n\n", .invalidHeader, 400)
        add("non-token name", post + "X(y): v\n\n", .invalidHeader, 400)
        add("control byte in value", post + "X: a\u{01}b\n\n", .invalidHeader, 400)
        add("NUL in value", post + "X: a\u{00}b\n\n", .invalidHeader, 400)
        add("DEL in value", post + "X: a\u{7F}\n\n", .invalidHeader, 400)
        addRaw("bare LF in header section", Array("GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n".utf8), .invalidHeader, 400)
        add("whitespace before first header", "GET / HTTP/1.1\n Host: h\n\n", .invalidHeader, 400)
        add("duplicate Host", "GET / HTTP/1.1\nHost: a\nHost: b\n\n", .invalidHeader, 400)
        add("missing Host", "GET / HTTP/1.1\nUser-Agent: x\n\n", .missingHost, 400)
        add("obs-fold", post + "X-Long: a\n  continued\n\n", .obsoleteLineFolding, 400)
        add("obs-fold with tab", post + "X-Long: a\n\tcontinued\n\n", .obsoleteLineFolding, 400)
        addRaw("bare CR in value", Array("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n".utf8), .bareCarriageReturn, 400)
        addRaw("bare CR after request line", Array("GET / HTTP/1.1\rHost: h\r\n\r\n".utf8), .bareCarriageReturn, 400)
        addRaw("bare CR in target", Array("GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n".utf8), .bareCarriageReturn, 400)
        addRaw("bare CR in name", Array("GET / HTTP/1.1\r\nHo\rst: h\r\n\r\n".utf8), .bareCarriageReturn, 400)
        addRaw("bare CR ends head", Array("GET / HTTP/1.1\r\nHost: h\r\n\rX".utf8), .bareCarriageReturn, 400)
        addRaw("bare CR leading line", Array("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8), .bareCarriageReturn, 400)
        addRaw("CRLF inside name", Array("GET / HTTP/1.1\r\nHost\r\n\r\n".utf8), .invalidHeader, 400)
        // Limits.
        add("head over maxHeaderBytes", post + "X-Big: " + String(repeating: "a", count: 300) + "\n\n", .headerSectionTooLarge, 431,
            limits: HTTPLimits(maxHeaderBytes: 256))
        add("request line over maxHeaderBytes", "GET /" + String(repeating: "a", count: 300) + " HTTP/1.1\nHost: h\n\n",
            .headerSectionTooLarge, 431, limits: HTTPLimits(maxHeaderBytes: 256))
        add("too many headers", post + (1...5).map { "X-\($0): v\n" }.joined() + "\n", .tooManyHeaders, 431,
            limits: HTTPLimits(maxHeaderCount: 5))
        add("endless empty lines", String(repeating: "\n", count: 200), .headerSectionTooLarge, 431,
            limits: HTTPLimits(maxHeaderBytes: 256))
        add("Content-Length over maxBodyBytes", post + "Content-Length: 1001\n\n", .bodyTooLarge, 413,
            limits: HTTPLimits(maxBodyBytes: 1000))
        add("chunked total over maxBodyBytes", post + "Transfer-Encoding: chunked\n\n200\n" + String(repeating: "a", count: 512)
            + "\n1F5\n" + String(repeating: "b", count: 501) + "\n0\n\n", .bodyTooLarge, 413, limits: HTTPLimits(maxBodyBytes: 1012))
        add("single huge chunk", post + "Transfer-Encoding: chunked\n\nFFFFFFFFFFFF\n", .bodyTooLarge, 413)
        add("trailers over maxHeaderBytes", post + "Transfer-Encoding: chunked\n\n0\nX-T: " + String(repeating: "t", count: 200) + "\n\n",
            .headerSectionTooLarge, 431, limits: HTTPLimits(maxHeaderBytes: 200))
        add("trailers over maxHeaderCount", post + "Transfer-Encoding: chunked\n\n0\nX-T: 1\nX-U: 2\n\n",
            .tooManyHeaders, 431, limits: HTTPLimits(maxHeaderCount: 3))
        // Framing.
        add("gzip transfer coding", post + "Transfer-Encoding: gzip, chunked\n\n", .unsupportedTransferCoding, 501)
        add("chunked not last", post + "Transfer-Encoding: chunked, gzip\n\n", .unsupportedTransferCoding, 501)
        add("identity coding", post + "Transfer-Encoding: identity\n\n", .unsupportedTransferCoding, 501)
        add("chunked with parameter", post + "Transfer-Encoding: chunked;q=1\n\n", .unsupportedTransferCoding, 501)
        add("chunked twice", post + "Transfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n", .conflictingFraming, 400)
        add("empty Transfer-Encoding", post + "Transfer-Encoding: \n\n", .invalidHeader, 400)
        add("CL and TE", post + "Content-Length: 5\nTransfer-Encoding: chunked\n\n0\n\n", .conflictingFraming, 400)
        add("TE and CL", post + "Transfer-Encoding: chunked\nContent-Length: 5\n\n0\n\n", .conflictingFraming, 400)
        add("TE in HTTP/1.0", "POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n0\n\n", .conflictingFraming, 400)
        add("different duplicate CL", post + "Content-Length: 5\nContent-Length: 6\n\nhello!", .conflictingFraming, 400)
        add("CL plus sign", post + "Content-Length: +5\n\nhello", .invalidContentLength, 400)
        add("CL negative", post + "Content-Length: -1\n\n", .invalidContentLength, 400)
        add("CL with inner space", post + "Content-Length: 1 2\n\n", .invalidContentLength, 400)
        add("CL list", post + "Content-Length: 5, 5\n\nhello", .invalidContentLength, 400)
        add("CL empty", post + "Content-Length:\n\n", .invalidContentLength, 400)
        add("CL hex", post + "Content-Length: 0x10\n\n", .invalidContentLength, 400)
        add("CL overflow", post + "Content-Length: 99999999999999999999999\n\n", .invalidContentLength, 400)
        add("CL just over Int.max", post + "Content-Length: 9223372036854775808\n\n", .invalidContentLength, 400)
        // Chunks.
        add("chunk size overflow", post + "Transfer-Encoding: chunked\n\n10000000000000000\n", .invalidChunk, 400)
        add("chunk size non-hex", post + "Transfer-Encoding: chunked\n\nzz\n", .invalidChunk, 400)
        add("chunk size empty", post + "Transfer-Encoding: chunked\n\n\nabc\n", .invalidChunk, 400)
        add("chunk size with sign", post + "Transfer-Encoding: chunked\n\n+5\nhello\n0\n\n", .invalidChunk, 400)
        add("chunk size with inner space", post + "Transfer-Encoding: chunked\n\n1 2\n", .invalidChunk, 400)
        add("chunk size 0x prefix", post + "Transfer-Encoding: chunked\n\n0x5\nhello\n0\n\n", .invalidChunk, 400)
        add("chunk data too long", post + "Transfer-Encoding: chunked\n\n2\nabc\n0\n\n", .invalidChunk, 400)
        addRaw("chunk line bare LF", [UInt8].crlf(post + "Transfer-Encoding: chunked\n\n") + Array("5\nhello\r\n0\r\n\r\n".utf8), .invalidChunk, 400)
        addRaw("chunk data LF only", [UInt8].crlf(post + "Transfer-Encoding: chunked\n\n") + Array("5\r\nhello\n0\r\n\r\n".utf8), .invalidChunk, 400)
        addRaw("LF in chunk extension", [UInt8].crlf(post + "Transfer-Encoding: chunked\n\n") + Array("5;a\nb\r\nhello\r\n0\r\n\r\n".utf8), .invalidChunk, 400)
        add("chunk extension too long", post + "Transfer-Encoding: chunked\n\n5;" + String(repeating: "e", count: 5000) + "\nhello\n0\n\n",
            .invalidChunk, 400)
        add("trailer obs-fold", post + "Transfer-Encoding: chunked\n\n0\nX: a\n b\n\n", .obsoleteLineFolding, 400)
        add("trailer bad name", post + "Transfer-Encoding: chunked\n\n0\nX Y: a\n\n", .invalidHeader, 400)
        addRaw("trailer bare CR", [UInt8].crlf(post + "Transfer-Encoding: chunked\n\n0\nX: a") + Array("\rb\r\n\r\n".utf8), .bareCarriageReturn, 400)
        return c
    }

    func testMalformedTable() {
        for c in Self.cases {
            let t = ParserDriver.checkAllCuttings(c.input, limits: c.limits, maxExhaustive: 400, randomRounds: 2)
            XCTAssertEqual(t.error, c.error, "case '\(c.name)': \(t)")
            XCTAssertEqual(c.error.status, c.status, "case '\(c.name)'")
            XCTAssertEqual(t.violations, [], "case '\(c.name)'")
        }
    }

    func testErrorAfterGoodRequestKeepsEarlierRequests() {
        let input: [UInt8] = .crlf("GET /ok HTTP/1.1\nHost: h\n\nPOST / HTTP/1.1\nHost: h\nContent-Length: 1\nTransfer-Encoding: chunked\n\n")
        let t = ParserDriver.checkAllCuttings(input)
        XCTAssertEqual(t.heads.map(\.target), ["/ok"])
        XCTAssertEqual(t.endCount, 1)
        XCTAssertEqual(t.error, .conflictingFraming)
    }

    func testLimitsAreInclusive() {
        // A head of exactly maxHeaderBytes is accepted; one more byte is 431.
        let head: [UInt8] = .crlf("GET / HTTP/1.1\nHost: h\n\n")
        XCTAssertNil(ParserDriver.checkAllCuttings(head, limits: HTTPLimits(maxHeaderBytes: head.count)).error)
        XCTAssertEqual(ParserDriver.checkAllCuttings(head, limits: HTTPLimits(maxHeaderBytes: head.count - 1)).error, .headerSectionTooLarge)
        // Exactly maxHeaderCount headers are accepted.
        XCTAssertNil(ParserDriver.checkAllCuttings(.crlf("GET / HTTP/1.1\nHost: h\nA: 1\n\n"), limits: HTTPLimits(maxHeaderCount: 2)).error)
        // Content-Length equal to maxBodyBytes is accepted; chunks summing to it too.
        let ten = [UInt8](repeating: 0x61, count: 10)
        XCTAssertNil(ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nContent-Length: 10\n\n") + ten,
                                                   limits: HTTPLimits(maxBodyBytes: 10)).error)
        XCTAssertNil(ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n4\naaaa\n6\naaaaaa\n0\n\n"),
                                                   limits: HTTPLimits(maxBodyBytes: 10)).error)
        // Duplicate identical Content-Length is allowed.
        let dup = ParserDriver.checkAllCuttings(.crlf("POST / HTTP/1.1\nHost: h\nContent-Length: 2\ncontent-length: 02\n\nok"))
        XCTAssertNil(dup.error)
        XCTAssertEqual(dup.bodies, [Array("ok".utf8)])
    }

    func testStatusAndReasonOfEveryError() {
        let all: [HTTPParseError] = [.invalidRequestLine, .invalidHeader, .headerSectionTooLarge, .tooManyHeaders, .missingHost,
                                     .invalidContentLength, .conflictingFraming, .unsupportedTransferCoding, .unsupportedVersion,
                                     .invalidChunk, .bodyTooLarge, .bareCarriageReturn, .obsoleteLineFolding]
        XCTAssertEqual(all.map(\.status), [400, 400, 431, 431, 400, 400, 400, 501, 505, 400, 413, 400, 400])
        let reasons = all.map { "\($0.reason)" }
        XCTAssertEqual(Set(reasons).count, all.count, "reasons are distinct")
        XCTAssertEqual(HTTPParseError.invalidChunk.reason.description, "invalid chunk framing")
    }
}
