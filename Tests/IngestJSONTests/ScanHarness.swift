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

/// Bytes shown as a Swift-ish string literal with non-printable bytes as \xHH (for messages).
func debugText(_ bytes: some Collection<UInt8>, limit: Int = 600) -> String {
    var text = "\""
    for b in bytes.prefix(limit) {
        switch b {
        case 0x20..<0x7F where b != 0x22 && b != 0x5C: text.unicodeScalars.append(Unicode.Scalar(b))
        case 0x22: text += "\\\""
        case 0x5C: text += "\\\\"
        default: text += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return text + (bytes.count > limit ? "\"...(\(bytes.count) bytes)" : "\"")
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
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

/// Cuttings of a document into the pieces a socket might deliver.
enum Cuttings {
    static func byteByByte(_ document: [UInt8]) -> (name: String, pieces: [ArraySlice<UInt8>]) {
        ("byte-by-byte", document.indices.map { document[$0..<($0 + 1)] })
    }

    /// Whole, byte by byte, every two-way split (an even sample of `maxSplits` for longer input),
    /// and `random` random cuttings into pieces of 1...2/7/16/64/300 bytes (`SplitFeeder`).
    static func thorough(_ document: [UInt8], maxSplits: Int, random: Int, seed: UInt64) -> [(name: String, pieces: [ArraySlice<UInt8>])] {
        var cuttings = SplitFeeder.cuttings(of: document, maxExhaustive: maxSplits)
        var rng = SeededRandom(seed: seed)
        for index in 0..<random {
            let maxPiece = [2, 7, 16, 64, 300][index % 5]
            cuttings.append(("random(seed \(seed), #\(index), max \(maxPiece))",
                             SplitFeeder.randomCutting(of: document, maxPiece: maxPiece, using: &rng)))
        }
        return cuttings
    }

    /// `count` cuttings, each at 1...8 random points (cheap for long documents).
    static func randomPoints(_ document: [UInt8], count: Int, seed: UInt64) -> [(name: String, pieces: [ArraySlice<UInt8>])] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { index in
            let points = (0..<Int.random(in: 1...8, using: &rng)).map { _ in Int.random(in: 0...document.count, using: &rng) }.sorted()
            var pieces: [ArraySlice<UInt8>] = []
            var start = 0
            for point in points + [document.count] {
                pieces.append(document[start..<point])
                start = point
            }
            return ("cuts(seed \(seed), #\(index)) at \(points)", pieces)
        }
    }
}
