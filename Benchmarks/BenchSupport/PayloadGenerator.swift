import IngestHMAC

/// How the bodies of a run look. One value for the whole run; every client thread builds its
/// own `PayloadGenerator` from it for its own slice of message indexes.
public struct PayloadSettings: Sendable {
    public var kind: PayloadKind
    /// Target body size for `.documents`, in bytes.
    public var documentSize: Int
    /// Varies every identifier between runs; the same seed gives the same bytes.
    public var seed: UInt64
    /// `generatedDateTime` of message index 0, in 100-ns ticks since 1970.
    public var baseTicks: Int64
    /// `generatedDateTime` step between consecutive message indexes (100-ns ticks).
    public var ticksPerMessage: Int64
    /// The body for `.file`, read once by the caller.
    public var fileBody: [UInt8]
    /// Every envelope has this many signers (nil: 1-3, as in a real flood). `wrk-script` uses it
    /// to build larger envelope summaries.
    public var recipients: Int? = nil
    /// `--account-id`: the `X-DocuSign-AccountId` value sent instead of ``accountId``.
    public var accountHeader: [UInt8]?

    public init(kind: PayloadKind, documentSize: Int = 1 << 20, seed: UInt64,
                baseTicks: Int64 = ConnectIdentifiers.ticks(year: 2026, month: 1, day: 1),
                ticksPerMessage: Int64 = 1_000, fileBody: [UInt8] = []) {
        self.kind = kind
        self.documentSize = documentSize
        self.seed = seed
        self.baseTicks = baseTicks
        self.ticksPerMessage = ticksPerMessage
        self.fileBody = fileBody
    }

    /// The simulated account's id (also sent as `X-DocuSign-AccountId`).
    public var accountId: [UInt8] {
        ConnectIdentifiers.uuid(serial: 0, namespace: EnvelopePlan.Namespace.account, seed: seed)
    }

    /// The four simulated Connect configurations' ids: eight digits, like real ones.
    func configurationId(_ index: Int) -> Int {
        10_000_000 + Int(ConnectIdentifiers.mix(seed) % 89_000_000) + index
    }
}

/// Builds Connect 2.0 bodies for consecutive global message indexes, starting at `firstIndex`.
///
/// Uniqueness: envelope ids are derived from the global index of the envelope's first message
/// and `generatedDateTime` from each message's own global index, so bodies from different slices
/// (threads) never coincide and timestamps increase with the index. A slice starts with a fresh
/// envelope; the slice's last envelope may be cut short.
public struct PayloadGenerator {
    public let settings: PayloadSettings
    public private(set) var nextIndex: Int
    private var envelope: EnvelopePlan?
    private var envelopeStep = 0
    private let summaryWriter: EnvelopeSummaryWriter
    private let accountId: [UInt8]
    private let senderUserId: [UInt8]
    private var documentBase64: [UInt8]?

    public init(settings: PayloadSettings, firstIndex: Int) {
        self.settings = settings
        self.nextIndex = firstIndex
        accountId = settings.accountId
        senderUserId = ConnectIdentifiers.uuid(serial: 0, namespace: EnvelopePlan.Namespace.user, seed: settings.seed)
        summaryWriter = EnvelopeSummaryWriter(accountId: accountId, senderUserId: senderUserId, seed: settings.seed)
    }

    /// Replaces `body` with the next message's bytes.
    public mutating func next(into body: inout [UInt8]) {
        body.removeAll(keepingCapacity: true)
        defer { nextIndex += 1 }
        switch settings.kind {
        case .file:
            body.append(contentsOf: settings.fileBody)
        case .documents:
            let plan = EnvelopePlan(serial: UInt64(nextIndex), seed: settings.seed, fixedRecipients: 1)
            if documentBase64 == nil { documentBase64 = makeDocument(plan: plan, scratch: &body) }
            write(into: &body, plan: plan, stepIndex: plan.messageCount - 1, summary: true, document: documentBase64)
        case .small, .summary, .mix:
            if envelope == nil || envelopeStep == envelope!.messageCount {
                envelope = EnvelopePlan(serial: UInt64(nextIndex), seed: settings.seed, fixedRecipients: settings.recipients)
                envelopeStep = 0
            }
            let plan = envelope!
            let summary: Bool
            switch settings.kind {
            case .small: summary = false
            case .summary: summary = true
            default: summary = plan.configuration == 0
            }
            write(into: &body, plan: plan, stepIndex: envelopeStep, summary: summary, document: nil)
            envelopeStep += 1
        }
    }

    private func write(into out: inout [UInt8], plan: EnvelopePlan, stepIndex: Int, summary: Bool, document: [UInt8]?) {
        let step = plan.step(stepIndex)
        let ticks = settings.baseTicks + Int64(nextIndex) * settings.ticksPerMessage
        out.put("{\"event\":")
        out.putString(step.event)
        out.put(",\"apiVersion\":\"v2.1\",\"uri\":\"/restapi/v2.1/accounts/")
        out.put(accountId)
        out.put("/envelopes/")
        out.put(plan.envelopeId)
        out.put("\",\"retryCount\":0,\"configurationId\":")
        out.put(settings.configurationId(plan.configuration))
        out.put(",\"generatedDateTime\":")
        out.putString(ConnectIdentifiers.timestamp(ticks: ticks))
        out.put(",\"data\":{\"accountId\":")
        out.putString(accountId)
        out.put(",\"userId\":")
        out.putString(senderUserId)
        out.put(",\"envelopeId\":")
        out.putString(plan.envelopeId)
        if let recipient = step.recipient {
            out.put(",\"recipientId\":")
            out.putQuoted(recipient)
        }
        if summary {
            out.put(",")
            let created = settings.baseTicks + Int64(plan.serial) * settings.ticksPerMessage - 6_000_000_000
            summaryWriter.write(into: &out, plan: plan, step: step, createdTicks: max(0, created),
                                eventTicks: ticks, documentBase64: document)
        }
        out.put("}}")
    }

    /// The shared base64 "PDF" for `.documents`, sized so bodies come out near `documentSize`.
    private func makeDocument(plan: EnvelopePlan, scratch: inout [UInt8]) -> [UInt8] {
        write(into: &scratch, plan: plan, stepIndex: plan.messageCount - 1, summary: true, document: [])
        let overhead = scratch.count
        scratch.removeAll(keepingCapacity: true)
        let base64Length = max(4, (settings.documentSize - overhead) / 4 * 4)
        let raw = PDFLikeContent.make(byteCount: base64Length / 4 * 3, seed: settings.seed)
        return raw.withUnsafeBytes { Base64.encode($0) }
    }
}
