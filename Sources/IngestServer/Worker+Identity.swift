import IngestDedup
import IngestLog

/// The message id of each stored message (see IngestDedup's `MessageIdentity` and the README's
/// "Message identity"): computed on the worker thread when the message is complete, without
/// allocating, and stored with the record whatever `--dedup` says (downstream systems key on it).
///
/// The fields form needs only the extracted fields (nearly every Connect message has event,
/// envelopeId and generatedDateTime). The body form reads the whole body once more, from the
/// staging buffer or, for a streamed body, back from the log's mapping, leaving out the
/// top-level `retryCount` value the JSON scanner located (nothing for an XML body).
///
/// With `--dedup flag`, the id's home slot in the index is prefetched right away, so the check
/// the log makes at commit (under its lock, at the end of the loop pass) finds it in cache.
extension Worker {
    /// The id of the message in `connection`, whose body is `body` (nil: streamed into `record`).
    func messageIdentity(_ connection: Connection, _ fields: RecordFields, body: UnsafeRawBufferPointer?,
                         record: LargeRecord? = nil) -> MessageID {
        let id: MessageID
        if MessageIdentity.usesFields(event: fields.event, envelopeId: fields.envelopeId,
                                      generatedDateTime: fields.generatedDateTime) {
            id = MessageIdentity.fromFields(accountId: fields.accountId, configurationId: fields.configurationId,
                                            event: fields.event, envelopeId: fields.envelopeId,
                                            generatedDateTime: fields.generatedDateTime)
        } else {
            // JSON only: an XML body has no retryCount member (and the JSON scanner was not fed).
            let scanners = connection.scanner
            let leftOut = scanners.format == .xml ? nil : scanners.json.retryCountValueRange
            if let body {
                id = MessageIdentity.fromBody(body, leavingOut: leftOut)
            } else {
                id = appender.withLargeBody(record!) { MessageIdentity.fromBody($0, leavingOut: leftOut) }
            }
        }
        state.duplicateIndex?.prefetch(id)
        return id
    }
}
