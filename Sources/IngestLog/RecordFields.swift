/// The four fields extracted from a message, each optional, as raw bytes.
///
/// Ownership: the pointers are borrowed for the duration of the call that takes this value
/// (`stage`, `finishLargeRecord`), which copies them; they are never kept. Each field is stored
/// up to 1024 bytes; longer values are cut and `RecordFlags.fieldTruncated` is set.
public struct RecordFields {
    public var event: UnsafeRawBufferPointer?
    public var configurationId: UnsafeRawBufferPointer?
    public var envelopeId: UnsafeRawBufferPointer?
    public var generatedDateTime: UnsafeRawBufferPointer?

    public init(event: UnsafeRawBufferPointer? = nil, configurationId: UnsafeRawBufferPointer? = nil,
                envelopeId: UnsafeRawBufferPointer? = nil, generatedDateTime: UnsafeRawBufferPointer? = nil) {
        self.event = event
        self.configurationId = configurationId
        self.envelopeId = envelopeId
        self.generatedDateTime = generatedDateTime
    }

    /// No fields.
    public static var none: RecordFields { RecordFields() }

    /// The stored length of each field (after the 1024-byte cut), in storage order.
    var storedLengths: (Int, Int, Int, Int) {
        let limit = LogFormat.maximumFieldLength
        return (min(event?.count ?? 0, limit), min(configurationId?.count ?? 0, limit),
                min(envelopeId?.count ?? 0, limit), min(generatedDateTime?.count ?? 0, limit))
    }

    var storedTotal: Int {
        let (a, b, c, d) = storedLengths
        return a + b + c + d
    }

    /// The flags the log adds: one `has…` bit per field present, and `fieldTruncated`.
    var impliedFlags: RecordFlags {
        var flags: RecordFlags = []
        let limit = LogFormat.maximumFieldLength
        if let event { flags.insert(.hasEvent); if event.count > limit { flags.insert(.fieldTruncated) } }
        if let configurationId {
            flags.insert(.hasConfigurationId); if configurationId.count > limit { flags.insert(.fieldTruncated) }
        }
        if let envelopeId { flags.insert(.hasEnvelopeId); if envelopeId.count > limit { flags.insert(.fieldTruncated) } }
        if let generatedDateTime {
            flags.insert(.hasGeneratedDateTime); if generatedDateTime.count > limit { flags.insert(.fieldTruncated) }
        }
        return flags
    }
}
