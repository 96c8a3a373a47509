import IngestLog

/// What a finished body's scan means for its record: the format flags, the counters, and a
/// (rate-limited) line for a body that is not well-formed. Such a body is still stored when its
/// signature is genuine (the README's "What `serve` does with a request").
extension Worker {
    /// The flags saying how the body was scanned: `.scannedAsXML` for XML, and `.jsonWellFormed`
    /// or `.xmlWellFormed` when it was well-formed in that format.
    func noteBodyVerdict(_ connection: Connection, _ error: BodyScanError?, now: Int64) -> RecordFlags {
        let isXML = connection.scanner.format == .xml
        var flags: RecordFlags = isXML ? .scannedAsXML : []
        guard let error else {
            flags.insert(isXML ? .xmlWellFormed : .jsonWellFormed)
            return flags
        }
        counters.add(isXML ? .webhookMalformedXMLStored : .webhookMalformedStored)
        if badInputLines.allow(now: now) {
            state.operatorLog.info(isXML ? "stored_malformed_xml" : "stored_malformed_json",
                                   [("error", "\(error)"), ("peer", connection.peer.description)])
        }
        return flags
    }
}
