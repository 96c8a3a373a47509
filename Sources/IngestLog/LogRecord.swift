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
    /// The exact body bytes.
    public var body: [UInt8]

    public init(sequence: UInt64, receivedAtNanoseconds: Int64, flags: RecordFlags, event: [UInt8]?,
                configurationId: [UInt8]?, envelopeId: [UInt8]?, generatedDateTime: [UInt8]?, body: [UInt8]) {
        self.sequence = sequence
        self.receivedAtNanoseconds = receivedAtNanoseconds
        self.flags = flags
        self.event = event
        self.configurationId = configurationId
        self.envelopeId = envelopeId
        self.generatedDateTime = generatedDateTime
        self.body = body
    }
}

extension RawBytes {
    /// Copies a record that classified as `.complete` out of the mapping. A field is nil when its
    /// `has…` flag is clear (an empty but present field is an empty array).
    func decodeRecord(_ r: Reservation) -> LogRecord {
        let flags = RecordFlags(rawValue: load(r.offset + LogFormat.flagsOffset, as: UInt32.self))
        let lengths = fieldLengths(of: r)!
        var position = r.offset + LogFormat.recordHeaderLength
        let body = array(position, r.bodyLength)
        position += r.bodyLength
        func field(_ length: Int, _ flag: RecordFlags) -> [UInt8]? {
            defer { position += length }
            return flags.contains(flag) ? array(position, length) : nil
        }
        let event = field(lengths.0, .hasEvent)
        let configurationId = field(lengths.1, .hasConfigurationId)
        let envelopeId = field(lengths.2, .hasEnvelopeId)
        let generatedDateTime = field(lengths.3, .hasGeneratedDateTime)
        return LogRecord(sequence: r.sequence, receivedAtNanoseconds: r.receivedAt, flags: flags, event: event,
                         configurationId: configurationId, envelopeId: envelopeId,
                         generatedDateTime: generatedDateTime, body: body)
    }
}
