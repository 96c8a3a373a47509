/// The `--spawn` check: after the load, every message that got a `200` is in the server's log
/// exactly once per `200` and byte-exact, and no forged message is there.
///
/// It keeps only a 240-bit keyed digest per distinct body (never the bodies), so a run of 25 MB
/// documents costs no more memory to check than a run of 450-byte events.
///
/// Rules, per distinct body (a body can be sent several times when the pool wraps around):
/// - stored copies must be at least the genuine sends answered `200` (fewer: *missing*);
/// - and at most the genuine sends (a send whose answer was lost may or may not be stored; more
///   copies than sends: *duplicated*, or *forged stored* when forged copies were also sent);
/// - a forged-only body must not be stored at all (*forged stored*);
/// - a stored body the run never sent is *unexpected* (a modified or foreign record: a body
///   changed by one byte shows up as one unexpected record plus one missing message).
public struct ExactlyOnceCheck: Sendable {
    struct Expectation: Sendable {
        var genuineSends: UInt64 = 0
        var genuineOKs: UInt64 = 0
        var forgedSends: UInt64 = 0
        var stored: UInt64 = 0
        var firstIndex: Int
    }

    private var expected: [BodyDigest: Expectation] = [:]
    private var recordsRead = 0
    private var unexpected = 0
    private var examples: [String] = []
    public static let maximumExamples = 8

    public init() {}

    /// Records what the load did with one message (call once per pool message, after the run).
    public mutating func expect(_ digest: BodyDigest, index: Int, forged: Bool, sends: UInt64, oks: UInt64) {
        var entry = expected[digest] ?? Expectation(firstIndex: index)
        if forged {
            entry.forgedSends += sends
        } else {
            entry.genuineSends += sends
            entry.genuineOKs += oks
        }
        expected[digest] = entry
    }

    /// Records one body found in the log. `record` is its position in the reading, for messages.
    public mutating func observe(_ digest: BodyDigest, record: Int) {
        recordsRead += 1
        if expected[digest] != nil {
            expected[digest]!.stored += 1
        } else {
            unexpected += 1
            note("log record #\(record): a body this run never sent (modified or foreign)")
        }
    }

    /// Records a log record whose body could not be read back (counts as unexpected).
    public mutating func observeUnreadable(record: Int, reason: String) {
        recordsRead += 1
        unexpected += 1
        note("log record #\(record): unreadable (\(reason))")
    }

    /// The verdict over everything observed so far.
    public func verdict() -> ExactlyOnceVerdict {
        var v = ExactlyOnceVerdict()
        v.recordsRead = recordsRead
        v.unexpected = unexpected
        var notes = examples
        for (_, e) in expected.sorted(by: { $0.value.firstIndex < $1.value.firstIndex }) {
            v.acknowledged += Int(e.genuineOKs)
            if e.stored < e.genuineOKs {
                v.missing += Int(e.genuineOKs - e.stored)
                if notes.count < Self.maximumExamples {
                    notes.append("message #\(e.firstIndex): answered 200 \(e.genuineOKs)x, in the log \(e.stored)x")
                }
            } else if e.stored > e.genuineSends {
                let extra = Int(e.stored - e.genuineSends)
                if e.forgedSends > 0 {
                    v.forgedStored += extra
                    if notes.count < Self.maximumExamples {
                        notes.append("message #\(e.firstIndex): forged signature, yet stored \(extra)x")
                    }
                } else {
                    v.duplicated += extra
                    if notes.count < Self.maximumExamples {
                        notes.append("message #\(e.firstIndex): sent \(e.genuineSends)x, in the log \(e.stored)x")
                    }
                }
            } else if e.stored > e.genuineOKs {
                v.storedWithoutAcknowledgement += Int(e.stored - e.genuineOKs)
            }
        }
        v.examples = notes
        return v
    }

    private mutating func note(_ text: String) {
        if examples.count < Self.maximumExamples { examples.append(text) }
    }
}

/// The outcome of `ExactlyOnceCheck`.
public struct ExactlyOnceVerdict: Sendable, Equatable {
    public var recordsRead = 0
    /// Genuine sends answered `200`: the records that must be in the log.
    public var acknowledged = 0
    public var missing = 0
    public var duplicated = 0
    public var forgedStored = 0
    public var unexpected = 0
    /// Stored although the answer never arrived (allowed: e.g. the connection broke).
    public var storedWithoutAcknowledgement = 0
    /// A few human-readable failures, for the report.
    public var examples: [String] = []

    public init() {}

    public var passed: Bool { missing == 0 && duplicated == 0 && forgedStored == 0 && unexpected == 0 }
}
