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

    public func matches(_ record: LogRecord) -> Bool {
        if let event, record.event != event { return false }
        if let configurationId, record.configurationId != configurationId { return false }
        if let accountId {
            guard let stored = record.accountId, stored.withUnsafeBytes({ AccountID(text: $0) }) == accountId else { return false }
        }
        if unique && record.isDuplicate { return false }
        return true
    }
}
