import Foundation

/// Certificates and keys made at test time with the `openssl` command (EC P-256, short-lived),
/// in a fresh temporary folder: a CA, a server certificate for 127.0.0.1 and ::1 signed by it, a
/// client certificate signed by it, and a second, unrelated CA with its own client certificate.
///
/// Nothing is checked in: every run makes new keys. Throws `TestCertificates.Unavailable` when
/// the `openssl` command is not installed (Debian: `apt-get install openssl`).
public final class TestCertificates: @unchecked Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: URL
    public let openssl: URL

    public var caCertificate: URL { directory.appendingPathComponent("ca.pem") }
    public var serverCertificate: URL { directory.appendingPathComponent("server.pem") }
    public var serverKey: URL { directory.appendingPathComponent("server.key") }
    public var clientCertificate: URL { directory.appendingPathComponent("client.pem") }
    public var clientKey: URL { directory.appendingPathComponent("client.key") }
    public var otherCACertificate: URL { directory.appendingPathComponent("other-ca.pem") }
    public var strangerCertificate: URL { directory.appendingPathComponent("stranger.pem") }
    public var strangerKey: URL { directory.appendingPathComponent("stranger.key") }

    /// The client certificate's subject, RFC 2253.
    public static let clientSubject = "CN=connect-client,O=Connect Test"
    public static let strangerSubject = "CN=stranger,O=Elsewhere"

    public init() throws {
        guard let openssl = Self.findTool("openssl") else {
            throw Unavailable(description: "the openssl command is not installed (Debian: apt-get install openssl)")
        }
        self.openssl = openssl
        directory = try ProjectPaths.temporaryDirectory("connect-tls-certs")
        try makeCA("ca", subject: "/CN=Connect Test CA")
        try issue("server", subject: "/CN=127.0.0.1", ca: "ca", days: 30,
                  extensions: "subjectAltName=IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n")
        try issue("client", subject: "/O=Connect Test/CN=connect-client", ca: "ca", days: 30,
                  extensions: "extendedKeyUsage=clientAuth\n")
        try makeCA("other-ca", subject: "/CN=Some Other CA")
        try issue("stranger", subject: "/O=Elsewhere/CN=stranger", ca: "other-ca", days: 30,
                  extensions: "extendedKeyUsage=clientAuth\n")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A new server certificate and key for 127.0.0.1 signed by the CA, valid `days`, written to
    /// `name`.pem / `name`.key (for reload tests and expiry warnings).
    @discardableResult
    public func issueServer(_ name: String, days: Int, commonName: String = "127.0.0.1") throws -> (certificate: URL, key: URL) {
        try issue(name, subject: "/CN=\(commonName)", ca: "ca", days: days,
                  extensions: "subjectAltName=IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n")
        return (directory.appendingPathComponent("\(name).pem"), directory.appendingPathComponent("\(name).key"))
    }

    /// SHA-256 of a certificate's DER SubjectPublicKeyInfo, as 64 hex digits (what
    /// `--tls-client-spki-sha256` takes), computed with the openssl command.
    public func publicKeyDigestHex(_ certificate: URL) throws -> String {
        let key = directory.appendingPathComponent("spki-\(UUID().uuidString).der")
        try run(["x509", "-in", certificate.path, "-noout", "-pubkey", "-out", key.path + ".pem"])
        try run(["pkey", "-pubin", "-in", key.path + ".pem", "-outform", "DER", "-out", key.path])
        let out = try run(["dgst", "-sha256", "-r", key.path])
        return String(out.prefix(64))
    }

    private func makeCA(_ name: String, subject: String) throws {
        try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                 "-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).pem"),
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    private func issue(_ name: String, subject: String, ca: String, days: Int, extensions: String) throws {
        let ext = path("\(name).ext")
        try ("basicConstraints=CA:FALSE\n" + extensions).write(toFile: ext, atomically: true, encoding: .utf8)
        try run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-subj", subject, "-keyout", path("\(name).key"), "-out", path("\(name).csr")])
        try run(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                 "-CAcreateserial", "-days", "\(days)", "-extfile", ext, "-out", path("\(name).pem")])
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs openssl with a deadline; returns its standard output; throws with its standard error.
    @discardableResult
    public func run(_ arguments: [String], timeout: Double = 30) throws -> String {
        let process = Process()
        process.executableURL = openssl
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let outFile = directory.appendingPathComponent("openssl-\(UUID().uuidString).out")
        let errFile = directory.appendingPathComponent("openssl-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile), err = try FileHandle(forWritingTo: errFile)
        defer { try? out.close(); try? err.close(); try? FileManager.default.removeItem(at: outFile); try? FileManager.default.removeItem(at: errFile) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let output = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let error = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
            throw Unavailable(description: "openssl \(arguments.joined(separator: " ")) failed: \(error)")
        }
        return output
    }

    /// A tool on PATH (or /usr/sbin, /sbin).
    public static func findTool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"] {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
