import IngestJSON
import IngestTestSupport

/// Everything a scan reports: the error (nil = valid) and the four fields.
struct ScanOutcome: Equatable, CustomStringConvertible {
    var error: JSONScanError?
    var event: [UInt8]?
    var configurationId: [UInt8]?
    var envelopeId: [UInt8]?
    var generatedDateTime: [UInt8]?

    init(error: JSONScanError? = nil, event: [UInt8]? = nil, configurationId: [UInt8]? = nil,
         envelopeId: [UInt8]? = nil, generatedDateTime: [UInt8]? = nil) {
        self.error = error
        self.event = event
        self.configurationId = configurationId
        self.envelopeId = envelopeId
        self.generatedDateTime = generatedDateTime
    }

    /// Valid, with these fields given as text (nil = absent).
    static func valid(event: String? = nil, configurationId: String? = nil, envelopeId: String? = nil,
                      generatedDateTime: String? = nil) -> ScanOutcome {
        ScanOutcome(error: nil, event: event.map { Array($0.utf8) }, configurationId: configurationId.map { Array($0.utf8) },
                    envelopeId: envelopeId.map { Array($0.utf8) }, generatedDateTime: generatedDateTime.map { Array($0.utf8) })
    }

    subscript(field: ConnectField) -> [UInt8]? {
        switch field {
        case .event: event
        case .configurationId: configurationId
        case .envelopeId: envelopeId
        case .generatedDateTime: generatedDateTime
        }
    }

    var fieldsOnly: ScanOutcome { ScanOutcome(error: nil, event: event, configurationId: configurationId,
                                              envelopeId: envelopeId, generatedDateTime: generatedDateTime) }

    var description: String {
        func show(_ bytes: [UInt8]?) -> String { bytes.map { debugText($0) } ?? "absent" }
        return "\(error.map { "\($0.reason)@\($0.offset)" } ?? "valid") event=\(show(event)) "
            + "configurationId=\(show(configurationId)) envelopeId=\(show(envelopeId)) generatedDateTime=\(show(generatedDateTime))"
    }
}

/// Feeds pieces to a scanner and collects the outcome. Pieces go through guard-page arenas
/// (alternating "guard after" and "guard before") unless `guarded` is false.
final class ScanHarness {
    let scanner: ConnectFieldScanner
    private let arena: GuardedArena

    init(maxDepth: Int = 512, arenaCapacity: Int = 1 << 21) {
        scanner = ConnectFieldScanner(maxDepth: maxDepth)
        arena = GuardedArena(capacity: arenaCapacity)
    }

    func scan(_ pieces: [ArraySlice<UInt8>], guarded: Bool = true) -> ScanOutcome {
        scanner.reset()
        for (index, piece) in pieces.enumerated() {
            if guarded {
                arena.withGuarded(piece, index % 2 == 0 ? .after : .before) { scanner.feed($0) }
            } else {
                piece.withUnsafeBytes { scanner.feed($0) }
            }
        }
        let error = scanner.finish()
        return ScanOutcome(error: error, event: scanner.fieldBytes(.event),
                           configurationId: scanner.fieldBytes(.configurationId),
                           envelopeId: scanner.fieldBytes(.envelopeId),
                           generatedDateTime: scanner.fieldBytes(.generatedDateTime))
    }

    func scan(_ document: [UInt8]) -> ScanOutcome { scan([document[...]]) }
    func scan(_ text: String) -> ScanOutcome { scan(Array(text.utf8)) }

    /// Compares the outcome of each cutting of `document` with the outcome of the whole:
    /// returns the first that differs, with both outcomes, or nil.
    func splitMismatch(_ document: [UInt8], _ cuttings: [(name: String, pieces: [ArraySlice<UInt8>])]) -> String? {
        let whole = scan([document[...]])
        for (name, pieces) in cuttings {
            let outcome = scan(pieces)
            if outcome != whole { return "\(name): \(outcome) but whole: \(whole)" }
        }
        return nil
    }
}
