import Foundation
import IngestNATS
import IngestTestSupport

/// A stand-in for JetStream on a NATS server that has none (`NATSCluster(jetStream: false)`):
/// a client of its own, speaking the protocol over a plain socket, that subscribes to
/// `$JS.API.>` and answers each request with what `answer` returns (nil: no reply at all, as a
/// cluster gives none about a stream still electing its first leader), and acknowledges every
/// publish on `publishSubjects` as stream `stream` would (`{"stream":...,"seq":n}`).
///
/// Lets a test play the answers a real cluster gives only in rare races, in a fixed order.
/// Runs on a thread of its own until `stop()` (or deinit).
public final class ScriptedJetStreamAPI: @unchecked Sendable {
    /// A JetStream API request as received: the subject after `$JS.API.` and the JSON body.
    public struct Request: Sendable {
        public var endpoint: String
        public var body: String
    }

    private let fd: Int32
    private let answer: @Sendable (Request) -> String?
    private let stream: String
    private let lock = NSLock()
    private var received: [Request] = []
    private var acknowledgedCount = 0
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    /// Connects to `port` on 127.0.0.1 and returns once the server has the subscriptions.
    public init(port: UInt16, stream: String, publishSubjects: String,
                answer: @escaping @Sendable (Request) -> String?) throws {
        self.answer = answer
        self.stream = stream
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connected == 0 else { close(fd); throw ServerProcessError(message: "scripted JetStream: cannot connect to \(port)") }
        send("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"protocol\":1,\"name\":\"scripted-jetstream\"}\r\n"
             + "SUB $JS.API.> 1\r\nSUB \(publishSubjects) 2\r\nPING\r\n")
        // The PONG to our PING: the server has processed the subscriptions.
        var buffer: [UInt8] = []
        let deadline = Date().addingTimeInterval(10)
        while !String(decoding: buffer, as: UTF8.self).contains("PONG\r\n") {
            guard Date() < deadline, readSome(into: &buffer) != 0 else {
                close(fd)
                throw ServerProcessError(message: "scripted JetStream: no PONG: \(String(decoding: buffer, as: UTF8.self))")
            }
        }
        Thread.detachNewThread { [self] in serve() }
    }

    deinit { stop() }

    /// The API requests received so far, in order.
    public var requests: [Request] { lock.lock(); defer { lock.unlock() }; return received }
    /// Publishes acknowledged so far.
    public var acknowledged: Int { lock.lock(); defer { lock.unlock() }; return acknowledgedCount }

    public func stop() {
        lock.lock()
        let first = !stopping
        stopping = true
        lock.unlock()
        guard first else { return }
        finished.wait()
        close(fd)
    }

    /// A `STREAM.INFO` / `STREAM.CREATE` reply for a stream with these settings and no messages.
    public static func streamInfoReply(name: String, subjects: [String], replicas: Int = 1,
                                       duplicateWindowNanoseconds: Int64 = 24 * 3_600_000_000_000) -> String {
        let object: [String: Any] = [
            "type": "io.nats.jetstream.api.v1.stream_info_response",
            "config": ["name": name, "subjects": subjects, "num_replicas": replicas, "duplicate_window": duplicateWindowNanoseconds,
                       "max_age": 0, "storage": "file", "retention": "limits", "discard": "old"] as [String: Any],
            "state": ["messages": 0, "bytes": 0, "first_seq": 0, "last_seq": 0],
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// An API error reply.
    public static func errorReply(code: Int, errorCode: Int, description: String) -> String {
        "{\"error\":{\"code\":\(code),\"err_code\":\(errorCode),\"description\":\"\(description)\"}}"
    }

    private func serve() {
        defer { finished.signal() }
        var buffer: [UInt8] = []
        let parser = NATSProtocolParser()
        var sequence = 0
        while true {
            lock.lock()
            let done = stopping
            lock.unlock()
            if done || readSome(into: &buffer) == 0 { return }
            while true {
                let step: (reply: String?, used: Int)? = buffer.withUnsafeBytes { bytes in
                    guard let parsed = try? parser.parse(bytes) else { return nil }
                    let (operation, used) = parsed
                    func text(_ range: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
                    switch operation {
                    case .ping:
                        return ("PONG\r\n", used)
                    case .message(let delivery):
                        guard let replyTo = delivery.replyTo.map(text) else { return (nil, used) }
                        if delivery.subscriptionID == 2 {
                            sequence += 1
                            lock.lock(); acknowledgedCount += 1; lock.unlock()
                            return (Self.publish(replyTo, "{\"stream\":\"\(stream)\",\"seq\":\(sequence)}"), used)
                        }
                        let request = Request(endpoint: String(text(delivery.subject).dropFirst("$JS.API.".count)),
                                              body: text(delivery.payload))
                        lock.lock(); received.append(request); lock.unlock()
                        return (answer(request).map { Self.publish(replyTo, $0) }, used)
                    default:
                        return (nil, used)
                    }
                }
                guard let step else { break }
                buffer.removeFirst(step.used)
                if let reply = step.reply { send(reply) }
            }
        }
    }

    private static func publish(_ subject: String, _ payload: String) -> String {
        "PUB \(subject) \(payload.utf8.count)\r\n\(payload)\r\n"
    }

    private func send(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads what is there (waiting up to the 100 ms receive timeout); 0 when the connection ended.
    private func readSome(into buffer: inout [UInt8]) -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n > 0 { buffer += chunk[0..<n]; return n }
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return -1 }
        return 0
    }
}
