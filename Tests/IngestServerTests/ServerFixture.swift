import Foundation
import IngestHMAC
import IngestLog
import IngestTestSupport
import XCTest

/// A running server with a fresh log folder and key file, plus helpers to sign and read back.
final class ServerFixture: @unchecked Sendable {
    let directory: URL
    let logDirectory: URL
    let keyFile: URL
    let server: ServerProcess
    let key: [UInt8]

    init(arguments: [String] = [], keys: [String] = [ConnectMessages.keyA], useKeyFile: Bool = true,
         environment: [String: String] = [:]) throws {
        directory = try ProjectPaths.temporaryDirectory("connect-server-test")
        logDirectory = directory.appendingPathComponent("log")
        keyFile = directory.appendingPathComponent("keys.txt")
        try (keys.joined(separator: "\n") + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        key = Array((keys.first ?? ConnectMessages.keyA).utf8)
        let keyArguments = useKeyFile && !keys.isEmpty ? ["--hmac-key-file", keyFile.path] : []
        server = try ServerProcess(arguments: ["--workers", "2"] + keyArguments + arguments,
                                   logDirectory: logDirectory, environment: environment)
    }

    var port: UInt16 { server.port }

    func signature(_ body: [UInt8], key: [UInt8]? = nil) -> String {
        let value = body.withUnsafeBytes { HMACSHA256.signatureHeaderValue(key: key ?? self.key, message: $0) }
        return String(decoding: value, as: UTF8.self)
    }

    /// A correctly signed webhook request for `body`.
    func signedRequest(_ body: [UInt8], extraHeaders: [String] = [],
                       accountHeader: String? = ConnectMessages.accountId,
                       contentType: String? = "application/json") -> [UInt8] {
        ConnectMessages.request(body: body, signatures: [signature(body)], extraHeaders: extraHeaders,
                                accountHeader: accountHeader, contentType: contentType)
    }

    func client() throws -> LoopbackClient { try LoopbackClient(port: port) }

    /// Every record in the log (read in-process while or after the server writes).
    func records() throws -> [LogRecord] {
        let reader = try LogReader(directory: logDirectory.path)
        var out: [LogRecord] = []
        while let record = try reader.next() { out.append(record) }
        return out
    }

    func stop() -> Int32? { server.stop() }

    deinit {
        _ = server.stop(signal: SIGKILL, timeout: 5)
        try? FileManager.default.removeItem(at: directory)
    }
}
