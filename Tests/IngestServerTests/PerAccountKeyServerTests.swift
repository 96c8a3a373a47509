import Foundation
import IngestTestSupport
import XCTest

/// Per-account HMAC keys end to end: a message is checked against its account's keys plus the
/// global ones, never another account's; counted by outcome, per account only when asked.
final class PerAccountKeyServerTests: XCTestCase {
    typealias Support = CredentialTestSupport

    func testAnAccountsKeyVerifiesOnlyThatAccountsMessages() throws {
        let keyOfA = "key-of-account-a-0000000000000000000000000="
        let keyOfB = "key-of-account-b-0000000000000000000000000="
        let global = ConnectMessages.keyA
        let fixture = try ServerFixture(arguments: ["--metrics-accounts"], keys: [
            "\(Support.accountA) \(keyOfA)", "\(Support.accountB.uppercased())\t\(keyOfB)", global,
        ])
        let client = try fixture.client()
        var expectedBodies: [[UInt8]] = []
        var n = 0
        func send(_ keys: [String], account: String?, expect status: Int, _ message: String) throws {
            n += 1
            let body = ConnectMessages.event(n)
            try client.send(Support.request(body, signedWith: keys, account: account))
            XCTAssertEqual(try client.readResponse().status, status, message)
            if status == 200 { expectedBodies.append(body) }
        }
        try send([keyOfA], account: Support.accountA, expect: 200, "A's key on A's message")
        try send([keyOfB], account: Support.accountB, expect: 200, "B's key on B's message")
        try send([keyOfA], account: Support.accountB, expect: 401, "A's key on B's message")
        try send([keyOfB], account: Support.accountA, expect: 401, "B's key on A's message")
        try send([keyOfA], account: nil, expect: 401, "A's key without an account header")
        try send([keyOfA], account: Support.accountA.replacingOccurrences(of: "-", with: ""), expect: 401, "not a GUID: global keys only")
        try send([keyOfA], account: "0c0c0c0c-3333-4a5b-9c8d-0e1f2a3b4c5d", expect: 401, "an account without keys")
        try send([global], account: Support.accountB, expect: 200, "a global key on B's message")
        try send([global], account: nil, expect: 200, "a global key without an account header")
        try send([keyOfB, keyOfA], account: Support.accountA.uppercased(), expect: 200, "any matching signature, account id in upper case")
        // Two account headers make the account ambiguous: neither account's keys are tried.
        n += 1
        try client.send(Support.request(ConnectMessages.event(n), signedWith: [keyOfA], account: Support.accountA,
                                        extraHeaders: ["X-DocuSign-AccountId: \(Support.accountA)"]))
        XCTAssertEqual(try client.readResponse().status, 401, "two X-DocuSign-AccountId headers")

        let metrics = try Support.metrics(fixture.port)
        for line in [
            "connect_hmac_verifications_total{outcome=\"verified\",key=\"account\"} 3",
            "connect_hmac_verifications_total{outcome=\"verified\",key=\"global\"} 2",
            "connect_hmac_verifications_total{outcome=\"mismatch\"} 6",
            "connect_hmac_account_keys_tried_total 6",
            "connect_credentials_loaded{kind=\"accounts\"} 2",
            "connect_credentials_loaded{kind=\"account_keys\"} 2",
            "connect_credentials_loaded{kind=\"global_keys\"} 1",
            "connect_hmac_account_verifications_total{account=\"\(Support.accountA)\",outcome=\"verified\"} 2",
            "connect_hmac_account_verifications_total{account=\"\(Support.accountA)\",outcome=\"refused\"} 1",
            "connect_hmac_account_verifications_total{account=\"\(Support.accountB)\",outcome=\"verified\"} 2",
            "connect_hmac_account_verifications_total{account=\"\(Support.accountB)\",outcome=\"refused\"} 1",
        ] {
            XCTAssertTrue(metrics.contains(line + "\n"), "missing \(line) in\n\(metrics)")
        }
        XCTAssertEqual(fixture.stop(), 0)
        let records = try fixture.records()
        XCTAssertEqual(records.map(\.body), expectedBodies)
        XCTAssertEqual(records.first?.accountId, Array(Support.accountA.utf8), "the account is stored with the record")
        let stderr = fixture.server.stderr
        XCTAssertTrue(stderr.contains("accounts=2") && stderr.contains("account_keys=2") && stderr.contains("global_keys=1"), stderr)
        for key in [keyOfA, keyOfB, global] { XCTAssertFalse(stderr.contains(key.prefix(16)), "key material in the log") }
    }

    func testNoAccountSeriesWithoutTheFlag() throws {
        let fixture = try ServerFixture(keys: ["\(Support.accountA) some-account-key", ConnectMessages.keyA])
        let client = try fixture.client()
        try client.send(Support.request(ConnectMessages.event(1), signedWith: ["some-account-key"], account: Support.accountA))
        XCTAssertEqual(try client.readResponse().status, 200)
        let metrics = try Support.metrics(fixture.port)
        XCTAssertTrue(metrics.contains("connect_hmac_verifications_total{outcome=\"verified\",key=\"account\"} 1"), metrics)
        XCTAssertFalse(metrics.contains("account=\""), "per-account series only with --metrics-accounts")
        XCTAssertFalse(metrics.contains(Support.accountA))
        XCTAssertEqual(fixture.stop(), 0)
    }
}
