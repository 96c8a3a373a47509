import IngestHMAC
import IngestTestSupport
import XCTest

/// Per-account keys: which keys a message is checked against, decided by its account header.
final class AccountKeysTests: XCTestCase {
    let body = "{\"event\":\"envelope-sent\"}".bytes

    func signature(_ key: String) -> [UInt8] {
        HMACSHA256.signatureHeaderValue(key: key.bytes, message: body)
    }

    func verdict(_ authenticator: MessageAuthenticator, account: AccountID?, signedWith key: String) -> SignatureVerdict {
        authenticator.begin(account: account)
        signature(key).withUnsafeBytes { authenticator.addCandidateSignature($0) }
        body.withUnsafeBytes { authenticator.update($0) }
        return authenticator.finishWithVerdict()
    }

    func testAKeyOfOneAccountNeverVerifiesAnotherAccountsMessage() {
        let a = AccountID("7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d")!
        let b = AccountID("0b0b0b0b-2222-4a5b-9c8d-0e1f2a3b4c5d")!
        let c = AccountID("0c0c0c0c-3333-4a5b-9c8d-0e1f2a3b4c5d")!   // no keys of its own
        let keys = SigningKeys(global: ["global-key".bytes], accounts: [(a, ["key-of-a".bytes, "key-of-a-next".bytes]),
                                                                         (b, ["key-of-b".bytes])])
        XCTAssertEqual(keys.count, 4)
        XCTAssertEqual(keys.accountCount, 2)
        XCTAssertEqual(keys.globalKeyCount, 1)
        XCTAssertEqual(keys.accountKeyCount, 3)
        XCTAssertEqual(keys.keysTried(for: a), 3)
        XCTAssertEqual(keys.keysTried(for: c), 1)
        XCTAssertEqual(keys.keysTried(for: nil), 1)
        let authenticator = MessageAuthenticator(keys: keys)

        XCTAssertEqual(verdict(authenticator, account: a, signedWith: "key-of-a"), .verified)
        XCTAssertTrue(authenticator.verifiedWithAccountKey)
        XCTAssertEqual(authenticator.selectedAccountOrdinal, 0)
        XCTAssertEqual(authenticator.triedKeyCount, 3)
        XCTAssertEqual(verdict(authenticator, account: a, signedWith: "key-of-a-next"), .verified)
        XCTAssertEqual(verdict(authenticator, account: b, signedWith: "key-of-b"), .verified)
        XCTAssertEqual(authenticator.selectedAccountOrdinal, 1)

        XCTAssertEqual(verdict(authenticator, account: b, signedWith: "key-of-a"), .mismatch, "A's key on B's message")
        XCTAssertEqual(verdict(authenticator, account: a, signedWith: "key-of-b"), .mismatch, "B's key on A's message")
        XCTAssertEqual(verdict(authenticator, account: c, signedWith: "key-of-a"), .mismatch, "account without keys")
        XCTAssertNil(authenticator.selectedAccountOrdinal)
        XCTAssertEqual(authenticator.triedKeyCount, 1)
        XCTAssertEqual(verdict(authenticator, account: nil, signedWith: "key-of-a"), .mismatch, "no header: global keys only")

        for account in [a, b, c, nil] {
            XCTAssertEqual(verdict(authenticator, account: account, signedWith: "global-key"), .verified, "\(String(describing: account))")
            XCTAssertFalse(authenticator.verifiedWithAccountKey)
        }
    }

    func testLookupAgreesWithADictionaryForManyAccounts() {
        // 1,000 accounts (random GUIDs, seeded) with 1-3 keys each: every account finds exactly
        // its own run, and random absent ids (including ones differing in one bit) find none.
        let seed: UInt64 = 0xACC_0001
        var random = SeededRandom(seed: seed)
        var model: [AccountID: [[UInt8]]] = [:]
        var order: [AccountID] = []
        while order.count < 1000 {
            let account = AccountID(high: random.next(), low: random.next())
            guard model[account] == nil else { continue }
            model[account] = (0..<(1 + Int(random.next() % 3))).map { "key-\(order.count)-\($0)".bytes }
            order.append(account)
        }
        let keys = SigningKeys(global: [], accounts: order.map { ($0, model[$0]!) })
        XCTAssertEqual(keys.accounts, order)
        let authenticator = MessageAuthenticator(keys: keys)
        for (ordinal, account) in order.enumerated() {
            XCTAssertEqual(keys.keysTried(for: account), model[account]!.count, "seed \(seed)")
            let secret = String(decoding: model[account]!.last!, as: UTF8.self)
            XCTAssertEqual(verdict(authenticator, account: account, signedWith: secret), .verified, "seed \(seed) ordinal \(ordinal)")
            XCTAssertEqual(authenticator.selectedAccountOrdinal, ordinal, "seed \(seed)")
        }
        for _ in 0..<5000 {
            let base = order[Int(random.next() % 1000)]
            let bit = random.next() % 128
            let probe = bit < 64 ? AccountID(high: base.high ^ (1 << bit), low: base.low) : AccountID(high: base.high, low: base.low ^ (1 << (bit - 64)))
            if model[probe] == nil {
                XCTAssertEqual(keys.keysTried(for: probe), 0, "seed \(seed)")
            }
            let stranger = AccountID(high: random.next(), low: random.next())
            if model[stranger] == nil {
                XCTAssertEqual(keys.keysTried(for: stranger), 0, "seed \(seed)")
            }
        }
    }

    func testRebindSwitchesKeysBetweenMessages() {
        let a = AccountID("7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d")!
        let authenticator = MessageAuthenticator(keys: SigningKeys(secrets: ["old".bytes]))
        XCTAssertEqual(verdict(authenticator, account: a, signedWith: "old"), .verified)
        authenticator.rebind(to: SigningKeys(global: ["new".bytes], accounts: [(a, ["a1".bytes, "a2".bytes, "a3".bytes])]))
        XCTAssertEqual(verdict(authenticator, account: a, signedWith: "old"), .mismatch)
        XCTAssertEqual(verdict(authenticator, account: a, signedWith: "a3"), .verified, "more keys per message than before")
        XCTAssertEqual(verdict(authenticator, account: nil, signedWith: "new"), .verified)
        XCTAssertEqual(authenticator.keyCount, 4)
    }
}
