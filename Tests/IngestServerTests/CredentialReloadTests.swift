import Foundation
import IngestTestSupport
import XCTest

/// SIGHUP reloads of the credentials: under a flood nothing valid under both key sets fails,
/// nothing is lost, no 5xx; a reload that cannot load keeps the old set and says why in one
/// line; `connect-ingest reload --pid-file` triggers it; a rotated JWKS takes effect and tokens
/// cached under the old one are not honoured.
final class CredentialReloadTests: XCTestCase {
    typealias Support = CredentialTestSupport
    let old = "rotation-old-key-000000000000000000000000000="
    let new = "rotation-new-key-000000000000000000000000000="

    func writeKeys(_ fixture: ServerFixture, _ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: fixture.keyFile, atomically: true, encoding: .utf8)
    }

    func reload(_ fixture: ServerFixture, expecting event: String, count: Int) {
        kill(fixture.server.process.processIdentifier, SIGHUP)
        XCTAssertTrue(Support.waitForLines(fixture.server, containing: "event=\(event) ", count: count),
                      "no \(count)th \(event) line: \(fixture.server.stderr)")
    }

    func testRotationUnderAFloodFailsNothingAndLosesNothing() throws {
        let fixture = try ServerFixture(keys: [old])
        final class Flood: @unchecked Sendable {
            let lock = NSLock()
            var stop = false
            var statuses: [Int: Int] = [:]
            var accepted: [[UInt8]] = []
            var errors: [String] = []
            var responses: Int { lock.withLock { statuses.values.reduce(0, +) } }
        }
        let flood = Flood()
        let connections = 4
        let group = DispatchGroup()
        for c in 0..<connections {
            group.enter()
            Thread.detachNewThread { [old, new] in
                defer { group.leave() }
                do {
                    let client = try fixture.client()
                    var n = 0
                    while !flood.lock.withLock({ flood.stop }) {
                        n += 1
                        // Signed with both keys: valid under every set this test publishes.
                        let body = ConnectMessages.event(c * 1_000_000 + n)
                        try client.send(Support.request(body, signedWith: [old, new], account: Support.accountA))
                        let status = try client.readResponse().status
                        flood.lock.withLock {
                            flood.statuses[status, default: 0] += 1
                            if status == 200 { flood.accepted.append(body) }
                        }
                    }
                } catch {
                    flood.lock.withLock { flood.errors.append("connection \(c): \(error)") }
                }
            }
        }
        // Rotate: old → old+new → new → (a broken file: kept) → new+old → old → old+new.
        let sets: [[String]?] = [[old, new], [new], nil, [new, old], [old], [old, new]]
        var reloaded = 0
        var failed = 0
        var progress: [Int] = [flood.responses]
        for set in sets {
            // Let the flood run across each reload.
            let before = flood.responses
            let deadline = Date().addingTimeInterval(10)
            while flood.responses < before + 200 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            if let set {
                try writeKeys(fixture, set)
                reloaded += 1
                reload(fixture, expecting: "reloaded", count: reloaded)
            } else {
                try writeKeys(fixture, ["# nothing but a comment"])
                failed += 1
                reload(fixture, expecting: "reload_failed", count: failed)
            }
            progress.append(flood.responses)
        }
        let before = flood.responses
        let deadline = Date().addingTimeInterval(10)
        while flood.responses < before + 200 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        flood.lock.withLock { flood.stop = true }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success, "flood threads stopped")

        XCTAssertEqual(flood.errors, [])
        XCTAssertEqual(Set(flood.statuses.keys), [200], "every message valid under both sets got 200: \(flood.statuses)")
        for (index, count) in progress.enumerated().dropFirst() {
            XCTAssertGreaterThan(count, progress[index - 1], "requests flowed between reload \(index - 1) and \(index)")
        }
        // The last set (old+new) after a failed load in between: the generation counts only successes.
        let metrics = try Support.metrics(fixture.port)
        XCTAssertTrue(metrics.contains("connect_credentials_generation \(1 + reloaded)\n"), metrics)
        XCTAssertTrue(metrics.contains("connect_credentials_reloads_total{result=\"failed\"} 1\n"), metrics)
        XCTAssertFalse(metrics.contains("status=\"503\"} 1"), "no 503")

        // Now prove the last reload is in force: new alone and old alone both verify; after
        // reloading to [new], old alone does not. The connection's previous request was refused
        // at head time (its HMAC state begun, never finished) before the reload: the connection
        // rebinds to the new keys for its next request all the same.
        let client = try fixture.client()
        try client.send(Support.request(ConnectMessages.event(9_000_001), signedWith: [old]))
        XCTAssertEqual(try client.readResponse().status, 200)
        try client.send(Support.request(ConnectMessages.event(9_000_004), signedWith: []))
        XCTAssertEqual(try client.readResponse().status, 401, "no signature: refused at head time")
        try writeKeys(fixture, [new])
        reload(fixture, expecting: "reloaded", count: reloaded + 1)
        try client.send(Support.request(ConnectMessages.event(9_000_002), signedWith: [old]))
        XCTAssertEqual(try client.readResponse().status, 401, "the old key is gone")
        try client.send(Support.request(ConnectMessages.event(9_000_003), signedWith: [new]))
        XCTAssertEqual(try client.readResponse().status, 200)

        XCTAssertEqual(fixture.stop(), 0)
        let stored = try fixture.records().map(\.body)
        let expected = flood.lock.withLock { flood.accepted } + [ConnectMessages.event(9_000_001), ConnectMessages.event(9_000_003)]
        XCTAssertEqual(stored.count, expected.count, "every 200 is in the log, once")
        XCTAssertEqual(Set(stored), Set(expected))
        XCTAssertTrue(fixture.server.stderr.contains("reload_failed") && fixture.server.stderr.contains("holds no key"),
                      "the failed reload says why")
    }

    func testFailedReloadKeepsEveryCredentialAndReloadCommandWorks() throws {
        let directory = try ProjectPaths.temporaryDirectory("connect-reload")
        defer { try? FileManager.default.removeItem(at: directory) }
        let jwks = directory.appendingPathComponent("jwks.json")
        try Support.keySet([(Support.rsa, "rsa-1")]).write(to: jwks, atomically: true, encoding: .utf8)
        let pidFile = directory.appendingPathComponent("serve.pid")
        let fixture = try ServerFixture(arguments: ["--oauth-jwks", jwks.path, "--oauth-issuer", Support.issuer,
                                                    "--oauth-audience", Support.audience, "--pid-file", pidFile.path],
                                        keys: [old])
        let client = try fixture.client()
        let tokenRSA = "Authorization: Bearer " + Support.token()
        let tokenNext = "Authorization: Bearer " + Support.token(Support.rsaNext, kid: "rsa-2")
        try client.send(Support.request(ConnectMessages.event(1), signedWith: [old], extraHeaders: [tokenRSA]))
        XCTAssertEqual(try client.readResponse().status, 200)
        try client.send(Support.request(ConnectMessages.event(2), signedWith: [old], extraHeaders: [tokenNext]))
        XCTAssertEqual(try client.readResponse().status, 401, "rsa-2 is not in the JWKS yet")

        // The pid file names the server; `reload` signals it.
        let pid = try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(pid, "\(fixture.server.process.processIdentifier)")

        // A broken JWKS together with new keys: nothing changes (all or nothing), one error line.
        try writeKeys(fixture, [new])
        try "{\"keys\": [".write(to: jwks, atomically: true, encoding: .utf8)
        let (status, out, err) = try ServerProcess.runTool(["reload", "--pid-file", pidFile.path])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(String(decoding: out, as: UTF8.self).contains("sent SIGHUP"))
        XCTAssertTrue(Support.waitForLines(fixture.server, containing: "event=reload_failed", count: 1))
        let failure = fixture.server.stderr.components(separatedBy: "\n").filter { $0.contains("reload_failed") }
        XCTAssertEqual(failure.count, 1, "one line: \(failure)")
        XCTAssertTrue(failure[0].contains("oauth-jwks") && failure[0].contains(jwks.path), failure[0])
        try client.send(Support.request(ConnectMessages.event(3), signedWith: [old], extraHeaders: [tokenRSA]))
        XCTAssertEqual(try client.readResponse().status, 200, "the old keys and JWKS stay in force")
        try client.send(Support.request(ConnectMessages.event(4), signedWith: [new], extraHeaders: [tokenRSA]))
        XCTAssertEqual(try client.readResponse().status, 401, "the new key file was not half-applied")

        // A good JWKS that drops rsa-1 for rsa-2: the cached rsa-1 token is not honoured any more.
        try Support.keySet([(Support.rsaNext, "rsa-2")]).write(to: jwks, atomically: true, encoding: .utf8)
        XCTAssertEqual(try ServerProcess.runTool(["reload", "--pid-file", pidFile.path]).0, 0)
        XCTAssertTrue(Support.waitForLines(fixture.server, containing: "event=reloaded", count: 1))
        let line = fixture.server.stderr.components(separatedBy: "\n").first { $0.contains("event=reloaded") } ?? ""
        XCTAssertTrue(line.contains("component=credentials") && line.contains("generation=2") && line.contains("jwks_keys=1")
                      && line.contains("hmac_keys=1"), line)
        try client.send(Support.request(ConnectMessages.event(5), signedWith: [new], extraHeaders: [tokenRSA]))
        XCTAssertEqual(try client.readResponse().status, 401, "rsa-1 tokens, cached or not, are refused after the rotation")
        try client.send(Support.request(ConnectMessages.event(6), signedWith: [new], extraHeaders: [tokenNext]))
        XCTAssertEqual(try client.readResponse().status, 200)

        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().map(\.body), [1, 3, 6].map { ConnectMessages.event($0) })
        XCTAssertFalse(FileManager.default.fileExists(atPath: pidFile.path), "the pid file is removed at exit")

        let (badStatus, _, badErr) = try ServerProcess.runTool(["reload", "--pid-file", pidFile.path])
        XCTAssertEqual(badStatus, 1)
        XCTAssertTrue(badErr.contains("does not hold a process id"), badErr)
    }
}
