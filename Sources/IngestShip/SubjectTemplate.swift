import IngestLog

/// The subject each record is published on, from a template such as
/// `connect.{accountId}.{configurationId}.{event}`.
///
/// Placeholders: `{accountId}`, `{configurationId}`, `{event}`, `{envelopeId}`, `{instance}`.
/// A value becomes subject text byte by byte (see `appendToken`): a missing or empty field is
/// `_`; ASCII letters, digits, `-` and `_` are kept; every other byte (`.`, `*`, `>`, space,
/// tab, control characters, `$`, `:`, `/`, each byte of a non-ASCII character, ...) becomes
/// `_`; values are cut at 128 bytes. So a value is always exactly one non-empty token and can
/// never add a level or a wildcard to the subject.
public struct SubjectTemplate: Sendable, Equatable {
    public enum Field: String, Sendable, CaseIterable {
        case accountId, configurationId, event, envelopeId, instance
    }

    public enum Part: Sendable, Equatable {
        case literal([UInt8])
        case field(Field)
    }

    public static let defaultText = "connect.{accountId}.{configurationId}.{event}"
    public static let maximumTokenLength = 128

    public let text: String
    public let parts: [Part]

    public struct TemplateError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public init(_ text: String) throws(TemplateError) {
        self.text = text
        var parts: [Part] = []
        var literal: [UInt8] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += Array(rest[..<open].utf8)
            guard let close = rest[open...].firstIndex(of: "}") else { throw TemplateError(description: "unclosed { in subject template \(text)") }
            let name = String(rest[rest.index(after: open)..<close])
            guard let field = Field(rawValue: name) else {
                throw TemplateError(description: "unknown placeholder {\(name)} (known: " + Field.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ") + ")")
            }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = [] }
            parts.append(.field(field))
            rest = rest[rest.index(after: close)...]
        }
        literal += Array(rest.utf8)
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard !parts.isEmpty else { throw TemplateError(description: "empty subject template") }
        self.parts = parts
        // With every placeholder standing for one token character, the result must be a valid
        // literal subject: non-empty tokens of printable ASCII without blanks or wildcards.
        var sample: [UInt8] = []
        for part in parts {
            switch part {
            case .literal(let bytes): sample += bytes
            case .field: sample.append(UInt8(ascii: "x"))
            }
        }
        for token in sample.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !token.isEmpty else { throw TemplateError(description: "subject template \(text) has an empty token") }
            for byte in token where byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "*") || byte == UInt8(ascii: ">") {
                throw TemplateError(description: "subject template \(text) contains a blank, control, non-ASCII or wildcard character")
            }
        }
    }

    /// The stream subject that covers every subject this template renders: its literal leading
    /// tokens followed by `>` (`connect.>` for the default); nil when the first token already
    /// holds a placeholder (then the stream's subjects must be given explicitly).
    public var streamSubjectFilter: String? {
        var tokens: [String] = []
        var current = ""
        for part in parts {
            switch part {
            case .field:
                return tokens.isEmpty ? nil : tokens.joined(separator: ".") + ".>"
            case .literal(let bytes):
                for byte in bytes {
                    if byte == UInt8(ascii: ".") { tokens.append(current); current = "" } else { current.append(Character(Unicode.Scalar(byte))) }
                }
            }
        }
        tokens.append(current)
        return tokens.joined(separator: ".")
    }

    /// Writes the subject of `record` into `out` (cleared first; its capacity is reused).
    public func render(_ record: LogRecord, instance: [UInt8], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        for part in parts {
            switch part {
            case .literal(let bytes): out.append(contentsOf: bytes)
            case .field(let field):
                switch field {
                case .accountId: Self.appendToken(record.accountId, to: &out)
                case .configurationId: Self.appendToken(record.configurationId, to: &out)
                case .event: Self.appendToken(record.event, to: &out)
                case .envelopeId: Self.appendToken(record.envelopeId, to: &out)
                case .instance: Self.appendToken(instance, to: &out)
                }
            }
        }
    }

    /// One value as one subject token (the rule in the type's documentation).
    public static func appendToken(_ value: [UInt8]?, to out: inout [UInt8]) {
        guard let value, !value.isEmpty else { out.append(UInt8(ascii: "_")); return }
        for byte in value.prefix(maximumTokenLength) {
            out.append(isKept(byte) ? byte : UInt8(ascii: "_"))
        }
    }

    @inline(__always) static func isKept(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): return true
        default: return false
        }
    }
}
