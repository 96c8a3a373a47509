import Foundation
import IngestTestSupport
import XCTest

/// The HTTP surface over real loopback sockets: routes, keep-alive, pipelining, 100-continue,
/// concurrency across workers, timeouts, graceful shutdown.
final class ServerHTTPTests: XCTestCase {
    func testHealthNotFoundAndMethodNotAllowed() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let health = try client.readResponse()
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.text, "ok\n")
        try client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 404)
        try client.send("GET /webhooks/docusign HTTP/1.1\r\nHost: x\r\n\r\n")
        let wrongMethod = try client.readResponse()
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.header("Allow"), "POST")
        XCTAssertEqual(fixture.stop(), 0)
    }

    func testKeepAliveSeveralRequestsOnOneConnection() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        for n in 0..<5 {
            try client.send(fixture.signedRequest(ConnectMessages.event(n)))
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200, "request \(n)")
            XCTAssertNil(response.header("Connection"))
        }
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 5)
    }

    func testPipelinedRequestsInOneWriteAreAnsweredInOrder() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        var batch: [UInt8] = []
        for n in 0..<10 {
            if n == 4 {
                batch += Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            } else if n == 7 {
                batch += ConnectMessages.request(body: ConnectMessages.event(n), signatures: [fixture.signature(ConnectMessages.event(n), key: Array("wrong".utf8))])
            } else {
                batch += fixture.signedRequest(ConnectMessages.event(n))
            }
        }
        try client.send(batch)
        var statuses: [Int] = []
        for _ in 0..<10 { statuses.append(try client.readResponse().status) }
        XCTAssertEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 401, 200, 200])
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 8)
    }

    func testExpectContinue() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let body = ConnectMessages.event(1)
        let request = fixture.signedRequest(body, extraHeaders: ["Expect: 100-continue"])
        let headEnd = request.count - body.count
        try client.send(Array(request[0..<headEnd]))
        XCTAssertEqual(try client.readResponse().status, 100)
        try client.send(body)
        XCTAssertEqual(try client.readResponse().status, 200)
        // Refused before the body is sent: the final status comes instead of 100 and the connection closes.
        let other = try fixture.client()
        try other.send("POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(try other.readResponse().status, 404)
        XCTAssertTrue(other.isClosedByPeer())
        XCTAssertEqual(fixture.stop(), 0)
    }

    func testHTTP10AndConnectionClose() throws {
        let fixture = try ServerFixture()
        let plain = try fixture.client()
        try plain.send("GET /healthz HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try plain.readResponse().status, 200)
        XCTAssertTrue(plain.isClosedByPeer(), "HTTP/1.0 without keep-alive closes")
        let keep = try fixture.client()
        try keep.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let response = try keep.readResponse()
        XCTAssertEqual(response.header("Connection")?.lowercased(), "keep-alive")
        try keep.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try keep.readResponse().status, 200)
        let closing = try fixture.client()
        try closing.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try closing.readResponse().header("Connection")?.lowercased(), "close")
        XCTAssertTrue(closing.isClosedByPeer())
        XCTAssertEqual(fixture.stop(), 0)
    }

    func testConcurrentConnectionsAcrossWorkers() throws {
        let fixture = try ServerFixture()
        let connections = 32, perConnection = 20
        final class Problems: @unchecked Sendable { let lock = NSLock(); var list: [String] = [] }
        let problems = Problems()
        DispatchQueue.concurrentPerform(iterations: connections) { c in
            do {
                let client = try fixture.client()
                for r in 0..<perConnection {
                    try client.send(fixture.signedRequest(ConnectMessages.event(c * 1000 + r)))
                    let status = try client.readResponse().status
                    if status != 200 { throw ServerProcessError(message: "status \(status)") }
                }
            } catch {
                problems.lock.lock(); problems.list.append("connection \(c): \(error)"); problems.lock.unlock()
            }
        }
        XCTAssertEqual(problems.list, [])
        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.count, connections * perConnection)
        XCTAssertEqual(Set(records.map(\.sequence)).count, records.count, "sequence numbers are unique")
    }

    func testPartialRequestTimesOutWith408() throws {
        let fixture = try ServerFixture(arguments: ["--request-timeout", "300ms"])
        let client = try fixture.client()
        try client.send("POST /webhooks/docusign HTTP/1.1\r\nHost: x\r\nContent-Le")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(client.isClosedByPeer())
        // A body that stalls is timed out as well, and nothing is stored.
        let body = ConnectMessages.event(1)
        let request = fixture.signedRequest(body)
        let stalled = try fixture.client()
        try stalled.send(Array(request[0..<(request.count - 10)]))
        XCTAssertEqual(try stalled.readResponse().status, 408)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().count, 0)
    }

    func testIdleKeepAliveConnectionIsClosed() throws {
        let fixture = try ServerFixture(arguments: ["--idle-timeout", "300ms"])
        let client = try fixture.client()
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertTrue(client.isClosedByPeer())
        XCTAssertEqual(fixture.stop(), 0)
    }

    func testMaxConnectionsClosesExtraConnectionsAtOnce() throws {
        let fixture = try ServerFixture(arguments: ["--max-connections", "2"])
        let first = try fixture.client(), second = try fixture.client()
        try first.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try second.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try first.readResponse().status, 200)
        XCTAssertEqual(try second.readResponse().status, 200)
        let third = try fixture.client()
        XCTAssertTrue(third.isClosedByPeer())
        XCTAssertEqual(fixture.stop(), 0)
    }

    func testGracefulShutdownFinishesRequestInFlight() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let body = ConnectMessages.event(42)
        let request = fixture.signedRequest(body)
        try client.send(Array(request[0..<(request.count - 20)]))
        Thread.sleep(forTimeInterval: 0.2)
        kill(fixture.server.process.processIdentifier, SIGTERM)
        // New connections are refused once the listeners are closed (polled: no fixed sleep).
        var refused = false
        for _ in 0..<100 where !refused {
            if (try? LoopbackClient(port: fixture.port)) == nil { refused = true } else { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(refused, "listeners closed after SIGTERM")
        try client.send(Array(request[(request.count - 20)...]))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection")?.lowercased(), "close")
        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.map(\.body), [body])
    }
}
