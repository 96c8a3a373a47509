/// The method, path and `Host` header every generated request carries.
public struct RequestTarget: Sendable {
    public var path: String
    public var hostHeader: String
    /// Header lines sent with every request after `Host`, each ending in CRLF
    /// (`--bearer-token`: `Authorization: Bearer ...`).
    public var extraHeaderLines: String
    /// Every request carries `Connection: close` (one connection per message).
    public var connectionClose: Bool

    public init(path: String, hostHeader: String, extraHeaderLines: String = "", connectionClose: Bool = false) {
        self.path = path
        self.hostHeader = hostHeader
        self.extraHeaderLines = extraHeaderLines
        self.connectionClose = connectionClose
    }
}

/// One client thread's pre-generated requests: complete HTTP/1.1 requests (head + body) back to
/// back in one `ByteArena`, so the client's hot path is only `write(2)` of ranges of it.
///
/// Message `i` of the pool has global index `firstIndex + i`. Consecutive messages are adjacent
/// in memory, so several pipelined requests go out in one write.
///
/// Thread affinity: generated on any one thread, then used by exactly one client thread; the
/// per-message results live in that thread's `LoadCounters`, never here. Immutable after `init`.
public final class RequestPool: @unchecked Sendable {
    public let firstIndex: Int
    public let count: Int
    public let arena: ByteArena
    /// `requestOffsets[i]` is where request `i` starts; `requestOffsets[count] == arena.count`.
    public let requestOffsets: [Int]
    /// Where each request's body starts (after the blank line).
    public let bodyOffsets: [Int]
    /// Each body's identity for the exactly-once check.
    public let digests: [BodyDigest]
    /// Whether each request carries a forged signature (and must get 401).
    public let forged: [Bool]

    /// Generates `count` requests for global indexes `firstIndex...`.
    public init(settings: PayloadSettings, target: RequestTarget, signer: RequestSigner,
                forgery: ForgeryPlan, firstIndex: Int, count: Int, expectedBytes: Int = 0) {
        precondition(count > 0, "empty request pool")
        self.firstIndex = firstIndex
        self.count = count
        let arena = ByteArena(capacity: max(expectedBytes, 4096))
        var requestOffsets = [Int](); requestOffsets.reserveCapacity(count + 1)
        var bodyOffsets = [Int](); bodyOffsets.reserveCapacity(count)
        var digests = [BodyDigest](); digests.reserveCapacity(count)
        var forged = [Bool](); forged.reserveCapacity(count)
        var generator = PayloadGenerator(settings: settings, firstIndex: firstIndex)
        var body: [UInt8] = []
        var head: [UInt8] = []
        let headStart = Array("POST \(target.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n\(target.extraHeaderLines)".utf8)
            + (target.connectionClose ? Array("Connection: close\r\n".utf8) : [])
            + Array("Content-Type: application/json; charset=utf-8\r\nContent-Length: ".utf8)
        let headTail = Array("\r\nX-Authorization-Digest: HMACSHA256\r\nX-DocuSign-AccountId: ".utf8)
            + (settings.accountHeader ?? settings.accountId) + Array("\r\n\r\n".utf8)
        for _ in 0..<count {
            let index = generator.nextIndex
            generator.next(into: &body)
            let isForged = forgery.isForged(index)
            let (signature, forgedSignature) = body.withUnsafeBytes { raw in
                (signer.signature(of: raw), isForged ? signer.forgedSignature(of: raw) : nil)
            }
            head.removeAll(keepingCapacity: true)
            head.append(contentsOf: headStart)
            head.put(body.count)
            head.put("\r\nX-DocuSign-Signature-1: ")
            head.append(contentsOf: forgedSignature ?? signature)
            head.append(contentsOf: headTail)
            requestOffsets.append(arena.count)
            arena.append(head)
            bodyOffsets.append(arena.count)
            arena.append(body)
            digests.append(BodyDigest(signatureHeaderValue: signature))
            forged.append(isForged)
        }
        requestOffsets.append(arena.count)
        self.arena = arena
        self.requestOffsets = requestOffsets
        self.bodyOffsets = bodyOffsets
        self.digests = digests
        self.forged = forged
    }

    /// The bytes of requests `first..<first + count` (adjacent in the arena).
    public func requestRange(first: Int, count: Int) -> Range<Int> {
        requestOffsets[first]..<requestOffsets[first + count]
    }

    /// A copy of request `i`'s body (checks and tests).
    public func body(_ i: Int) -> [UInt8] {
        arena.bytes(bodyOffsets[i]..<requestOffsets[i + 1])
    }

    /// A copy of request `i`, head and body.
    public func request(_ i: Int) -> [UInt8] {
        arena.bytes(requestOffsets[i]..<requestOffsets[i + 1])
    }

    public func bodySize(_ i: Int) -> Int { requestOffsets[i + 1] - bodyOffsets[i] }

    /// Total bytes of all bodies (for MB/s).
    public var totalBodyBytes: Int {
        var total = 0
        for i in 0..<count { total += bodySize(i) }
        return total
    }
}
