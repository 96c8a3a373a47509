import Foundation
import IngestLoop
import IngestSystem
import IngestTestSupport
import XCTest

/// The loop without HTTP: an echo driver on 127.0.0.1, with the pass barrier and wake-up.
final class EventLoopEchoTests: XCTestCase {
    /// Echoes what it reads, but only in `endOfPass` (as the server does with its responses).
    final class EchoDriver: LoopDriver, @unchecked Sendable {
        let loop: EventLoop
        let listener: FileDescriptor
        var clients: [Int32: FileDescriptor] = [:]
        var pendingEcho: [Int32: [UInt8]] = [:]
        var passes = 0
        var isFinished = false
        var stopRequested = false

        init(loop: EventLoop, listener: FileDescriptor) throws {
            self.loop = loop
            self.listener = listener
            try loop.epoll.add(listener, interest: .readable, token: UInt64(listener.rawValue))
        }

        func handle(token: UInt64, events: EpollInterest, now: Int64) {
            if token == UInt64(listener.rawValue) {
                while let (fd, _) = try? Socket.accept(listener) {
                    clients[fd.rawValue] = fd
                    try? loop.epoll.add(fd, interest: .readable, token: UInt64(fd.rawValue))
                }
                return
            }
            let fd = clients[Int32(token)]!
            var buffer = [UInt8](repeating: 0, count: 4096)
            let received = try? buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
            guard let n = received, n > 0 else {
                fd.close()
                clients[fd.rawValue] = nil
                return
            }
            pendingEcho[fd.rawValue, default: []] += buffer[0..<n]
        }

        func endOfPass(now: Int64) {
            passes += 1
            for (fd, bytes) in pendingEcho {
                _ = try? bytes.withUnsafeBytes { try Socket.send(FileDescriptor(rawValue: fd), $0) }
            }
            pendingEcho.removeAll()
        }

        func tick(now: Int64) {}
        func woken(now: Int64) { if stopRequested { isFinished = true } }
    }

    func testEchoOverLoopbackAndWakeUpStopsTheLoop() throws {
        let listener = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: false)
        let port = try Socket.localAddress(listener).port
        let loop = try EventLoop(tickIntervalMilliseconds: 50)
        let driver = try EchoDriver(loop: loop, listener: listener)
        let thread = try OSThread.start(name: "echo") { try? loop.run(driver) }

        for round in 0..<3 {
            let client = try LoopbackClient(port: port)
            let message = Array("hello \(round) \(String(repeating: "x", count: round * 1000))".utf8)
            try client.send(message)
            var received: [UInt8] = []
            while received.count < message.count {
                var chunk = [UInt8](repeating: 0, count: 8192)
                let n = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
                XCTAssertGreaterThan(n, 0)
                if n <= 0 { break }
                received += chunk[0..<n]
            }
            XCTAssertEqual(received, message)
        }
        driver.stopRequested = true
        loop.wake()
        thread.join()
        XCTAssertTrue(driver.isFinished)
        XCTAssertGreaterThan(driver.passes, 0)
        listener.close()
    }
}
