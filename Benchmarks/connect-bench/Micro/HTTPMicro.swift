import IngestHTTP

/// HTTP parser micro-benchmarks: a realistic DocuSign Connect POST (10 headers incl. two
/// X-DocuSign-Signature-N, Content-Length 450) plus its 450-byte body, parsed from one buffer
/// as a server would (loop until `.end`). Every iteration checks the parsed head and body
/// length, so the optimizer cannot skip the work; a wrong answer stops the benchmark.
func runHTTPMicro(minimumSeconds: Double) -> [MicroResult] {
    let body = HTTPMicroFixture.body
    let fixed = HTTPMicroFixture.head(framing: "Content-Length: \(body.count)") + body
    var chunked = HTTPMicroFixture.head(framing: "Transfer-Encoding: chunked")
    for piece in [body[0..<150], body[150..<300], body[300...]] {
        chunked += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
    }
    chunked += Array("0\r\n\r\n".utf8)
    let headLength = HTTPMicroFixture.head(framing: "Content-Length: \(body.count)").count

    let parser = RequestParser(limits: HTTPLimits())
    var results: [MicroResult] = []
    let batch = 1000

    func run(_ name: String, _ input: [UInt8], split: Int?, chunkedBody: Bool) -> MicroResult {
        let timing = input.withUnsafeBytes { bytes in
            measure(minimumSeconds: minimumSeconds, batch: batch) {
                var checksum = 0
                for _ in 0..<batch {
                    checksum &+= HTTPMicroFixture.parseOne(parser, bytes, split: split, chunked: chunkedBody)
                }
                blackHole(checksum)
            }
        }
        return MicroResult(name: name, bytesPerOperation: input.count, operations: timing.operations,
                           nanoseconds: timing.nanoseconds, note: "checked: POST, 10 headers, 2 signatures, body 450 B")
    }

    results.append(run("http parse DocuSign POST head+450B body", fixed, split: nil, chunkedBody: false))
    results.append(run("http same, head cut in 2 reads", fixed, split: headLength / 2, chunkedBody: false))
    results.append(run("http same, chunked body (3 chunks)", chunked, split: nil, chunkedBody: true))
    return results
}

enum HTTPMicroFixture {
    static let body: [UInt8] = {
        var text = #"{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/3f1c2b7a-8d4e-4a6b-9c0d-1e2f3a4b5c6d/envelopes/93be49ab-afa0-4adf-933c-f752070d71ec","retryCount":0,"configurationId":10363315,"generatedDateTime":"2022-12-09T18:32:13.2990000Z","data":{"accountId":"3f1c2b7a-8d4e-4a6b-9c0d-1e2f3a4b5c6d","userId":"a1b2c3d4-e5f6-4789-abcd-ef0123456789","envelopeId":"93be49ab-afa0-4adf-933c-f752070d71ec","recipientId":"1"}}"#
        while text.utf8.count < 450 { text += " " }
        return Array(text.utf8.prefix(450))
    }()

    static func head(framing: String) -> [UInt8] {
        Array(("POST /webhooks/docusign HTTP/1.1\r\n"
            + "Host: connect.example.com\r\n"
            + "User-Agent: DocuSign Connect\r\n"
            + "Content-Type: application/json; charset=utf-8\r\n"
            + framing + "\r\n"
            + "X-DocuSign-AccountId: 3f1c2b7a-8d4e-4a6b-9c0d-1e2f3a4b5c6d\r\n"
            + "X-Authorization-Digest: HMACSHA256\r\n"
            + "X-DocuSign-Signature-1: jVKmtwkVvMrn9NpCeqYb3lsdTk6SxbcQbOhf/Xl6XG8=\r\n"
            + "X-DocuSign-Signature-2: 7PGjGq0xmEh0MTGnBsBJc0QbXmAZVdyVfq4/m2zDLWs=\r\n"
            + "Accept-Encoding: gzip, deflate\r\n"
            + "Connection: Keep-Alive\r\n"
            + "\r\n").utf8)
    }

    /// Parses one request from `bytes` (optionally delivered as two reads, the first ending at
    /// `split`), checks it, and returns a checksum. Stops the process on a wrong answer.
    @inline(__always)
    static func parseOne(_ parser: RequestParser, _ bytes: UnsafeRawBufferPointer, split: Int?, chunked: Bool) -> Int {
        var offset = 0
        var available = split ?? bytes.count
        var bodyBytes = 0
        var signatures = 0
        while true {
            let step = parser.parse(UnsafeRawBufferPointer(rebasing: bytes[offset..<available]))
            switch step {
            case .needMore(let consumed):
                offset += consumed
                precondition(available < bytes.count, "http micro: parser wants more than the request")
                available = bytes.count
            case .head(let consumed):
                let head = parser.head
                let view = UnsafeRawBufferPointer(rebasing: bytes[offset..<available])
                precondition(head.method == .post && head.headerCount == 10 && head.keepAlive && head.version == .http11
                             && head.isChunked == chunked && head.contentLength == (chunked ? nil : 450)
                             && head.target.length == 18, "http micro: wrong head")
                for i in 0..<head.headerCount where spanHasPrefix(parser.headerName(at: i), in: view, lowercase: "x-docusign-signature-") {
                    signatures += Int(parser.headerValue(at: i).length)
                }
                offset += consumed
            case .body(_, let count, let consumed):
                bodyBytes += count
                offset += consumed
            case .end(let consumed):
                offset += consumed
                precondition(bodyBytes == 450 && signatures == 88 && offset == bytes.count, "http micro: wrong body or length")
                return offset &+ signatures
            case .error(let error):
                preconditionFailure("http micro: \(error)")
            }
        }
    }
}
