import COpenSSL
import Foundation
import IngestSystem
import IngestTLS
import IngestTestSupport
import XCTest

/// A TCP connection over 127.0.0.1 with a TLS session at each end, both non-blocking, driven by
/// hand in one thread: what the worker's loop does, without the server.
final class TLSPair {
    let serverSocket: FileDescriptor
    let clientSocket: FileDescriptor
    var server: TLSSession
    var client: TLSSession
    var serverStep = TLSHandshakeStep.wantRead
    var clientStep = TLSHandshakeStep.wantRead

    init(server context: TLSServerContext, client clientContext: TLSClientContext) throws {
        let any = SocketAddress(host: "127.0.0.1", port: 0)!
        let listener = try Socket.listen(on: any, reusePort: false, backlog: 4)
        defer { listener.close() }
        clientSocket = try Socket.connect(to: try Socket.localAddress(listener))
        var accepted: (FileDescriptor, SocketAddress)?
        for _ in 0..<1000 where accepted == nil {
            accepted = try Socket.accept(listener)
            if accepted == nil { usleep(1000) }
        }
        guard let (socket, _) = accepted else { throw TLSTestError("loopback connection not accepted") }
        serverSocket = socket
        server = context.makeSession(descriptor: serverSocket)!
        client = clientContext.makeSession(descriptor: clientSocket, host: "127.0.0.1")!
    }

    deinit {
        // Without close_notify libssl marks the session not resumable (a truncation attack
        // looks the same), so both ends say goodbye first, as the server and clients do.
        client.closeNotify()
        server.closeNotify()
        server.free()
        client.free()
        serverSocket.close()
        clientSocket.close()
    }

    /// Steps both handshakes until each side completed or failed (at most ~5 s).
    @discardableResult
    func handshake() -> (server: TLSHandshakeStep, client: TLSHandshakeStep) {
        for _ in 0..<5000 {
            if !isFinal(serverStep) { serverStep = server.handshake() }
            if !isFinal(clientStep) { clientStep = client.handshake() }
            if isFinal(serverStep) && isFinal(clientStep) { break }
            // One side failing ends the other's handshake with an alert or EOF; give it a moment.
            usleep(500)
        }
        return (serverStep, clientStep)
    }

    private func isFinal(_ step: TLSHandshakeStep) -> Bool {
        switch step {
        case .complete, .failed: return true
        case .wantRead, .wantWrite: return false
        }
    }

    /// Writes all of `bytes` from the client.
    func clientSend(_ bytes: [UInt8]) throws {
        var offset = 0
        for _ in 0..<10_000 where offset < bytes.count {
            switch bytes[offset...].withUnsafeBytes({ client.write($0) }) {
            case .bytes(let n): offset += n
            case .wantRead, .wantWrite: usleep(200); _ = serverDrain(limit: 0)
            case let other: throw TLSTestError("client write: \(other)")
            }
        }
    }

    /// Reads what the server side has until `count` bytes arrived or ~2 s passed.
    func serverReceive(count: Int) -> (bytes: [UInt8], last: TLSTransfer) {
        var out: [UInt8] = []
        var last = TLSTransfer.wantRead
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        for _ in 0..<4000 where out.count < count {
            last = buffer.withUnsafeMutableBytes { server.read(into: $0) }
            switch last {
            case .bytes(let n): out += buffer[0..<n]
            case .wantRead, .wantWrite: usleep(500)
            case .closed, .failed: return (out, last)
            }
        }
        return (out, last)
    }

    /// Reads server-side until it would block; returns the last outcome.
    func serverDrain(limit: Int = 100) -> TLSTransfer {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var last = TLSTransfer.wantRead
        for _ in 0...limit {
            last = buffer.withUnsafeMutableBytes { server.read(into: $0) }
            if case .bytes = last { continue }
            return last
        }
        return last
    }

    /// Writes raw bytes on the client's socket, bypassing TLS (hostile input).
    func clientSendRaw(_ bytes: [UInt8]) throws {
        _ = try bytes.withUnsafeBytes { try Socket.send(clientSocket, $0) }
    }
}

struct TLSTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One set of test certificates per test process (made with the openssl command).
enum SharedCertificates {
    nonisolated(unsafe) private static var made: TestCertificates?
    private static let lock = NSLock()

    static func get() throws -> TestCertificates {
        lock.lock(); defer { lock.unlock() }
        if let made { return made }
        do {
            let certificates = try TestCertificates()
            made = certificates
            return certificates
        } catch let error as TestCertificates.Unavailable {
            throw XCTSkip(error.description)
        }
    }
}

extension TLSPair {
    /// Lets the client read what the server sent after the handshake (TLS 1.3 session tickets
    /// arrive then) until it would block.
    func clientDrain() {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        for _ in 0..<20 {
            let result = buffer.withUnsafeMutableBytes { client.read(into: $0) }
            if case .bytes = result { continue }
            usleep(1000)
            if case .wantRead = result { continue }
            return
        }
    }
}

/// A monotonic clock the test moves by hand (for ticket-key rotation).
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 1_000_000_000
    var now: Int64 { lock.lock(); defer { lock.unlock() }; return value }
    func advance(seconds: Double) { lock.lock(); value += Int64(seconds * 1e9); lock.unlock() }
}
