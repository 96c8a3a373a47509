/// Verifies the HMAC-SHA256 signatures of one message at a time, hashing the body as it arrives.
///
/// Use per message: ``begin(account:)`` with the account the `X-DocuSign-AccountId` header names
/// (nil when there is none or it is not a GUID; or ``begin()`` and later ``selectAccount(_:)``,
/// before the body), then ``addCandidateSignature(_:)`` for each
/// `X-DocuSign-Signature-N` header (any time before ``finish()``, normally at head time), then
/// ``update(_:)`` with each piece of the raw body in order, in the same pass that feeds the JSON
/// scanner (the body is never re-read), then ``finish()`` or ``finishWithVerdict()``.
///
/// Which keys a message is checked against is decided once, at ``begin(account:)``: the global
/// keys, plus the account's own keys when the account has any. A key of another account is never
/// tried, so it can never make the message genuine.
///
/// Cost: ``begin(account:)`` looks the account up in the shared key table (no allocation) and
/// copies each tried key's prepared inner state (112 bytes, no re-keying); ``update(_:)`` runs
/// SHA-256 over the piece once per tried key; ``finish()`` adds two compression blocks per tried
/// key and compares every (candidate, key) pair with `CRYPTO_memcmp`, with no early exit, so the
/// time depends only on the counts of tried keys and candidates, never on how close a signature was.
///
/// Allocation: only in `init` and in ``rebind(to:)`` when the new keys need more running states
/// (a running state per key a message can be tried against, plus `candidateCapacity` digest slots,
/// about 3.5 KB with one key and the default capacity); nothing per message. The prepared keys
/// themselves are shared with every other authenticator built from the same ``SigningKeys``.
///
/// Thread affinity: not thread-safe and deliberately not `Sendable`. One instance belongs to one
/// connection on one worker thread.
///
/// Crash behaviour: calling ``update(_:)``, ``addCandidateSignature(_:)`` or ``finish()`` outside a
/// ``begin(account:)``…``finish()`` bracket is a bug in the caller and traps.
public final class MessageAuthenticator {
    /// The default number of signature headers kept per message. DocuSign sends one per active
    /// key (two during rotation); one third-party source reports up to 100.
    public static let defaultCandidateCapacity = 100

    /// `hashing`: between `begin` and `finish`; `bodyStarted` once `update` was called (the
    /// account can no longer change).
    private enum Phase { case idle, hashing, bodyStarted }

    /// The keys in use. Holding this reference keeps `keys` below valid.
    private var table: KeyTable
    /// The table's prepared keys (its global keys are `keys[0..<globalKeyCount]`).
    private var keys: UnsafeMutablePointer<PreparedKey>
    private var accountIndex: AccountIndex
    private var globalKeyCount: Int
    private var configuredKeyCount: Int
    /// The current message's account keys: `keys[accountStart..<accountStart + accountKeyCount]`.
    private var accountStart = 0
    private var accountKeyCount = 0
    private var runningCapacity: Int
    /// Inner hashes of the current message: global keys first, then the account's.
    private var running: UnsafeMutablePointer<SHA256State>
    private let candidateCapacity: Int
    /// `candidateCapacity` slots; the first `storedCandidates` hold decoded signatures.
    private let candidates: UnsafeMutablePointer<Digest>
    private var storedCandidates = 0
    private var offeredCandidates = 0
    private var phase = Phase.idle
    private var matchedWithAccountKey = false
    private var accountOrdinal = -1

    /// Prepares storage for `keys` and up to `candidateCapacity` signatures per message.
    /// Signatures beyond the capacity are counted in ``offeredSignatureCount`` but not checked.
    public init(keys: SigningKeys, candidateCapacity: Int = MessageAuthenticator.defaultCandidateCapacity) {
        precondition(candidateCapacity > 0, "candidateCapacity must be positive, got \(candidateCapacity)")
        table = keys.table
        self.keys = keys.table.keys
        accountIndex = keys.table.accountIndex
        globalKeyCount = keys.table.globalCount
        configuredKeyCount = keys.table.totalCount
        runningCapacity = max(1, keys.table.maximumKeysPerMessage)
        running = .allocate(capacity: runningCapacity)
        running.initialize(repeating: SHA256State(), count: runningCapacity)
        self.candidateCapacity = candidateCapacity
        candidates = .allocate(capacity: candidateCapacity)
        candidates.initialize(repeating: Digest(), count: candidateCapacity)
    }

    deinit {
        // Running states are derived from the keys: wipe before freeing.
        ConstantTime.wipe(running, count: runningCapacity * MemoryLayout<SHA256State>.stride)
        running.deallocate()
        candidates.deallocate()
    }

    /// Switches to another set of keys (a credentials reload). A message in progress is
    /// abandoned (as by ``begin()``): the next one must start with `begin`. Allocates only when
    /// the new keys can try more keys per message than the running states hold.
    public func rebind(to keys: SigningKeys) {
        phase = .idle
        let needed = max(1, keys.table.maximumKeysPerMessage)
        if needed > runningCapacity {
            ConstantTime.wipe(running, count: runningCapacity * MemoryLayout<SHA256State>.stride)
            running.deallocate()
            running = .allocate(capacity: needed)
            running.initialize(repeating: SHA256State(), count: needed)
            runningCapacity = needed
        }
        table = keys.table
        self.keys = keys.table.keys
        accountIndex = keys.table.accountIndex
        globalKeyCount = keys.table.globalCount
        configuredKeyCount = keys.table.totalCount
    }

