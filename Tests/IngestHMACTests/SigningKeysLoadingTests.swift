import Foundation
import XCTest
import IngestHMAC
import IngestTestSupport

final class SigningKeysLoadingTests: XCTestCase {
    let docuSignKey = "K4vZ3oQ1v0m9b2XkTQ8Wn6YpRr5sUu7wAa1Bc2De3Fg="
    let body = "{\"event\":\"envelope-sent\"}".bytes
    var directory: URL!

    override func setUpWithError() throws {
        directory = try ProjectPaths.temporaryDirectory("hmac-keys")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func write(_ name: String, _ contents: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(contents).write(to: url)
        return url.path
    }

    func write(_ name: String, _ contents: String) throws -> String {
        try write(name, contents.bytes)
    }

    /// Which of `secrets` the loaded keys accept, checked by verifying a signature made with each.
    func accepted(_ keys: SigningKeys, among secrets: [String]) -> [String] {
        let authenticator = MessageAuthenticator(keys: keys)
        return secrets.filter { secret in
            authenticator.verifies(signatures: [HMACSHA256.signatureHeaderValue(key: secret.bytes, message: body)], body: body)
        }
    }

    func testFileWithCommentsBlanksAndWhitespace() throws {
        let path = try write("keys", "# current and next key\n\n   \(docuSignKey)   \n\t# old = key\n\r\nnext-key-2026\r\n\n")
        let (keys, warnings) = try SigningKeys.load(keyFiles: [path], environmentValue: nil)
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(accepted(keys, among: [docuSignKey, "next-key-2026", "# old = key", "old = key", " \(docuSignKey)"]),
                       [docuSignKey, "next-key-2026"])
    }

    func testByteOrderMarkAndNoFinalNewline() throws {
        let path = try write("bom", [0xEF, 0xBB, 0xBF] + docuSignKey.bytes)
        let (keys, _) = try SigningKeys.load(keyFiles: [path], environmentValue: nil)
        XCTAssertEqual(accepted(keys, among: [docuSignKey]), [docuSignKey])
    }

    func testEnvironmentValue() throws {
        let (keys, warnings) = try SigningKeys.load(keyFiles: [], environmentValue: " \(docuSignKey) ,, second ,")
        XCTAssertEqual(keys.count, 2)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(accepted(keys, among: [docuSignKey, "second", " second "]), [docuSignKey, "second"])

        let (none, noneWarnings) = try SigningKeys.load(keyFiles: [], environmentValue: nil)
        XCTAssertTrue(none.isEmpty)
        XCTAssertEqual(noneWarnings, [])

        let (empty, emptyWarnings) = try SigningKeys.load(keyFiles: [], environmentValue: " , ")
        XCTAssertTrue(empty.isEmpty)
        XCTAssertEqual(emptyWarnings.count, 1)
        XCTAssertTrue(emptyWarnings[0].contains("CONNECT_HMAC_KEYS"), emptyWarnings[0])
    }

    func testFilesAndEnvironmentCombineAndDuplicatesCollapse() throws {
        let first = try write("a", "\(docuSignKey)\nrotation-new\n")
        let second = try write("b", "rotation-new\n")
        let (keys, warnings) = try SigningKeys.load(keyFiles: [first, second], environmentValue: "\(docuSignKey),from-env")
        XCTAssertEqual(keys.count, 3)
        XCTAssertEqual(accepted(keys, among: [docuSignKey, "rotation-new", "from-env"]), [docuSignKey, "rotation-new", "from-env"])
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings.allSatisfy { $0.contains("repeats") }, "\(warnings)")
        for warning in warnings { assertNoKeyMaterial(warning, keys: [docuSignKey, "rotation-new", "from-env"]) }
    }

    func testTruncatedKeyWarningNamesSourceButNoKeyMaterial() throws {
        let truncated = String(docuSignKey.dropLast())   // 43 characters, no '='
        let path = try write("keys", "# comment\n\(docuSignKey)\n\(truncated)\n")
        let (keys, warnings) = try SigningKeys.load(keyFiles: [path], environmentValue: "\(truncated)x,\(truncated.dropFirst())Q")
        XCTAssertEqual(keys.count, 4, "a suspicious key is still used")
        let fileWarning = try XCTUnwrap(warnings.first { $0.contains(path) }, "\(warnings)")
        XCTAssertTrue(fileWarning.contains("key 2 from \(path)"), fileWarning)
        XCTAssertTrue(fileWarning.contains("line 3"), fileWarning)
        XCTAssertTrue(fileWarning.contains("looks truncated (43 characters, no trailing '=')"), fileWarning)
        XCTAssertEqual(warnings.filter { $0.contains("looks truncated") }.count, 2, "the 43-character env key too: \(warnings)")
        for warning in warnings {
            assertNoKeyMaterial(warning, keys: [docuSignKey, truncated])
        }
    }

    func testNotTruncatedLookingKeys() throws {
        // 43 characters but not pure base64 (the corpus' second example key), 44 with '=', short.
        let (_, warnings) = try SigningKeys.load(keyFiles: [], environmentValue: "second-rotation-key-EXAMPLE-ONLY-000000000=,\(docuSignKey),short")
        XCTAssertEqual(warnings, [])
    }

    func testWhitespaceInsideAKeyIsMalformedAndSkipped() throws {
        // A line with two words whose first is not an account GUID is never guessed at: used as a
        // key for every account, a mistyped account line would let that key verify any account.
        let path = try write("keys", "alpha7 beta9\nvalid-key\n")
        let (keys, warnings) = try SigningKeys.load(keyFiles: [path], environmentValue: nil)
        XCTAssertEqual(keys.count, 1)
        XCTAssertEqual(accepted(keys, among: ["alpha7 beta9", "valid-key", "alpha7", "beta9"]), ["valid-key"])
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("line 1") && warnings[0].contains("malformed"), warnings[0])
        assertNoKeyMaterial(warnings[0], keys: ["alpha7 beta9"])

