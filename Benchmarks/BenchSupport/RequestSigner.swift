import IngestHMAC

/// Signs bodies the way DocuSign does, through IngestHMAC's one-shot API, so the generator and
/// the server share one HMAC implementation (and the tests check it against independent vectors).
///
/// The key is the secret string's UTF-8 bytes exactly as shown (never base64-decoded).
public struct RequestSigner: Sendable {
    public let key: [UInt8]
    /// A different key, for well-formed but wrong signatures (`--bad-signature-rate`).
    private let forgeryKey: [UInt8]

    public init(key: [UInt8]) {
        precondition(!key.isEmpty, "empty HMAC key")
        self.key = key
        self.forgeryKey = Array("forged-by-connect-bench:".utf8) + key
    }

    public init(key: String) { self.init(key: Array(key.utf8)) }

    /// `X-DocuSign-Signature-1`: base64(HMAC-SHA256(key, body)), 44 bytes.
    public func signature(of body: UnsafeRawBufferPointer) -> [UInt8] {
        HMACSHA256.signatureHeaderValue(key: key, message: body)
    }

    public func signature(of body: [UInt8]) -> [UInt8] {
        body.withUnsafeBytes { signature(of: $0) }
    }

    /// 44 bytes of valid base64 that do not match `body` under `key`.
    public func forgedSignature(of body: UnsafeRawBufferPointer) -> [UInt8] {
        HMACSHA256.signatureHeaderValue(key: forgeryKey, message: body)
    }

    /// The identity the exactly-once check tracks a body by.
    public func digest(of body: UnsafeRawBufferPointer) -> BodyDigest {
        BodyDigest(signatureHeaderValue: signature(of: body))
    }

    public func digest(of body: [UInt8]) -> BodyDigest {
        body.withUnsafeBytes { digest(of: $0) }
    }
}

/// A body's identity for the exactly-once check: its HMAC-SHA256 under the run's key, taken from
/// the 44-character base64 signature (the first 40 characters, 240 bits). Keyed, so it cannot be
/// made to collide by a body the generator did not write.
public struct BodyDigest: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(signatureHeaderValue value: [UInt8]) {
        precondition(value.count == 44, "a signature header value is 44 base64 characters, got \(value.count)")
        func word(_ at: Int) -> UInt64 {
            var w: UInt64 = 0
            for i in at..<(at + 8) { w = w << 8 | UInt64(value[i]) }
            return w
        }
        words = (word(0), word(8), word(16), word(24), word(32))
    }

    public static func == (a: BodyDigest, b: BodyDigest) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
            && a.words.3 == b.words.3 && a.words.4 == b.words.4
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }
}

/// Which message indexes carry a forged signature: a fixed fraction, chosen by the seed.
public struct ForgeryPlan: Sendable {
    public let rate: Double
    public let seed: UInt64

    public init(rate: Double, seed: UInt64) {
        self.rate = rate
        self.seed = seed
    }

    public func isForged(_ index: Int) -> Bool {
        guard rate > 0 else { return false }
        let roll = ConnectIdentifiers.mix(seed ^ 0xF0_26ED ^ UInt64(index))
        return Double(roll >> 11) / 9_007_199_254_740_992.0 < rate
    }
}
