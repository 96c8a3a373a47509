import Foundation
import IngestSystem
import IngestTLS

/// A blocking HTTP/1.1-over-TLS test client on 127.0.0.1, using the project's own libssl client
/// (`TLSClientContext`), with receive and send timeouts so a test never hangs.
public final class TLSTestClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// Set when the handshake itself failed (as libssl classified it on this side).
        public let handshake: TLSFailure?
    }

    public let fd: Int32
    public private(set) var session: TLSSession
    private var buffer: [UInt8] = []
    private var freed = false

    /// Connects to 127.0.0.1:`port` and completes the handshake; throws `Failure` when the
    /// handshake fails (with `handshake` set) or the connection cannot be made.
    public init(port: UInt16, context: TLSClientContext, timeout: Double = 10) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw Failure(description: "socket failed", handshake: nil) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - floor(timeout)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)", handshake: nil) }
        guard let made = context.makeSession(descriptor: FileDescriptor(rawValue: fd), host: "127.0.0.1") else {
            close(fd)
            throw Failure(description: "cannot make a TLS session", handshake: nil)
        }
        session = made
        // Blocking socket: each step either completes or fails (a timeout shows as a failure).
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            switch session.handshake() {
            case .complete:
                return
            case .wantRead, .wantWrite:
                if Date() > deadline {
                    release()
                    throw Failure(description: "handshake timed out", handshake: .timeout)
                }
            case .failed(let failure):
                release()
                throw Failure(description: "handshake failed: \(failure.rawValue)", handshake: failure)
            }
        }
    }

    deinit { release() }

    private func release() {
        guard !freed else { return }
        freed = true
        session.closeNotify()
        session.free()
        close(fd)
    }

    /// Writes all bytes as application data.
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let result = bytes[offset...].withUnsafeBytes { session.write($0) }
            switch result {
            case .bytes(let n): offset += n
            default: throw Failure(description: "TLS write failed: \(result)", handshake: nil)
            }
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads one response (status line, headers, Content-Length body).
    public func readResponse() throws -> LoopbackClient.Response {
        while true {
            if let (response, used) = LoopbackClient.parse(buffer) {
                buffer.removeFirst(used)
                return response
            }
            switch fill() {
            case .bytes: continue
            case let other:
                throw Failure(description: "no full response (\(other); have \(buffer.count) bytes: \(String(decoding: buffer, as: UTF8.self)))", handshake: nil)
            }
        }
    }

    /// Sends a request and reads its response.
    public func exchange(_ request: [UInt8]) throws -> LoopbackClient.Response {
        try send(request)
        return try readResponse()
    }

    /// True if the server ended the connection (close_notify, EOF or a reset) within the timeout.
    public func isClosedByPeer() -> Bool {
        while true {
            switch fill() {
            case .bytes: continue
            case .closed, .failed: return true
            case .wantRead, .wantWrite: return false   // the receive timeout passed
            }
        }
    }

    private func fill() -> TLSTransfer {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let result = chunk.withUnsafeMutableBytes { session.read(into: $0) }
        if case .bytes(let n) = result { buffer.append(contentsOf: chunk[0..<n]) }
        return result
    }
}
