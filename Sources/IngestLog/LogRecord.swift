/// A valid record as readers hand it out: copies of its bytes, safe to keep.
public struct LogRecord: Sendable, Equatable {
    public var sequence: UInt64
    /// Nanoseconds since the Unix epoch (UTC), as given by the server when the body arrived.
    public var receivedAtNanoseconds: Int64
    public var flags: RecordFlags
    public var event: [UInt8]?
    public var configurationId: [UInt8]?
    public var envelopeId: [UInt8]?
    public var generatedDateTime: [UInt8]?
    /// The `X-DocuSign-AccountId` GUID as sent (nil for records written before format version 2).
    public var accountId: [UInt8]?
    /// The message's identity (nil when the record has none, and for records written before 2).
    public var messageId: MessageID?
    /// With flag `duplicate`: the sequence number of the first copy of this message.
    public var duplicateOf: UInt64?
    /// The record layout it was read from: 1 (written before accounts and message ids) or 2.
    public var formatVersion: UInt16
    /// The exact body bytes.
    public var body: [UInt8]

    public init(sequence: UInt64, receivedAtNanoseconds: Int64, flags: RecordFlags, event: [UInt8]?,
                configurationId: [UInt8]?, envelopeId: [UInt8]?, generatedDateTime: [UInt8]?,
                accountId: [UInt8]? = nil, messageId: MessageID? = nil, duplicateOf: UInt64? = nil,
                formatVersion: UInt16 = 2, body: [UInt8]) {
        self.sequence = sequence
        self.receivedAtNanoseconds = receivedAtNanoseconds
        self.flags = flags
        self.event = event
        self.configurationId = configurationId
        self.envelopeId = envelopeId
        self.generatedDateTime = generatedDateTime
        self.accountId = accountId
        self.messageId = messageId
        self.duplicateOf = duplicateOf
        self.formatVersion = formatVersion
        self.body = body
    }

    /// True when the body was scanned as XML (flag `scannedAsXML`), else JSON.
    public var isXML: Bool { flags.contains(.scannedAsXML) }
    /// True when flagged a copy of an earlier record.
    public var isDuplicate: Bool { flags.contains(.duplicate) }
}

extension RawBytes {
    /// Copies a record that classified as `.complete` out of the mapping. A field is nil when its
    /// `has…` flag is clear (an empty but present field is an empty array).
    func decodeRecord(_ r: Reservation) -> LogRecord {
        let flags = RecordFlags(rawValue: load(r.offset + LogFormat.flagsOffset, as: UInt32.self))
        let lengths = fieldLengths(of: r)!
        var position = r.offset + r.layout.headerLength
        let body = array(position, r.bodyLength)
        position += r.bodyLength
        func field(_ length: Int, _ flag: RecordFlags) -> [UInt8]? {
            defer { position += length }
            return flags.contains(flag) ? array(position, length) : nil
        }
        let event = field(lengths.event, .hasEvent)
        let configurationId = field(lengths.configurationId, .hasConfigurationId)
        let envelopeId = field(lengths.envelopeId, .hasEnvelopeId)
        let generatedDateTime = field(lengths.generatedDateTime, .hasGeneratedDateTime)
        var accountId: [UInt8]? = nil
        var messageId: MessageID? = nil
        var duplicateOf: UInt64? = nil
        if r.layout.version >= 2 {
            accountId = field(lengths.accountId, .hasAccountId)
            if flags.contains(.hasMessageId) {
                messageId = MessageID(high: load(r.offset + LogFormat.messageIdOffset, as: UInt64.self),
                                      low: load(r.offset + LogFormat.messageIdOffset + 8, as: UInt64.self))
            }
            if flags.contains(.duplicate) {
                duplicateOf = load(r.offset + LogFormat.duplicateOfOffset, as: UInt64.self)
            }
        }
        return LogRecord(sequence: r.sequence, receivedAtNanoseconds: r.receivedAt, flags: flags, event: event,
                         configurationId: configurationId, envelopeId: envelopeId,
                         generatedDateTime: generatedDateTime, accountId: accountId, messageId: messageId,
                         duplicateOf: duplicateOf, formatVersion: r.layout.version, body: body)
    }
}
