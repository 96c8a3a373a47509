import IngestLog

/// What the index reads back from a log record: enough to rebuild or catch up.
public struct LoggedIdentity: Sendable, Equatable {
    public var sequence: UInt64
    public var receivedAtNanoseconds: Int64
    public var messageId: MessageID
    /// Set when the record is flagged `duplicate`: the sequence number it names as first copy.
    public var duplicateOf: UInt64?

    public init(sequence: UInt64, receivedAtNanoseconds: Int64, messageId: MessageID, duplicateOf: UInt64? = nil) {
        self.sequence = sequence
        self.receivedAtNanoseconds = receivedAtNanoseconds
        self.messageId = messageId
        self.duplicateOf = duplicateOf
    }
}

/// The log as the index needs it when it starts (the log is the truth; the index follows it).
/// `OpenedLog` is the real one; tests may supply their own.
public protocol IndexedLog {
    /// The sequence number the next record will get (after recovery).
    var nextSequence: UInt64 { get }
    /// Every record a crashed writer had reserved but not published has a sequence number at or
    /// above this (`LogDirectoryInfo.unsettledFrom`, read before recovery ran).
    var unsettledFrom: UInt64 { get }
    /// A sequence number no greater than that of any record received at or after `time`.
    func firstSequence(receivedAtOrAfter time: Int64) throws -> UInt64
    /// Calls `body` with every valid record that carries a message id, from `sequence` on, in
    /// sequence order, up to the end of the log.
    func forEachIdentity(from sequence: UInt64, _ body: (LoggedIdentity) throws -> Void) throws
}

/// A `MessageLog` that has just been opened (recovered, no commits yet), read with `LogReader`.
public struct OpenedLog: IndexedLog {
    public let log: MessageLog
    public let unsettledFrom: UInt64

    /// `unsettledFrom`: `LogDirectoryInfo.unsettledFrom(directory:)` read before `MessageLog.open`.
    public init(log: MessageLog, unsettledFrom: UInt64) {
        self.log = log
        self.unsettledFrom = unsettledFrom
    }

    public var nextSequence: UInt64 { log.recoveryReport.nextSequence }

    public func firstSequence(receivedAtOrAfter time: Int64) throws -> UInt64 {
        try LogDirectoryInfo.firstSequence(receivedAtOrAfter: time, directory: log.directory)
    }

    public func forEachIdentity(from sequence: UInt64, _ body: (LoggedIdentity) throws -> Void) throws {
        let reader = try LogReader(directory: log.directory, fromSequence: sequence)
        while let record = try reader.next() {
            guard let id = record.messageId else { continue }
            try body(LoggedIdentity(sequence: record.sequence, receivedAtNanoseconds: record.receivedAtNanoseconds,
                                    messageId: id, duplicateOf: record.duplicateOf))
        }
    }
}
