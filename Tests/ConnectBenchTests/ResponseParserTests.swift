import BenchSupport
import XCTest

/// The client's response parser gives the same answers however the bytes are cut.
final class ResponseParserTests: XCTestCase {
    /// Feeds `input` in the given pieces and collects the events other than `.needMore`.
    func parse(_ pieces: [ArraySlice<UInt8>]) -> [ResponseParser.Event] {
        var parser = ResponseParser()
        var events: [ResponseParser.Event] = []
        for piece in pieces {
            let bytes = Array(piece)
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let event = parser.next(raw, offset: &offset)
                    if event != .needMore { events.append(event) }
                    if case .failed = event { return }
                }
            }
            if case .failed? = events.last { break }
        }
        return events
    }

    /// Whole, byte by byte, and at every two-way split.
    func assertAllCuttings(_ text: String, _ expected: [ResponseParser.Event], file: StaticString = #filePath, line: UInt = #line) {
        let input = Array(text.utf8)
        XCTAssertEqual(parse([input[...]]), expected, "whole", file: file, line: line)
        XCTAssertEqual(parse(input.indices.map { input[$0...$0] }), expected, "byte by byte", file: file, line: line)
        for cut in 0...input.count {
            XCTAssertEqual(parse([input[..<cut], input[cut...]]), expected, "split at \(cut)", file: file, line: line)
        }
    }

    func testKeepAliveResponsesPipelined() {
        assertAllCuttings("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                          + "HTTP/1.1 401 Unauthorized\r\ncontent-length: 12\r\nContent-Type: text/plain\r\n\r\nbad signatur"
                          + "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno",
                          [.response(status: 200, close: false), .response(status: 401, close: false),
                           .response(status: 503, close: true)])
    }

    func testInterimAndBodilessResponses() {
        assertAllCuttings("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                          [.response(status: 204, close: false), .response(status: 200, close: false)])
    }

    func testHTTP10ClosesUnlessKeepAlive() {
        assertAllCuttings("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", [.response(status: 200, close: true)])
        assertAllCuttings("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n",
                          [.response(status: 200, close: false)])
        assertAllCuttings("HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n",
                          [.response(status: 200, close: true)])
    }

    func testBrokenResponsesAreRefused() {
        assertAllCuttings("HTTP/2 200\r\n\r\n", [.failed(.badStatusLine)])
        assertAllCuttings("HTTP/1.1 2x0 OK\r\n\r\n", [.failed(.badStatusLine)])
        assertAllCuttings("HTTP/1.1 200 OK\r\n\r\n", [.failed(.missingContentLength)])
        assertAllCuttings("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [.failed(.chunkedNotSupported)])
        assertAllCuttings("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", [.failed(.badContentLength)])
        assertAllCuttings("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", [.failed(.badContentLength)])
        let huge = "HTTP/1.1 200 OK\r\nX-Filler: " + String(repeating: "a", count: ResponseParser.maximumHeadBytes) + "\r\n\r\n"
        XCTAssertEqual(parse([Array(huge.utf8)[...]]), [.failed(.headTooLarge)])
    }

    func testIdleOnlyBetweenResponses() {
        var parser = ResponseParser()
        XCTAssertTrue(parser.isIdle)
        Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\na".utf8).withUnsafeBytes { raw in
            var offset = 0
            XCTAssertEqual(parser.next(raw, offset: &offset), .needMore)
            XCTAssertEqual(offset, raw.count)
        }
        XCTAssertFalse(parser.isIdle)
        parser.reset()
        XCTAssertTrue(parser.isIdle)
    }
}
