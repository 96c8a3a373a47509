/// Verifies the HMAC-SHA256 signatures of one message at a time, hashing the body as it arrives.
///
/// Use per message: ``begin()``, then ``addCandidateSignature(_:)`` for each
/// `X-DocuSign-Signature-N` header (any time before ``finish()``, normally at head time), then
/// ``update(_:)`` with each piece of the raw body in order, in the same pass that feeds the JSON
/// scanner (the body is never re-read), then ``finish()`` or ``finishWithVerdict()``.
///
/// Cost: ``begin()`` copies each key's prepared inner state (112 bytes, no re-keying); ``update(_:)``
/// runs SHA-256 over the piece once per configured key; ``finish()`` adds two compression blocks per
/// key and compares every (candidate, key) pair with `CRYPTO_memcmp`, with no early exit, so the
/// time depends only on the counts of keys and candidates, never on how close a signature was.
///
/// Allocation: only in `init` (states for each key plus `candidateCapacity` digest slots, about
/// 3.5 KB with one key and the default capacity); nothing per message.
///
/// Thread affinity: not thread-safe and deliberately not `Sendable`. One instance belongs to one
/// connection on one worker thread.
///
/// Crash behaviour: calling ``update(_:)``, ``addCandidateSignature(_:)`` or ``finish()`` outside a
/// ``begin()``…``finish()`` bracket is a bug in the caller and traps.
public final class MessageAuthenticator {
    /// The default number of signature headers kept per message. DocuSign sends one per active
    /// key (two during rotation); one third-party source reports up to 100.
    public static let defaultCandidateCapacity = 100

    private enum Phase { case idle, hashing }

    /// The number of keys checked (the `count` of the `SigningKeys` given to `init`).
    public let keyCount: Int
    private let candidateCapacity: Int
    /// `keyCount` prepared keys, copied from the `SigningKeys` so the hot path touches no array
    /// (no bounds checks, no reference counting).
    private let keys: UnsafeMutablePointer<PreparedKey>
    /// `keyCount` inner hashes of the current message, one per key.
    private let running: UnsafeMutablePointer<SHA256State>
    /// `candidateCapacity` slots; the first `storedCandidates` hold decoded signatures.
    private let candidates: UnsafeMutablePointer<Digest>
    private var storedCandidates = 0
    private var offeredCandidates = 0
    private var phase = Phase.idle

    /// Prepares storage for `keys` and up to `candidateCapacity` signatures per message.
    /// Signatures beyond the capacity are counted in ``offeredSignatureCount`` but not checked.
    public init(keys: SigningKeys, candidateCapacity: Int = MessageAuthenticator.defaultCandidateCapacity) {
        precondition(candidateCapacity > 0, "candidateCapacity must be positive, got \(candidateCapacity)")
        keyCount = keys.count
        self.candidateCapacity = candidateCapacity
        self.keys = .allocate(capacity: max(1, keyCount))
        self.keys.initialize(from: keys.prepared, count: keyCount)
        running = .allocate(capacity: max(1, keyCount))
        running.initialize(repeating: SHA256State(), count: keyCount)
        candidates = .allocate(capacity: candidateCapacity)
        candidates.initialize(repeating: Digest(), count: candidateCapacity)
    }

    deinit {
        // The prepared and running states are key-equivalent secrets: wipe before freeing.
        ConstantTime.wipe(keys, count: keyCount * MemoryLayout<PreparedKey>.stride)
        ConstantTime.wipe(running, count: keyCount * MemoryLayout<SHA256State>.stride)
        keys.deallocate()
        running.deallocate()
        candidates.deallocate()
    }

    /// Starts a new message, forgetting the previous one's candidates and hashes. May be called at
    /// any time, including in the middle of a message (which is abandoned).
    public func begin() {
        for index in 0..<keyCount {
            running[index] = keys[index].inner
        }
        storedCandidates = 0
        offeredCandidates = 0
        phase = .hashing
    }

    /// Offers the value of one `X-DocuSign-Signature-N` header, with the surrounding optional
    /// whitespace already removed by the HTTP parser. A value that is not exactly 44 characters of
    /// strict base64 for 32 bytes is a non-match: it is counted in ``offeredSignatureCount`` only.
    public func addCandidateSignature(_ headerValue: UnsafeRawBufferPointer) {
        precondition(phase == .hashing, "addCandidateSignature called without begin()")
        offeredCandidates += 1
        guard storedCandidates < candidateCapacity else { return }
        if Base64.decodeDigest(headerValue, into: &candidates[storedCandidates]) {
            storedCandidates += 1
        }
    }

    /// Well-formed signatures offered since ``begin()`` (up to the capacity).
    public var candidateCount: Int { storedCandidates }

    /// All signature headers offered since ``begin()``, well-formed or not.
    public var offeredSignatureCount: Int { offeredCandidates }

    /// Absorbs the next piece of the raw body. Pieces must arrive in order; empty pieces are fine.
    public func update(_ piece: UnsafeRawBufferPointer) {
        precondition(phase == .hashing, "update called without begin()")
        for index in 0..<keyCount {
            running[index].update(piece)
        }
    }

    /// Ends the message: true when any candidate equals the HMAC of the body under any key.
    public func finish() -> Bool {
        finishWithVerdict() == .verified
    }

    /// Ends the message with the reason for a rejection. Every (candidate, key) pair is compared
    /// in constant time, whatever matched first.
    public func finishWithVerdict() -> SignatureVerdict {
        precondition(phase == .hashing, "finish called without begin()")
        phase = .idle
        var matches = 0
        for keyIndex in 0..<keyCount {
            let code = keys[keyIndex].finish(inner: running[keyIndex])
            for candidateIndex in 0..<storedCandidates {
                // Counted, not short-circuited: every comparison runs.
                matches &+= ConstantTime.equals(code, candidates[candidateIndex]) ? 1 : 0
            }
        }
        if matches > 0 { return .verified }
        if keyCount == 0 { return .noKeyConfigured }
        if offeredCandidates == 0 { return .missingSignature }
        if storedCandidates == 0 { return .malformedSignature }
        return .mismatch
    }
}
