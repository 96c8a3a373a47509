import BenchSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The epoll client against a throwaway server on 127.0.0.1: counts, pipelining, server-side
/// closes and reconnects, open loop, pool wrap-around, and a dead port. No timing assertions.
final class ClientLoopbackTests: XCTestCase {
    let key = "loopback-test-key="

    func pool(count: Int, forgedRate: Double = 0, kind: PayloadKind = .small, port: UInt16) -> RequestPool {
        RequestPool(settings: PayloadSettings(kind: kind, seed: 11),
                    target: RequestTarget(path: "/webhooks/docusign", hostHeader: "127.0.0.1:\(port)"),
                    signer: RequestSigner(key: key), forgery: ForgeryPlan(rate: forgedRate, seed: 11),
                    firstIndex: 0, count: count)
    }

    func plan(port: UInt16, connections: Int, pipeline: Int, messages: Int?, duration: Double? = nil, rate: Double? = nil,
              stall: Double = 20) -> LoadPlan {
        LoadPlan(address: .ipv4(port: port), connections: connections, pipeline: pipeline,
                 duration: duration.map { UInt64($0 * 1e9) }, messages: messages, rate: rate,
                 startTime: MonotonicClock.now() + 20_000_000, stallTimeout: UInt64(stall * 1e9))
    }

    func testClosedLoopPipelinedWithServerClosesAndForgedSignatures() throws {
        let server = try ThrowawayServer(key: key, closeEvery: 40)
        defer { server.stop() }
        let requests = pool(count: 300, forgedRate: 0.2, kind: .mix, port: server.port)
        let c = ClientLoop.run(plan: plan(port: server.port, connections: 4, pipeline: 3, messages: 300), pool: requests)

        XCTAssertEqual(c.sends.reduce(0) { $0 + Int($1) }, 300)
        XCTAssertTrue(c.sends.allSatisfy { $0 == 1 }, "each message sent once")
        XCTAssertEqual(c.completed + c.lostInFlight, 300)
        XCTAssertGreaterThan(c.completed, 200)
        XCTAssertEqual(c.statusCounts[200] + c.statusCounts[401], c.completed)
        XCTAssertEqual(c.latency.count, c.completed)
        XCTAssertEqual(c.forgedAccepted, 0)
        XCTAssertEqual(c.genuineUnauthorized, 0, "the throwaway server verifies with IngestHMAC: every genuine signature matches")
        XCTAssertGreaterThan(c.serverClosed, 0)
        XCTAssertGreaterThan(c.connectionsOpened, 4, "closed connections were replaced")
        XCTAssertTrue(Set(c.errors.keys).isSubset(of: ["closed-with-requests-in-flight"]), "\(c.errors)")
        var forgedAnswered: UInt64 = 0
        let accepted = server.accepted.withLock { $0 }
        for i in 0..<requests.count where c.oks[i] > 0 {
            XCTAssertFalse(requests.forged[i], "forged #\(i) counted as 200")
            XCTAssertEqual(accepted[requests.digests[i]], 1, "message #\(i) got 200 but the server did not accept it")
        }
        for i in 0..<requests.count where requests.forged[i] && c.sends[i] > 0 { forgedAnswered += 1 }
        XCTAssertGreaterThanOrEqual(forgedAnswered, c.statusCounts[401])
        XCTAssertEqual(c.bytesWritten, UInt64(requests.arena.count) - UInt64(0),
                       "every request written whole (the pool holds exactly the 300 requests)")
    }

    func testOpenLoopSendsEveryScheduledArrival() throws {
        let server = try ThrowawayServer(key: key)
        defer { server.stop() }
        let requests = pool(count: 150, port: server.port)
        let c = ClientLoop.run(plan: plan(port: server.port, connections: 2, pipeline: 1, messages: 150, rate: 3000),
                               pool: requests)
        XCTAssertEqual(c.completed, 150)
        XCTAssertEqual(c.statusCounts[200], 150)
        XCTAssertEqual(c.unsentBacklog, 0)
        XCTAssertEqual(c.latency.count, 150)
        XCTAssertEqual(c.totalErrors, 0, "\(c.errors)")
        XCTAssertEqual(server.requests.load(ordering: .relaxed), 150)
    }

    func testPoolWrapsAroundWhenMoreMessagesThanRequests() throws {
        let server = try ThrowawayServer(key: key)
        defer { server.stop() }
        let requests = pool(count: 10, port: server.port)
        let c = ClientLoop.run(plan: plan(port: server.port, connections: 2, pipeline: 2, messages: 35), pool: requests)
        XCTAssertEqual(c.completed, 35)
        XCTAssertEqual(c.sends, [4, 4, 4, 4, 4, 3, 3, 3, 3, 3])
        XCTAssertEqual(c.oks, c.sends)
        let accepted = server.accepted.withLock { $0 }
        for i in 0..<10 { XCTAssertEqual(accepted[requests.digests[i]], Int(c.sends[i])) }
    }

    /// Waiting for the next arrival of a slow schedule is not a stall (gap 1 s > stall timeout 0.5 s).
    func testSlowOpenLoopIsNotAStall() throws {
        let server = try ThrowawayServer(key: key)
        defer { server.stop() }
        let c = ClientLoop.run(plan: plan(port: server.port, connections: 1, pipeline: 1, messages: 2, rate: 1, stall: 0.5),
                               pool: pool(count: 2, port: server.port))
        XCTAssertEqual(c.completed, 2)
        XCTAssertNil(c.errors["stalled"], "\(c.errors)")
    }

    /// A timed closed-loop run over a small pool: every send is accounted for.
    func testDurationRunAccountsForEverySend() throws {
        let server = try ThrowawayServer(key: key)
        defer { server.stop() }
        let requests = pool(count: 20, port: server.port)
        let c = ClientLoop.run(plan: plan(port: server.port, connections: 3, pipeline: 2, messages: nil, duration: 0.2),
                               pool: requests)
        let sends = c.sends.reduce(0) { $0 + UInt64($1) }
        XCTAssertGreaterThan(c.completed, 0)
        XCTAssertEqual(sends, c.completed + c.lostInFlight)
        XCTAssertEqual(c.statusCounts[200], c.completed)
        XCTAssertEqual(c.oks.reduce(0) { $0 + UInt64($1) }, c.completed)
        XCTAssertEqual(c.totalErrors, 0, "\(c.errors)")
    }

    func testDeadPortReportsConnectFailuresAndGivesUp() throws {
        // A port that was just free: bind, read the port, close.
        let probe = try ThrowawayServer(key: key)
        let port = probe.port
        probe.stop()
        let c = ClientLoop.run(plan: plan(port: port, connections: 2, pipeline: 1, messages: 10, stall: 0.3),
                               pool: pool(count: 10, port: port))
        XCTAssertEqual(c.completed, 0)
        XCTAssertGreaterThan(c.errors["connect-failed"] ?? 0, 0, "\(c.errors)")
        XCTAssertEqual(c.errors["stalled"], 1)
    }
}
