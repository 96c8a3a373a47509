/// The `--spawn` check of message ids and duplicate marks, beside `ExactlyOnceCheck`: the load
/// knows which requests are copies of one message (a first delivery, its redeliveries, and
/// re-sends when the pool wraps around); the log must agree.
///
/// Rules, over the stored records whose body the run sent:
/// - all copies of one message carry the same message id, and different messages different ids;
/// - with `--dedup flag`: each message has exactly one record not flagged `duplicate`, and every
///   other copy names that record's sequence number as `duplicateOf`;
/// - with `--dedup off`: nothing is flagged.
/// A server that stores no message id at all (a build from before message ids) makes the check
/// not applicable: it passes, and says so.
/// When the server's index was full and forgot messages early (it logs `dedup_index_full`), a
/// message may have several unflagged copies; each flagged copy must still name one of them.
public struct DuplicateFlagCheck: Sendable {
    private var messageOfBody: [BodyDigest: Int] = [:]
    private var copies: [Int: [LoggedCopy]] = [:]
    private var unreadable = 0
    public let dedupOn: Bool

    public init(dedupOn: Bool) { self.dedupOn = dedupOn }

    /// Which message (the global index of its first delivery) a body is a copy of.
    public mutating func expect(_ digest: BodyDigest, message: Int) {
        messageOfBody[digest] = message
    }

    /// One stored record, with what its log line says (nil: the line had no readable identity).
    public mutating func observe(_ digest: BodyDigest, copy: LoggedCopy?) {
        guard let message = messageOfBody[digest] else { return }   // ExactlyOnceCheck reports strangers
        guard let copy else { unreadable += 1; return }
        copies[message, default: []].append(copy)
    }

    public func verdict(indexForgotEarly: Bool = false) -> DuplicateFlagVerdict {
        var v = DuplicateFlagVerdict()
        v.identityErrors = unreadable
        var messageOfId: [String: Int] = [:]
        func note(_ text: String) { if v.examples.count < 8 { v.examples.append(text) } }
        if unreadable == 0 && !copies.isEmpty && copies.values.allSatisfy({ $0.allSatisfy { $0.messageId == nil } }) {
            v.notApplicable = true
            v.messages = copies.count
            v.examples = ["not applicable: the server stored no message ids"]
            return v
        }
        for (message, stored) in copies.sorted(by: { $0.key < $1.key }) {
            v.messages += 1
            let ids = Set(stored.map { $0.messageId ?? "none" })
            if ids.count != 1 || ids.first == "none" {
                v.identityErrors += 1
                note("message #\(message): copies carry message ids \(ids.sorted())")
            } else if let other = messageOfId[ids.first!], other != message {
                v.identityErrors += 1
                note("messages #\(other) and #\(message) share message id \(ids.first!)")
            } else {
                messageOfId[ids.first!] = message
            }
            let flagged = stored.filter { $0.duplicateOf != nil }
            v.flagged += flagged.count
            if dedupOn {
                let firsts = stored.filter { $0.duplicateOf == nil }
                if indexForgotEarly && !firsts.isEmpty {
                    let sequences = Set(firsts.map(\.sequence))
                    if let wrong = flagged.first(where: { !sequences.contains($0.duplicateOf!) }) {
                        v.flagErrors += 1
                        note("message #\(message): seq \(wrong.sequence) names \(wrong.duplicateOf!), not an unflagged copy")
                    }
                    if firsts.count > 1 { v.forgottenEarly += 1 }
                } else if firsts.count != 1 {
                    v.flagErrors += 1
                    note("message #\(message): \(firsts.count) copies not flagged duplicate (of \(stored.count) stored)")
                } else if let wrong = flagged.first(where: { $0.duplicateOf != firsts[0].sequence }) {
                    v.flagErrors += 1
                    note("message #\(message): seq \(wrong.sequence) names \(wrong.duplicateOf!), first copy is \(firsts[0].sequence)")
                }
            } else if !flagged.isEmpty {
                v.flagErrors += 1
                note("message #\(message): \(flagged.count) copies flagged duplicate with --dedup off")
            }
        }
        return v
    }
}

public struct DuplicateFlagVerdict: Sendable, Equatable {
    /// Distinct messages with at least one stored copy.
    public var messages = 0
    /// Records flagged duplicate.
    public var flagged = 0
    public var identityErrors = 0
    public var flagErrors = 0
    /// No stored record had a message id (a server from before them): nothing was checked.
    public var notApplicable = false
    /// Messages stored unflagged more than once because the full index forgot them early.
    public var forgottenEarly = 0
    public var examples: [String] = []

    public init() {}
    public var passed: Bool { identityErrors == 0 && flagErrors == 0 }
}