        let onlyMalformed = try write("bad", "alpha7 beta9\n")
        XCTAssertThrowsError(try SigningKeys.load(keyFiles: [onlyMalformed], environmentValue: nil)) { error in
            XCTAssertEqual((error as! CredentialFileError).code, .noUsableKey)
        }
    }

    func testAccountLinesInFilesAndEnvironment() throws {
        let a = "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d"
        let b = "0B0B0B0B-2222-4A5B-9C8D-0E1F2A3B4C5D"
        let path = try write("keys", """
            # global, then per account (either case), tabs allowed
            \(docuSignKey)
            \(a) key-of-a-1
            \(a)\t  key-of-a-2
            \(b.lowercased()) key-of-b
            \(a) key-of-a-1
            \(b) \(docuSignKey)
            7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5 short-guid
            \(a) two words
            \(a)

            """)
        let (keys, warnings) = try SigningKeys.load(keyFiles: [path], environmentValue: "env-global, \(b) key-of-b-env")
        XCTAssertEqual(keys.globalKeyCount, 2)
        XCTAssertEqual(keys.accountCount, 2)
        XCTAssertEqual(keys.accountKeyCount, 4)
        XCTAssertEqual(keys.accounts, [AccountID(a)!, AccountID(b)!])
        XCTAssertEqual(keys.keysTried(for: AccountID(a)), 4)
        XCTAssertEqual(keys.keysTried(for: AccountID(b)), 4)
        XCTAssertEqual(keys.keysTried(for: nil), 2)
        let expected = [
            ("line 6", "repeats"), ("line 7", "a key for every account"), ("line 8", "not an account GUID"),
            ("line 9", "whitespace inside"), ("line 10", "account id without a key"),
        ]
        for (line, text) in expected {
            XCTAssertTrue(warnings.contains { $0.contains(line) && $0.contains(text) }, "\(line) \(text): \(warnings)")
        }
        XCTAssertEqual(warnings.count, expected.count, "\(warnings)")
        for warning in warnings {
            assertNoKeyMaterial(warning, keys: [docuSignKey, "key-of-a-1", "key-of-b", "two words", "short-guid"])
        }
        XCTAssertTrue("\(keys)".contains("2 global, 4 for 2 accounts"), "\(keys)")
    }

    func testUnreadableFileThrowsNamingTheFile() throws {
        let missing = directory.appendingPathComponent("no-such-file").path
        XCTAssertThrowsError(try SigningKeys.load(keyFiles: [missing], environmentValue: docuSignKey)) { error in
            let error = error as! SigningKeysError
            XCTAssertEqual(error.code, .unreadable)
            XCTAssertEqual(error.systemError, ENOENT)
            XCTAssertEqual(error.path, missing)
            XCTAssertTrue(error.description.contains(missing), error.description)
            XCTAssertTrue(error.description.contains("No such file"), error.description)
            self.assertNoKeyMaterial(error.description, keys: [self.docuSignKey])
        }
        XCTAssertThrowsError(try SigningKeys.load(keyFiles: [directory.path], environmentValue: nil)) { error in
            XCTAssertEqual((error as! CredentialFileError).code, .unreadable)
            XCTAssertEqual((error as! CredentialFileError).systemError, EISDIR)
        }
    }

    func testFileWithoutKeysThrows() throws {
        let path = try write("empty", "# only a comment\n\n   \n")
        XCTAssertThrowsError(try SigningKeys.load(keyFiles: [path], environmentValue: docuSignKey)) { error in
            let error = error as! CredentialFileError
            XCTAssertEqual(error.code, .noKey)
            XCTAssertTrue(error.description.contains(path), error.description)
        }
    }

    func testOversizedFileThrows() throws {
        let path = try write("big", [UInt8](repeating: UInt8(ascii: "a"), count: (1 << 20) + 1))
        XCTAssertThrowsError(try SigningKeys.load(keyFiles: [path], environmentValue: nil)) { error in
            XCTAssertEqual((error as! CredentialFileError).code, .tooLarge)
        }
    }

    func testDescriptionsNeverShowKeyMaterial() throws {
        let (keys, _) = try SigningKeys.load(keyFiles: [], environmentValue: docuSignKey)
        XCTAssertEqual("\(keys)", "SigningKeys(1 key)")
        var dumped = ""
        dump(keys, to: &dumped)
        XCTAssertEqual(String(reflecting: keys), "SigningKeys(1 key)")
        XCTAssertFalse(dumped.contains("context"), dumped)
        assertNoKeyMaterial(dumped, keys: [docuSignKey])
        XCTAssertEqual("\(SigningKeys(secrets: [[1], [2]]))", "SigningKeys(2 keys)")
    }

    func assertNoKeyMaterial(_ text: String, keys: [String], file: StaticString = #filePath, line: UInt = #line) {
        for key in keys {
            // No key, nor any 8-character piece of one, appears.
            let bytes = Array(key.utf8)
            for start in stride(from: 0, through: max(0, bytes.count - 8), by: 1) {
                let piece = String(decoding: bytes[start..<min(bytes.count, start + 8)], as: UTF8.self)
                XCTAssertFalse(text.contains(piece), "\(text.debugDescription) contains key material \(piece.debugDescription)", file: file, line: line)
            }
        }
    }
}
