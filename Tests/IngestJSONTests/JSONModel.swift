import IngestJSON

/// A JSON string as the generator builds it: its decoded scalars, and how it is spelt between
/// the quotes (escapes chosen at generation time, so the same content can be written many ways).
struct ModelString {
    var scalars: [Unicode.Scalar]
    var spelling: [UInt8]

    var decodedUTF8: [UInt8] {
        var bytes: [UInt8] = []
        for scalar in scalars { bytes.append(contentsOf: Array(String(Character(scalar)).utf8)) }
        return bytes
    }

    /// `text` spelt plainly (escaping only what must be escaped).
    init(_ text: String) {
        var rng = SeededRandomStub()
        self.init(scalars: Array(text.unicodeScalars), escapeProbability: 0, using: &rng)
    }

    /// Spells `scalars`, writing each optional escape with probability `escapeProbability`.
    init<G: RandomNumberGenerator>(scalars: [Unicode.Scalar], escapeProbability: Double, using rng: inout G) {
        self.scalars = scalars
        var out: [UInt8] = []
        func hex4(_ value: UInt32) {
            let upper = Bool.random(using: &rng)
            let digits = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
            out.append(contentsOf: [0x5C, 0x75])  // \u
            for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int(value >> UInt32(shift)) & 0xF]) }
        }
        func unicodeEscape(_ scalar: Unicode.Scalar) {
            if scalar.value >= 0x10000 {
                let v = scalar.value - 0x10000
                hex4(0xD800 + (v >> 10))
                hex4(0xDC00 + (v & 0x3FF))
            } else {
                hex4(scalar.value)
            }
        }
        let short: [UInt32: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x08: 0x62, 0x0C: 0x66, 0x0A: 0x6E, 0x0D: 0x72, 0x09: 0x74]
        for scalar in scalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            let escape = mustEscape || Double.random(in: 0..<1, using: &rng) < escapeProbability
            if !escape {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            } else if let letter = short[scalar.value], Bool.random(using: &rng) || escapeProbability == 0 {
                out.append(contentsOf: [0x5C, letter])
            } else if scalar == "/" && Bool.random(using: &rng) {
                out.append(contentsOf: [0x5C, 0x2F])
            } else {
                unicodeEscape(scalar)
            }
        }
        spelling = out
    }
}

/// A deterministic generator for `ModelString.init(_:)`, which uses no randomness.
struct SeededRandomStub: RandomNumberGenerator {
    mutating func next() -> UInt64 { 0 }
}

/// A JSON value as the generator builds it.
indirect enum ModelValue {
    case object([(key: ModelString, value: ModelValue)])
    case array([ModelValue])
    case string(ModelString)
    /// A number, as its literal text.
    case number(String)
    /// `true`, `false` or `null`.
    case literal(String)

    /// Serialises with whitespace from `whitespace` between tokens.
    func serialized(whitespace: () -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out, whitespace: whitespace)
        return out
    }

    private func write(to out: inout [UInt8], whitespace: () -> [UInt8]) {
        switch self {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += whitespace()
                out.append(0x22); out += member.key.spelling; out.append(0x22)
                out += whitespace()
                out.append(UInt8(ascii: ":"))
                out += whitespace()
                member.value.write(to: &out, whitespace: whitespace)
                out += whitespace()
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += whitespace()
                element.write(to: &out, whitespace: whitespace)
                out += whitespace()
            }
            out.append(UInt8(ascii: "]"))
        case .string(let string):
            out.append(0x22); out += string.spelling; out.append(0x22)
        case .number(let text), .literal(let text):
            out += Array(text.utf8)
        }
    }

    /// The fields the scanner must report for this document, by the documented rules: exact
    /// paths, last duplicate wins, strings (and numbers for configurationId) only, envelopeId from
    /// `data.envelopeId` else top-level `envelopeId`.
    var expectedFields: ScanOutcome {
        guard case .object(let members) = self else { return ScanOutcome() }
        var outcome = ScanOutcome()
        var topEnvelopeId: [UInt8]?
        var dataEnvelopeId: [UInt8]?
        for (key, value) in members {
            switch key.decodedUTF8 {
            case Array("event".utf8): outcome.event = value.stringBytes
            case Array("generatedDateTime".utf8): outcome.generatedDateTime = value.stringBytes
            case Array("envelopeId".utf8): topEnvelopeId = value.stringBytes
            case Array("configurationId".utf8):
                if case .number(let text) = value { outcome.configurationId = Array(text.utf8) } else {
                    outcome.configurationId = value.stringBytes
                }
            case Array("data".utf8):
                dataEnvelopeId = nil
                if case .object(let dataMembers) = value {
                    for (dataKey, dataValue) in dataMembers where dataKey.decodedUTF8 == Array("envelopeId".utf8) {
                        dataEnvelopeId = dataValue.stringBytes
                    }
                }
            default: break
            }
        }
        outcome.envelopeId = dataEnvelopeId ?? topEnvelopeId
        return outcome
    }

    var stringBytes: [UInt8]? {
        if case .string(let string) = self { return string.decodedUTF8 }
        return nil
    }
}
