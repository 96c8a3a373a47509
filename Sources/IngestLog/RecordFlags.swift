/// What the server knew about a message when it stored it. Stored as a 32-bit value in each
/// record; bits not named here are kept and shown as `bitN` by readers.
public struct RecordFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// An HMAC signature header matched a configured key.
    public static let signatureVerified = RecordFlags(rawValue: 1 << 0)
    /// The server runs without keys (or the message carried no signature and that is allowed).
    public static let unsigned = RecordFlags(rawValue: 1 << 1)
    /// The body parsed as well-formed JSON.
    public static let jsonWellFormed = RecordFlags(rawValue: 1 << 2)
    /// The four fields were found (the log also sets these itself when a field is passed).
    public static let hasEvent = RecordFlags(rawValue: 1 << 3)
    public static let hasConfigurationId = RecordFlags(rawValue: 1 << 4)
    public static let hasEnvelopeId = RecordFlags(rawValue: 1 << 5)
    public static let hasGeneratedDateTime = RecordFlags(rawValue: 1 << 6)
    /// Set by the log: a field was longer than 1024 bytes and only its first 1024 were kept.
    public static let fieldTruncated = RecordFlags(rawValue: 1 << 7)
    /// The body was scanned as XML (legacy Connect format); clear: scanned as JSON.
    public static let scannedAsXML = RecordFlags(rawValue: 1 << 8)
    /// The body parsed as well-formed XML.
    public static let xmlWellFormed = RecordFlags(rawValue: 1 << 9)
    /// The message carried an `X-DocuSign-AccountId` GUID, stored as the fifth field.
    public static let hasAccountId = RecordFlags(rawValue: 1 << 10)
    /// The record carries a message id (set by the log when one is passed).
    public static let hasMessageId = RecordFlags(rawValue: 1 << 11)
    /// Set by the log at commit: a record with the same message id was committed before; its
    /// sequence number is the record's `duplicateOf`.
    public static let duplicate = RecordFlags(rawValue: 1 << 12)

    /// The names used by `connect-ingest read`, in bit order.
    public static let names: [(RecordFlags, String)] = [
        (.signatureVerified, "signatureVerified"), (.unsigned, "unsigned"),
        (.jsonWellFormed, "jsonWellFormed"), (.hasEvent, "hasEvent"),
        (.hasConfigurationId, "hasConfigurationId"), (.hasEnvelopeId, "hasEnvelopeId"),
        (.hasGeneratedDateTime, "hasGeneratedDateTime"), (.fieldTruncated, "fieldTruncated"),
        (.scannedAsXML, "scannedAsXML"), (.xmlWellFormed, "xmlWellFormed"), (.hasAccountId, "hasAccountId"),
        (.hasMessageId, "hasMessageId"), (.duplicate, "duplicate"),
    ]

    /// The names of the set bits, unknown bits as `bitN`.
    public var nameList: [String] {
        var result: [String] = []
        var rest = rawValue
        for (flag, name) in RecordFlags.names where contains(flag) {
            result.append(name)
            rest &= ~flag.rawValue
        }
        var bit: UInt32 = 0
        while rest != 0 {
            if rest & 1 != 0 { result.append("bit\(bit)") }
            rest >>= 1
            bit += 1
        }
        return result
    }
}
