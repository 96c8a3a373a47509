import BenchSupport
import XCTest

/// Command-line parsing: defaults, the loopback-only rule, and errors that name their flag.
final class OptionsTests: XCTestCase {
    func testDefaults() throws {
        let o = try BenchOptions.parse([])
        XCTAssertEqual(o.url, "http://127.0.0.1:8080/webhooks/docusign")
        XCTAssertEqual(o.connections, 64)
        XCTAssertEqual(o.threads, 1)
        XCTAssertEqual(o.pipeline, 1)
        XCTAssertEqual(o.duration, 10)
        XCTAssertNil(o.messages)
        XCTAssertNil(o.rate)
        XCTAssertEqual(o.payload, .small)
        XCTAssertEqual(o.documentSize, 1 << 20)
        XCTAssertEqual(o.badSignatureRate, 0)
        XCTAssertNil(o.recipients)
        XCTAssertEqual(try BenchOptions.parse(["--recipients", "6"]).recipients, 6)
    }

    func testFullCommandLine() throws {
        let o = try BenchOptions.parse(["--connections", "8", "--threads", "2", "--pipeline", "4", "--messages", "1000",
                                        "--rate", "5000", "--payload", "documents", "--document-size", "25M",
                                        "--hmac-key", "k=", "--bad-signature-rate", "0.05", "--seed", "7", "--json",
                                        "--spawn", "--workers", "2", "--sync", "batch", "--keep-log",
                                        "--", "--max-body", "100000000"])
        XCTAssertEqual(o.connections, 8)
        XCTAssertEqual(o.threads, 2)
        XCTAssertEqual(o.pipeline, 4)
        XCTAssertEqual(o.messages, 1000)
        XCTAssertNil(o.duration, "--messages replaces the default duration")
        XCTAssertEqual(o.rate, 5000)
        XCTAssertEqual(o.payload, .documents)
        XCTAssertEqual(o.documentSize, 25 << 20)
        XCTAssertEqual(o.hmacKey, "k=")
        XCTAssertEqual(o.badSignatureRate, 0.05)
        XCTAssertEqual(o.seed, 7)
        XCTAssertTrue(o.json && o.spawn && o.keepLog)
        XCTAssertEqual(o.workers, 2)
        XCTAssertEqual(o.sync, "batch")
        XCTAssertEqual(o.serverArguments, ["--max-body", "100000000"])
    }

    func testOnlyLoopbackTargetsAreAccepted() throws {
        XCTAssertEqual(try TargetURL.parse("http://127.0.0.1:8080/webhooks/docusign"),
                       TargetURL(address: .ipv4(port: 8080), path: "/webhooks/docusign", hostHeader: "127.0.0.1:8080"))
        XCTAssertEqual(try TargetURL.parse("http://localhost:9000").address, .ipv4(port: 9000))
        XCTAssertEqual(try TargetURL.parse("http://localhost:9000").path, "/")
        XCTAssertEqual(try TargetURL.parse("http://[::1]:9001/x?y=1"),
                       TargetURL(address: .ipv6(port: 9001), path: "/x?y=1", hostHeader: "[::1]:9001"))
        XCTAssertEqual(try TargetURL.parse("http://127.0.0.1/").address, .ipv4(port: 80))
        for bad in ["http://example.com:8080/", "http://10.0.0.1:80/", "http://127.0.0.2:80/", "http://0.0.0.0:80/",
                    "http://[::2]:80/", "http://localhost.evil.com/", "https://127.0.0.1:443/", "127.0.0.1:8080",
                    "http://127.0.0.1:0/", "http://127.0.0.1:99999/"] {
            XCTAssertThrowsError(try TargetURL.parse(bad), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("--url:"), "\(error)")
            }
        }
        XCTAssertThrowsError(try BenchOptions.parse(["--url", "http://192.168.1.10:8080/"])) { error in
            XCTAssertTrue("\(error)".contains("refusing host '192.168.1.10'"), "\(error)")
        }
    }

    func testBadValuesNameTheirFlag() {
        let cases: [([String], String)] = [
            (["--connections", "0"], "--connections"), (["--threads"], "--threads"), (["--duration", "-1"], "--duration"),
            (["--payload", "huge"], "--payload"), (["--bad-signature-rate", "1.5"], "--bad-signature-rate"),
            (["--document-size", "12"], "--document-size"), (["--frobnicate"], "--frobnicate"),
            (["--messages", "5", "--duration", "3"], "--messages"), (["--workers", "2"], "--workers"),
            (["--", "--x"], "--"), (["--threads", "4", "--connections", "2"], "--threads"),
            (["--hmac-key", "a", "--hmac-key-file", "b"], "--hmac-key-file"),
            (["--recipients", "0"], "--recipients"), (["--recipients", "51"], "--recipients"),
            (["--account-id", "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5"], "--account-id"),
            (["--account-id", "7d6f3c2a11114a5b9c8d0e1f2a3b4c5d1234"], "--account-id"),
            (["--decoy-accounts", "10"], "--decoy-accounts"), (["--oauth"], "--oauth"),
            (["--spawn", "--oauth", "--bearer-token", "t"], "--bearer-token"), (["--decoy-accounts", "-1", "--spawn"], "--decoy-accounts"),
        ]
        for (arguments, flag) in cases {
            XCTAssertThrowsError(try BenchOptions.parse(arguments), "\(arguments)") { error in
                XCTAssertTrue("\(error)".hasPrefix(flag), "\(arguments): \(error)")
            }
        }
    }

    func testHelpListsEveryFlag() throws {
        XCTAssertTrue(try BenchOptions.parse(["--help"]).help)
        for flag in ["--url", "--connections", "--threads", "--pipeline", "--duration", "--messages", "--rate", "--payload",
                     "--payload-file", "--document-size", "--hmac-key", "--hmac-key-file", "--bad-signature-rate", "--seed",
                     "--pool-mb", "--timeout", "--json", "--spawn", "--server-binary", "--workers", "--sync", "--keep-log",
                     "--seconds", "--only", "--match", "--iterations", "--recipients", "wrk-script",
                     "(default 64)", "(default 1M)", "micro",
                     "--account-id", "--decoy-accounts", "--bearer-token", "--oauth", "oauth"] {
            XCTAssertTrue(BenchOptions.helpText.contains(flag), flag)
        }
    }

    func testCredentialFlags() throws {
        let o = try BenchOptions.parse(["--spawn", "--decoy-accounts", "1000", "--oauth",
                                        "--account-id", "7D6F3C2A-1111-4a5b-9c8d-0e1f2a3b4c5d"])
        XCTAssertEqual(o.decoyAccounts, 1000)
        XCTAssertTrue(o.oauth)
        XCTAssertEqual(o.accountId, "7D6F3C2A-1111-4a5b-9c8d-0e1f2a3b4c5d")
        XCTAssertEqual(try BenchOptions.parse(["--bearer-token", "abc.def.ghi"]).bearerToken, "abc.def.ghi")
    }

    func testSizes() {
        XCTAssertEqual(BenchOptions.parseSize("1048576"), 1 << 20)
        XCTAssertEqual(BenchOptions.parseSize("512K"), 512 << 10)
        XCTAssertEqual(BenchOptions.parseSize("1MiB"), 1 << 20)
        XCTAssertEqual(BenchOptions.parseSize("2G"), 2 << 30)
        XCTAssertNil(BenchOptions.parseSize("lots"))
        XCTAssertNil(BenchOptions.parseSize("99999999999999999G"))
    }
}
