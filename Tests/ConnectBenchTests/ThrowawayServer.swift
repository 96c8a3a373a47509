import BenchSupport
import Foundation
import IngestHMAC
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 for the client tests (not the real server):
/// one thread per connection, checks `X-DocuSign-Signature-1` with IngestHMAC and answers 200 or
/// 401 with an empty body. Every `closeEvery`-th answer on a connection carries
/// `Connection: close`, after which the server closes that connection (with a lingering close, so
/// the client reads the answer before the end of stream).
final class ThrowawayServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let key: [UInt8]
    private let closeEvery: Int
    /// Digest of every body answered 200 (the client's `oks` must be a subset).
    let accepted = Mutex<[BodyDigest: Int]>([:])
    let requests = Atomic<Int>(0)

    init(key: String, closeEvery: Int = 0) throws {
        self.key = Array(key.utf8)
        self.closeEvery = closeEvery
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting (wakes the blocked `accept`); open connections end when clients close.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var answered = 0
        while true {
            // Answer every complete request in the buffer.
            while let request = Self.takeRequest(&buffer) {
                let signature = request.headers["x-docusign-signature-1"] ?? ""
                let good = request.body.withUnsafeBytes { String(decoding: HMACSHA256.signatureHeaderValue(key: key, message: $0), as: UTF8.self) }
                let ok = signature == good
                requests.add(1, ordering: .relaxed)
                if ok {
                    let digest = RequestSigner(key: key).digest(of: request.body)
                    accepted.withLock { $0[digest, default: 0] += 1 }
                }
                answered += 1
                let closing = closeEvery > 0 && answered % closeEvery == 0
                let response = "HTTP/1.1 \(ok ? "200 OK" : "401 Unauthorized")\r\nContent-Length: 0\r\n"
                    + (closing ? "Connection: close\r\n" : "") + "\r\n"
                guard writeAll(fd, Array(response.utf8)) else { return }
                if closing {
                    shutdown(fd, Int32(SHUT_WR))
                    while read(fd, &chunk, chunk.count) > 0 {}
                    return
                }
            }
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Removes and returns the first complete request in `buffer`, if there is one.
    static func takeRequest(_ buffer: inout [UInt8]) -> ParsedRequest? {
        guard buffer.count >= 4 else { return nil }
        var end = -1
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            end = i
            break
        }
        guard end >= 0 else { return nil }
        let head = String(decoding: buffer[..<end], as: UTF8.self).lowercased()
        var length = 0
        for line in head.components(separatedBy: "\r\n") where line.hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        let total = end + 4 + length
        guard buffer.count >= total else { return nil }
        let request = ParsedRequest(Array(buffer[..<total]))
        buffer.removeFirst(total)
        return request
    }
}
