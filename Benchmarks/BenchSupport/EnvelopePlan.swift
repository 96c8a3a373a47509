/// One simulated envelope's life as Connect reports it, message by message.
///
/// Order (SIM sends one message per event, in generation order): `envelope-sent`; then for each
/// recipient in routing order `recipient-sent`, `recipient-delivered`, `recipient-completed`;
/// then `envelope-completed`. That is `2 + 3 * recipientCount` messages.
struct EnvelopePlan {
    /// Unique within a run: the global pool index of the envelope's first message.
    let serial: UInt64
    let recipientCount: Int
    /// Which of the four simulated Connect configurations sends it (0 asks for summaries).
    let configuration: Int
    let envelopeId: [UInt8]

    init(serial: UInt64, seed: UInt64, fixedRecipients: Int? = nil) {
        self.serial = serial
        let roll = ConnectIdentifiers.mix(seed ^ serial ^ 0xE17E_1095)
        if let fixed = fixedRecipients {
            recipientCount = fixed
        } else {
            let percent = roll % 100
            recipientCount = percent < 50 ? 1 : (percent < 85 ? 2 : 3)
        }
        configuration = Int((roll >> 32) % 4)
        envelopeId = ConnectIdentifiers.uuid(serial: serial, namespace: Namespace.envelope, seed: seed)
    }

    var messageCount: Int { 2 + 3 * recipientCount }

    /// What message number `step` (0-based, `< messageCount`) of this envelope reports.
    func step(_ step: Int) -> EnvelopeStep {
        precondition(step >= 0 && step < messageCount, "step \(step) outside envelope of \(messageCount)")
        if step == 0 { return EnvelopeStep(event: "envelope-sent", recipient: nil, recipientPhase: 0, completed: false) }
        if step == messageCount - 1 {
            return EnvelopeStep(event: "envelope-completed", recipient: nil, recipientPhase: 3, completed: true)
        }
        let recipient = (step - 1) / 3 + 1
        let phase = (step - 1) % 3
        let event: StaticString = phase == 0 ? "recipient-sent" : (phase == 1 ? "recipient-delivered" : "recipient-completed")
        return EnvelopeStep(event: event, recipient: recipient, recipientPhase: phase, completed: false)
    }

    /// Identifier namespaces, so envelope, recipient, document ... ids never coincide.
    enum Namespace {
        static let account: UInt64 = 0xA11
        static let user: UInt64 = 0x05E2
        static let envelope: UInt64 = 0xE7E1
        static let recipient: UInt64 = 0x2EC1
        static let document: UInt64 = 0xD0C5
        static let page: UInt64 = 0x9A6E
    }
}

/// The event one message reports, and where the envelope stands at that moment.
struct EnvelopeStep {
    let event: StaticString
    /// 1-based recipient the event is about (`data.recipientId`), nil for envelope events.
    let recipient: Int?
    /// For recipient events: 0 sent, 1 delivered, 2 completed.
    let recipientPhase: Int
    /// The envelope is completed (the last message).
    let completed: Bool

    /// The status of `recipient` (1-based) in the summary at this step.
    func status(ofRecipient other: Int) -> RecipientStatus {
        if completed { return .completed }
        guard let current = recipient else { return other == 1 ? .sent : .created }
        if other < current { return .completed }
        if other > current { return .created }
        return recipientPhase == 0 ? .sent : (recipientPhase == 1 ? .delivered : .completed)
    }
}

/// A signer's status as the summary spells it.
enum RecipientStatus {
    case created, sent, delivered, completed

    var text: StaticString {
        switch self {
        case .created: return "created"
        case .sent: return "sent"
        case .delivered: return "delivered"
        case .completed: return "completed"
        }
    }
}
