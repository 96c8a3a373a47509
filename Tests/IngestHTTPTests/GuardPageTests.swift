import Glibc
import IngestHTTP
import XCTest

/// Inputs placed so that their last byte is the last byte before a PROT_NONE page: any read past
/// the caller's bytes (e.g. by a word-at-a-time scan) would crash the test.
final class GuardPageTests: XCTestCase {
    func testNoReadPastTheBuffer() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let region = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              region != MAP_FAILED else { throw XCTSkip("mmap failed") }
        defer { munmap(region, 2 * page) }
        XCTAssertEqual(mprotect(region + page, page, PROT_NONE), 0)

        let heads: [[UInt8]] = [
            .crlf("GET /a/long/target/path/with/many/segments?and=query HTTP/1.1\nHost: example.com\nX-Long-Value: abcdefghijklmnopqrstuvwxyz\n\n"),
            .crlf("POST / HTTP/1.1\nHost: h\nContent-Length: 9\n\n123456789"),
            .crlf("POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3\nabc\n0\nX: y\n\n"),
        ]
        for input in heads {
            // Every prefix, so scans stop at every possible distance from the guard page.
            for length in 0...input.count {
                let start = region + page - length
                input.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: length) }
                let parser = RequestParser(limits: HTTPLimits())
                var offset = 0
                loop: while true {
                    let step = parser.parse(UnsafeRawBufferPointer(start: start + offset, count: length - offset))
                    switch step {
                    case .needMore(let c): offset += c; break loop
                    case .head(let c), .end(let c), .body(_, _, let c): offset += c
                    case .error(let e): XCTFail("\(e) at length \(length)"); break loop
                    }
                }
            }
        }
    }
}
