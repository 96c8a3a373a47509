import IngestHMAC
import IngestLog

/// Which records are shipped: like `read`'s filters, compared with the stored field bytes
/// exactly; a record without the field does not match. Records left out still move the
/// checkpoint forward.
public struct RecordFilter: Sendable {
    public var event: [UInt8]?
    public var configurationId: [UInt8]?
    public var accountId: AccountID?
    /// Leave out records the log flagged as duplicates (redeliveries of a message already in it).
    public var unique = false

    public init() {}

    /// `onlyCopy`: the record is flagged duplicate but its first copy is not in the log (see
    /// `LogReader.standsInForFirstCopy`), so `unique` keeps it.
    public func matches(_ record: LogRecord, onlyCopy: Bool = false) -> Bool {
        if let event, record.event != event { return false }
        if let configurationId, record.configurationId != configurationId { return false }
        if let accountId {
            guard let stored = record.accountId, stored.withUnsafeBytes({ AccountID(text: $0) }) == accountId else { return false }
        }
        if unique && record.isDuplicate && !onlyCopy { return false }
        return true
    }
}
