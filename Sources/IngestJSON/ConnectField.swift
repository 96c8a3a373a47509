/// The four values the ingest path takes out of a Connect JSON body.
///
/// Paths (see the README, "What is extracted"): `event`, `configurationId` and `generatedDateTime` are keys
/// of the top-level object; `envelopeId` is `data.envelopeId` (the top-level `data` object's key)
/// or, when that is absent, the top-level `envelopeId` of the legacy JSON format whose body is the
/// envelope itself. The raw values are stable: they index per-field tables elsewhere.
public enum ConnectField: Int, CaseIterable, Sendable {
    case event = 0
    case configurationId = 1
    case envelopeId = 2
    case generatedDateTime = 3

    /// The JSON key name, as printed by tools (`inspect`).
    public var name: String {
        switch self {
        case .event: "event"
        case .configurationId: "configurationId"
        case .envelopeId: "envelopeId"
        case .generatedDateTime: "generatedDateTime"
        }
    }
}