    /// The number of configured keys, global and per account.
    public var keyCount: Int { configuredKeyCount }

    /// Starts a new message for `account` (nil: no `X-DocuSign-AccountId`, or not a GUID),
    /// forgetting the previous one's candidates and hashes. May be called at any time, including
    /// in the middle of a message (which is abandoned).
    public func begin(account: AccountID?) {
        begin()
        selectAccount(account)
    }

    /// Starts a new message; until ``selectAccount(_:)`` names one, no account's keys are tried
    /// (only the global keys).
    public func begin() {
        accountKeyCount = 0
        accountOrdinal = -1
        for index in 0..<globalKeyCount {
            running[index] = keys[index].inner
        }
        storedCandidates = 0
        offeredCandidates = 0
        matchedWithAccountKey = false
        phase = .hashing
    }

    /// Names the message's account (nil: none, or the header is not a GUID) after ``begin()``
    /// and before the first ``update(_:)``, so the server can read the account header in the
    /// same pass over the headers that offers the signatures. Its keys, if it has any, are tried
    /// besides the global ones.
    public func selectAccount(_ account: AccountID?) {
        precondition(phase == .hashing, "selectAccount called outside begin()…first update()")
        accountKeyCount = 0
        accountOrdinal = -1
        guard let account, let run = accountIndex.run(of: account) else { return }
        accountStart = Int(run.start)
        accountKeyCount = Int(run.count)
        accountOrdinal = Int(run.ordinal)
        for index in 0..<accountKeyCount {
            running[globalKeyCount + index] = keys[accountStart + index].inner
        }
    }

    /// The keys the current message is checked against (global plus its account's).
    public var triedKeyCount: Int { globalKeyCount + accountKeyCount }

    /// The current message's account's position in ``SigningKeys/accounts``, or nil when the
    /// message's account has no keys of its own (or it named none).
    public var selectedAccountOrdinal: Int? { accountOrdinal >= 0 ? accountOrdinal : nil }

    /// After a verified ``finish()``: true when a key of the message's account matched (false:
    /// only a global key did).
    public var verifiedWithAccountKey: Bool { matchedWithAccountKey }

    /// Offers the value of one `X-DocuSign-Signature-N` header, with the surrounding optional
    /// whitespace already removed by the HTTP parser. A value that is not exactly 44 characters of
    /// strict base64 for 32 bytes is a non-match: it is counted in ``offeredSignatureCount`` only.
    public func addCandidateSignature(_ headerValue: UnsafeRawBufferPointer) {
        precondition(phase != .idle, "addCandidateSignature called without begin()")
        offeredCandidates += 1
        guard storedCandidates < candidateCapacity else { return }
        if Base64.decodeDigest(headerValue, into: &candidates[storedCandidates]) {
            storedCandidates += 1
        }
    }

    /// Well-formed signatures offered since ``begin(account:)`` (up to the capacity).
    public var candidateCount: Int { storedCandidates }

    /// All signature headers offered since ``begin(account:)``, well-formed or not.
    public var offeredSignatureCount: Int { offeredCandidates }

    /// Absorbs the next piece of the raw body. Pieces must arrive in order; empty pieces are fine.
    public func update(_ piece: UnsafeRawBufferPointer) {
        precondition(phase != .idle, "update called without begin()")
        phase = .bodyStarted
        for index in 0..<(globalKeyCount + accountKeyCount) {
            running[index].update(piece)
        }
    }

    /// Ends the message: true when any candidate equals the HMAC of the body under any tried key.
    public func finish() -> Bool {
        finishWithVerdict() == .verified
    }

    /// Ends the message with the reason for a rejection. Every (candidate, tried key) pair is
    /// compared in constant time, whatever matched first.
    public func finishWithVerdict() -> SignatureVerdict {
        precondition(phase != .idle, "finish called without begin()")
        phase = .idle
        var globalMatches = 0
        var accountMatches = 0
        for index in 0..<(globalKeyCount + accountKeyCount) {
            let key = index < globalKeyCount ? keys[index] : keys[accountStart + index - globalKeyCount]
            let code = key.finish(inner: running[index])
            var matches = 0
            for candidateIndex in 0..<storedCandidates {
                // Counted, not short-circuited: every comparison runs.
                matches &+= ConstantTime.equals(code, candidates[candidateIndex]) ? 1 : 0
            }
            if index < globalKeyCount { globalMatches &+= matches } else { accountMatches &+= matches }
        }
        matchedWithAccountKey = accountMatches > 0
        if globalMatches + accountMatches > 0 { return .verified }
        if configuredKeyCount == 0 { return .noKeyConfigured }
        if offeredCandidates == 0 { return .missingSignature }
        if storedCandidates == 0 { return .malformedSignature }
        return .mismatch
    }
}
