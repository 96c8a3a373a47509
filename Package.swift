// swift-tools-version:6.0
// connect-ingest: a DocuSign Connect webhook listener. No third-party packages: the standard
// library, Foundation (CLI and config only), Glibc, and OpenSSL's libcrypto via a system library.
import PackageDescription

let package = Package(
    name: "connect-ingest",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "connect-ingest", targets: ["connect-ingest"]),
        .executable(name: "connect-bench", targets: ["connect-bench"]),
    ],
    targets: [
        // C shims for what Glibc cannot import cleanly, and the hardware CRC32C.
        .target(name: "CLinux", path: "Sources/CLinux",
                cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-O2"])]),
        // OpenSSL's libcrypto, found with pkg-config; Debian package libssl-dev.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // Thin typed layer over Linux syscalls: errno, EINTR, fds, sockets, epoll, eventfd, mmap.
        .target(name: "IngestSystem", dependencies: ["CLinux"]),
        // Pure byte parsers: no I/O, no Foundation.
        .target(name: "IngestHTTP"),
        .target(name: "IngestJSON"),
        .target(name: "IngestXML"),
        // HMAC-SHA256 over OpenSSL; no I/O.
        .target(name: "IngestHMAC", dependencies: ["COpenSSL"]),
        // OAuth bearer JWTs: JWKS keys, JWS signature and claims checks, per-worker token cache.
        .target(name: "IngestOAuth", dependencies: ["COpenSSL", "IngestSystem"]),
        // TLS over libssl: server contexts (certificates, client verification, tickets), sessions
        // driven by readiness, and the client side for the load generator and tests.
        .target(name: "IngestTLS", dependencies: ["COpenSSL", "IngestSystem"]),
        // The memory-mapped append-only log.
        .target(name: "IngestLog", dependencies: ["IngestSystem", "CLinux"]),
        // A NATS client (text protocol, JetStream publish acknowledgements and API requests).
        .target(name: "IngestNATS", dependencies: ["IngestSystem"]),
        // `connect-ingest ship`: follows the log, publishes to a JetStream stream, checkpoints.
        .target(name: "IngestShip", dependencies: ["IngestLog", "IngestNATS", "IngestSystem", "IngestHMAC"]),
        // One epoll event loop per worker thread; knows nothing of HTTP.
        .target(name: "IngestLoop", dependencies: ["IngestSystem"]),
        // The pipeline: HTTP -> HMAC + JSON/XML -> log -> acknowledgement.
        .target(name: "IngestServer", dependencies: [
            "IngestSystem", "IngestHTTP", "IngestJSON", "IngestXML", "IngestHMAC", "IngestOAuth", "IngestLog", "IngestLoop", "IngestTLS",
        ]),
        .executableTarget(name: "connect-ingest", dependencies: [
            "IngestServer", "IngestLog", "IngestJSON", "IngestXML", "IngestHMAC", "IngestOAuth", "IngestSystem", "IngestShip", "IngestNATS",
            "IngestTLS",
        ]),
        // The load generator's testable pieces (payloads, client, histogram, exactly-once check).
        .target(name: "BenchSupport", dependencies: ["IngestSystem", "IngestHMAC", "IngestTLS", "CLinux"],
                path: "Benchmarks/BenchSupport"),
        .executableTarget(name: "connect-bench", dependencies: [
            "BenchSupport", "IngestSystem", "IngestHTTP", "IngestJSON", "IngestXML", "IngestHMAC", "IngestOAuth", "IngestLog", "IngestTLS",
        ], path: "Benchmarks/connect-bench"),

        // Tests.
        .target(name: "IngestTestSupport", dependencies: ["IngestSystem", "IngestTLS"], path: "Tests/IngestTestSupport"),
        .target(name: "NATSTestSupport", dependencies: ["IngestNATS", "IngestTestSupport"], path: "Tests/NATSTestSupport"),
        .testTarget(name: "IngestNATSTests", dependencies: ["IngestNATS", "NATSTestSupport", "IngestTestSupport"]),
        .testTarget(name: "IngestShipTests", dependencies: [
            "IngestShip", "IngestNATS", "IngestLog", "IngestHMAC", "NATSTestSupport", "IngestTestSupport",
        ]),
        .testTarget(name: "IngestSystemTests", dependencies: ["IngestSystem", "IngestLoop", "IngestTestSupport"]),
        .testTarget(name: "IngestHTTPTests", dependencies: ["IngestHTTP", "IngestTestSupport"]),
        .testTarget(name: "IngestJSONTests", dependencies: ["IngestJSON", "IngestTestSupport"]),
        .testTarget(name: "IngestXMLTests", dependencies: ["IngestXML", "IngestTestSupport"]),
        .testTarget(name: "IngestHMACTests", dependencies: ["IngestHMAC", "IngestTestSupport"]),
        .testTarget(name: "IngestOAuthTests", dependencies: ["IngestOAuth", "IngestHMAC", "IngestTestSupport"]),
        .testTarget(name: "IngestTLSTests", dependencies: ["IngestTLS", "IngestSystem", "COpenSSL", "IngestTestSupport"]),
        .testTarget(name: "IngestLogTests", dependencies: ["IngestLog", "IngestSystem", "IngestTestSupport"]),
        .testTarget(name: "ConnectBenchTests", dependencies: ["BenchSupport", "IngestHMAC", "IngestTLS", "IngestTestSupport"]),
        .testTarget(name: "IngestServerTests", dependencies: [
            "IngestServer", "IngestLog", "IngestHMAC", "IngestOAuth", "IngestSystem", "IngestJSON", "IngestXML", "IngestTestSupport",
            "IngestTLS", "COpenSSL",
        ]),
        // The project as a whole: self-contained (nothing read from outside its root).
        .testTarget(name: "ProjectTests", dependencies: ["IngestTestSupport"]),
    ]
)
