#if canImport(Glibc)
import Glibc
#endif

/// Every answer the server gives. Error statuses map from their causes in one place each:
/// `HTTPParseError.status` for malformed HTTP, `WebhookRejection` for the pipeline.
enum ResponseKind: UInt8, CaseIterable {
    case continue100
    case accepted            // 200 once its commit is known to have succeeded (see Worker+Writing)
    case stored              // 200, webhook stored: an `accepted` whose commit succeeded
    case healthy             // 200, "ok"
    case ready               // 200, "ready"
    case notReady            // 503, "not ready"
    case badRequest          // 400
    case unauthorizedSignatureMissing
    case unauthorizedSignatureMismatch
    case unauthorizedBasic
    case unauthorizedBearerMissing   // 401, no Authorization header (RFC 6750 §3.1: no error code)
    case unauthorizedBearer          // 401, error="invalid_token"
    case notFound
    case methodNotAllowed
    case requestTimeout
    case payloadTooLarge
    case headersTooLarge
    case notImplemented
    case versionNotSupported
    case unavailable         // 503 with Retry-After: the log could not take the message
    case metrics             // 200 with a dynamic body; rendered by the worker, not from the table

    var status: Int {
        switch self {
        case .continue100: 100
        case .accepted, .stored, .healthy, .ready, .metrics: 200
        case .badRequest: 400
        case .unauthorizedSignatureMissing, .unauthorizedSignatureMismatch, .unauthorizedBasic,
             .unauthorizedBearerMissing, .unauthorizedBearer: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .requestTimeout: 408
        case .payloadTooLarge: 413
        case .headersTooLarge: 431
        case .notImplemented: 501
        case .versionNotSupported: 505
        case .unavailable, .notReady: 503
        }
    }

    fileprivate var statusLine: String {
        switch self {
        case .continue100: "HTTP/1.1 100 Continue"
        case .accepted, .stored, .healthy, .ready, .metrics: "HTTP/1.1 200 OK"
        case .badRequest: "HTTP/1.1 400 Bad Request"
        case .unauthorizedSignatureMissing, .unauthorizedSignatureMismatch, .unauthorizedBasic,
             .unauthorizedBearerMissing, .unauthorizedBearer: "HTTP/1.1 401 Unauthorized"
        case .notFound: "HTTP/1.1 404 Not Found"
        case .methodNotAllowed: "HTTP/1.1 405 Method Not Allowed"
        case .requestTimeout: "HTTP/1.1 408 Request Timeout"
        case .payloadTooLarge: "HTTP/1.1 413 Content Too Large"
        case .headersTooLarge: "HTTP/1.1 431 Request Header Fields Too Large"
        case .notImplemented: "HTTP/1.1 501 Not Implemented"
        case .versionNotSupported: "HTTP/1.1 505 HTTP Version Not Supported"
        case .unavailable, .notReady: "HTTP/1.1 503 Service Unavailable"
        }
    }

    fileprivate var extraHeaders: String {
        switch self {
        case .unauthorizedBasic: "WWW-Authenticate: Basic realm=\"connect-ingest\"\r\n"
        case .unauthorizedBearerMissing: "WWW-Authenticate: Bearer realm=\"connect-ingest\"\r\n"
        case .unauthorizedBearer: "WWW-Authenticate: Bearer realm=\"connect-ingest\", error=\"invalid_token\"\r\n"
        case .methodNotAllowed: "Allow: POST\r\n"
        case .unavailable, .notReady: "Retry-After: 5\r\n"
        default: ""
        }
    }

    fileprivate var body: String {
        switch self {
        case .continue100, .accepted, .stored, .metrics: ""
        case .healthy: "ok\n"
        case .ready: "ready\n"
        case .notReady: "not ready\n"
        case .badRequest: "bad request\n"
        case .unauthorizedSignatureMissing: "missing signature\n"
        case .unauthorizedSignatureMismatch: "signature mismatch\n"
        case .unauthorizedBasic, .unauthorizedBearerMissing: "unauthorized\n"
        case .unauthorizedBearer: "invalid bearer token\n"
        case .notFound: "not found\n"
        case .methodNotAllowed: "method not allowed\n"
        case .requestTimeout: "request timeout\n"
        case .payloadTooLarge: "payload too large\n"
        case .headersTooLarge: "request header fields too large\n"
        case .notImplemented: "transfer coding not implemented\n"
        case .versionNotSupported: "http version not supported\n"
        case .unavailable: "temporarily unavailable, retry later\n"
        }
    }
}

/// How the connection continues after a response, which decides its `Connection` header.
enum ResponseFraming: UInt8 {
    case keepAlive          // HTTP/1.1 default: no header
    case keepAliveHTTP10    // an HTTP/1.0 client asked for keep-alive: must be confirmed
    case close
}

/// All fixed responses, rendered once per worker into one contiguous block so the hot path
/// copies bytes with `memcpy` and touches no `String`, `Array` or reference count.
final class ResponseTable {
    private let storage: UnsafeMutableRawPointer
    private let offsetTable: UnsafeMutablePointer<Int>
    private let lengthTable: UnsafeMutablePointer<Int>
    private static let framings = 3

    init() {
        var blocks: [[UInt8]] = []
        for kind in ResponseKind.allCases {
            for framing in [ResponseFraming.keepAlive, .keepAliveHTTP10, .close] {
                blocks.append(Array(ResponseTable.render(kind, framing).utf8))
            }
        }
        let total = blocks.reduce(0) { $0 + $1.count }
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, total), alignment: 16)
        offsetTable = .allocate(capacity: blocks.count)
        lengthTable = .allocate(capacity: blocks.count)
        var offset = 0
        for (index, block) in blocks.enumerated() {
            block.withUnsafeBytes { (storage + offset).copyMemory(from: $0.baseAddress!, byteCount: block.count) }
            offsetTable[index] = offset
            lengthTable[index] = block.count
            offset += block.count
        }
    }

    deinit {
        storage.deallocate()
        offsetTable.deallocate()
        lengthTable.deallocate()
    }

    /// The bytes of one response; valid for the table's lifetime.
    @inline(__always)
    func bytes(_ kind: ResponseKind, _ framing: ResponseFraming) -> UnsafeRawBufferPointer {
        let index = Int(kind.rawValue) * ResponseTable.framings + Int(framing.rawValue)
        return UnsafeRawBufferPointer(start: storage + offsetTable[index], count: lengthTable[index])
    }

    /// The head of a 200 response whose body of `length` bytes follows (used by /metrics).
    static func head(forBodyOf length: Int, contentType: String, framing: ResponseFraming) -> [UInt8] {
        Array(("HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nContent-Length: \(length)\r\n"
            + connectionHeader(framing) + "\r\n").utf8)
    }

    private static func connectionHeader(_ framing: ResponseFraming) -> String {
        switch framing {
        case .keepAlive: ""
        case .keepAliveHTTP10: "Connection: keep-alive\r\n"
        case .close: "Connection: close\r\n"
        }
    }

    private static func render(_ kind: ResponseKind, _ framing: ResponseFraming) -> String {
        if kind == .continue100 { return kind.statusLine + "\r\n\r\n" }
        let body = kind.body
        let type = body.isEmpty ? "" : "Content-Type: text/plain\r\n"
        return kind.statusLine + "\r\n" + kind.extraHeaders + type
            + "Content-Length: \(body.utf8.count)\r\n" + connectionHeader(framing) + "\r\n" + body
    }
}
