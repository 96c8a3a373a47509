/// The five fields stored with a message, each optional, as raw bytes.
///
/// Ownership: the pointers are borrowed for the duration of the call that takes this value
/// (`stage`, `finishLargeRecord`), which copies them; they are never kept. Each field is stored
/// up to 1024 bytes; longer values are cut and `RecordFlags.fieldTruncated` is set.
public struct RecordFields {
    public var event: UnsafeRawBufferPointer?
    public var configurationId: UnsafeRawBufferPointer?
    public var envelopeId: UnsafeRawBufferPointer?
    public var generatedDateTime: UnsafeRawBufferPointer?
    /// The `X-DocuSign-AccountId` header as sent (the server passes it only when it is a GUID).
    public var accountId: UnsafeRawBufferPointer?

    public init(event: UnsafeRawBufferPointer? = nil, configurationId: UnsafeRawBufferPointer? = nil,
                envelopeId: UnsafeRawBufferPointer? = nil, generatedDateTime: UnsafeRawBufferPointer? = nil,
                accountId: UnsafeRawBufferPointer? = nil) {
        self.event = event
        self.configurationId = configurationId
        self.envelopeId = envelopeId
        self.generatedDateTime = generatedDateTime
        self.accountId = accountId
    }

    /// No fields.
    public static var none: RecordFields { RecordFields() }

    /// The stored length of each field (after the 1024-byte cut).
    var storedLengths: StoredFieldLengths {
        let limit = LogFormat.maximumFieldLength
        return StoredFieldLengths(event: min(event?.count ?? 0, limit),
                                  configurationId: min(configurationId?.count ?? 0, limit),
                                  envelopeId: min(envelopeId?.count ?? 0, limit),
                                  generatedDateTime: min(generatedDateTime?.count ?? 0, limit),
                                  accountId: min(accountId?.count ?? 0, limit))
    }

    var storedTotal: Int { storedLengths.total }

    /// The flags the log adds: one `has…` bit per field present, and `fieldTruncated`.
    var impliedFlags: RecordFlags {
        var flags: RecordFlags = []
        let limit = LogFormat.maximumFieldLength
        func note(_ field: UnsafeRawBufferPointer?, _ flag: RecordFlags) {
            guard let field else { return }
            flags.insert(flag)
            if field.count > limit { flags.insert(.fieldTruncated) }
        }
        note(event, .hasEvent)
        note(configurationId, .hasConfigurationId)
        note(envelopeId, .hasEnvelopeId)
        note(generatedDateTime, .hasGeneratedDateTime)
        note(accountId, .hasAccountId)
        return flags
    }
}

/// The stored lengths of a record's fields, in storage order.
struct StoredFieldLengths: Equatable {
    var event: Int
    var configurationId: Int
    var envelopeId: Int
    var generatedDateTime: Int
    var accountId: Int

    var total: Int { event + configurationId + envelopeId + generatedDateTime + accountId }

    func allWithin(_ limit: Int) -> Bool {
        event <= limit && configurationId <= limit && envelopeId <= limit && generatedDateTime <= limit
            && accountId <= limit
    }
}
