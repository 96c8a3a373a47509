/// The values the ingest path takes out of a legacy Connect XML body (root element
/// `DocuSignEnvelopeInformation`), by path on local names (any namespace prefix):
///
/// - `envelopeId`: the text of `/DocuSignEnvelopeInformation/EnvelopeStatus/EnvelopeID`.
/// - `generatedDateTime`: the text of `/DocuSignEnvelopeInformation/EnvelopeStatus/TimeGenerated`,
///   kept as sent (no time zone in these messages).
/// - `event`: `envelope-` followed by the text of `/DocuSignEnvelopeInformation/EnvelopeStatus/Status`
///   with ASCII letters lower-cased (`Completed` gives `envelope-completed`), the names Connect 2.0
///   JSON uses, so consumers filter both formats alike.
///
/// XML messages carry no `configurationId`. The raw values equal `IngestJSON.ConnectField`'s for
/// the same fields, so tables indexed by either line up.
public enum ConnectXMLField: Int, CaseIterable, Sendable {
    case event = 0
    case envelopeId = 2
    case generatedDateTime = 3

    /// The field name, as printed by tools (`inspect`), the same as the JSON field's.
    public var name: String {
        switch self {
        case .event: "event"
        case .envelopeId: "envelopeId"
        case .generatedDateTime: "generatedDateTime"
        }
    }
}
