import Foundation
import IngestNATS
import XCTest

/// The client's side of the protocol against a scripted server on 127.0.0.1: the CONNECT it
/// sends, the inbox subscription, PONG for the server's PING, and dropping a connection whose
/// PINGs go unanswered.
final class KeepaliveTests: XCTestCase {
    /// Accepts one connection and plays a script; records what the client sent.
    final class ScriptedServer: @unchecked Sendable {
        let listener: Int32
        let port: UInt16
        private let lock = NSLock()
        private var received = Data()
        private(set) var clientClosed = false

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            listener = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                    guard bind(fd, pointer, length) == 0 else { return -1 }
                    return getsockname(fd, pointer, &length)
                }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw XCTSkip("cannot listen on 127.0.0.1") }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(listener) }

        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: received, as: UTF8.self) }

        /// INFO; PONG to the handshake PING; one PING of its own; then silence until the client hangs up.
        func run() {
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            defer { close(fd) }
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            func send(_ text: String) { _ = text.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
            func readUntil(_ marker: String) -> Bool {
                var chunk = [UInt8](repeating: 0, count: 4096)
                while !text.contains(marker) {
                    let n = recv(fd, &chunk, chunk.count, 0)
                    if n <= 0 { if n == 0 { clientClosed = true }; return false }
                    lock.lock(); received.append(contentsOf: chunk[0..<n]); lock.unlock()
                }
                return true
            }
            send("INFO {\"server_id\":\"scripted\",\"server_name\":\"scripted\",\"max_payload\":1048576,\"headers\":true}\r\n")
            guard readUntil("PING\r\n") else { return }
            send("PONG\r\n")
            send("PING\r\n")
            guard readUntil("PONG\r\n") else { return }
            _ = readUntil("never sent")   // answer nothing more; returns when the client closes
        }
    }

    func testConnectLinePongAndStaleConnection() throws {
        let server = try ScriptedServer()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { server.run(); done.signal() }
        var options = NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: server.port)])
        options.pingIntervalMilliseconds = 100
        options.maximumOutstandingPings = 2
        options.useAdvertisedServers = false
        let client = NATSClient(options: options)
        defer { client.close() }
        var events: [NATSClientEvent] = []
        client.eventHandler = { events.append($0) }
        try client.connect()
        XCTAssertEqual(client.serverInfo?.serverName, "scripted")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !events.contains(where: { if case .disconnected = $0 { return true }; return false }) {
            client.poll(timeoutMilliseconds: 20)
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        let sent = server.text
        let connect = try XCTUnwrap(sent.split(separator: "\r\n").first { $0.hasPrefix("CONNECT ") })
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(connect.dropFirst(8).utf8)) as? [String: Any])
        XCTAssertEqual(json["verbose"] as? Bool, false)
        XCTAssertEqual(json["headers"] as? Bool, true)
        XCTAssertEqual(json["no_responders"] as? Bool, true)
        XCTAssertEqual(json["protocol"] as? Int, 1)
        XCTAssertNil(json["pass"] ?? json["auth_token"], "no credentials were configured")
        XCTAssertTrue(sent.contains("\r\nSUB _INBOX."), sent)
        XCTAssertTrue(sent.contains(".* 1\r\n"), "one wildcard inbox subscription: \(sent)")
        XCTAssertTrue(sent.contains("PONG\r\n"), "the server's PING is answered")
        XCTAssertTrue(server.clientClosed, "the client hung up")
        let reasons = events.compactMap { event -> String? in
            if case .disconnected(_, let reason) = event { return reason }
            return nil
        }
        XCTAssertTrue(reasons.first?.contains("stale connection") ?? false, "\(events)")
    }
}
