import IngestTestSupport

/// Random Connect-like JSON documents for the differential test: the four fields in random order
/// (sometimes missing, duplicated, of another type, or with escaped keys), `data` with or without
/// `envelopeId`, legacy top-level `envelopeId`, decoy keys of the same names at other depths and
/// in arrays, near-miss key names, strings with escapes and multi-byte UTF-8, number and string
/// `configurationId`, random whitespace, and sometimes a long string or a non-object top level.
struct ConnectDocumentGenerator {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    static let fieldNames = ["event", "configurationId", "envelopeId", "generatedDateTime", "data"]
    static let nearMisses = ["Event", "events", "even", "eventt", " event", "envelopeID", "envelopeid", "envelope_id",
                             "configurationID", "configuration", "generatedDatetime", "Data", "dat", "datа" /* Cyrillic а */,
                             "data ", "e\u{301}vent", "ev\u{0}ent"]

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    // MARK: Documents

    mutating func document() -> ModelValue {
        let shape = Double.random(in: 0..<1, using: &rng)
        if shape < 0.06 { return .array((0..<int(0...3)).map { _ in connectObject(depth: 1) }) }
        if shape < 0.10 { return scalar() }
        return connectObject(depth: 0)
    }

    mutating func connectObject(depth: Int) -> ModelValue {
        var members: [(key: ModelString, value: ModelValue)] = []
        if chance(0.85) { members.append((key("event"), chance(0.85) ? .string(eventName()) : otherValue(depth))) }
        if chance(0.8) {
            let value: ModelValue = chance(0.5) ? .number(number(integerLike: chance(0.8)))
                : chance(0.7) ? .string(text(Array(String(int(1...99_999_999)).unicodeScalars))) : otherValue(depth)
            members.append((key("configurationId"), value))
        }
        if chance(0.8) { members.append((key("generatedDateTime"), chance(0.85) ? .string(dateTime()) : otherValue(depth))) }
        if chance(0.8) { members.append((key("data"), chance(0.9) ? dataObject(depth: depth + 1) : otherValue(depth))) }
        if chance(0.25) { members.append((key("envelopeId"), chance(0.85) ? .string(guid()) : otherValue(depth))) }
        for _ in 0..<int(0...4) { members.append((decoyKey(), anyValue(depth: depth + 1))) }
        if chance(0.1), let duplicate = members.randomElement(using: &rng) {
            members.append((key(String(String.UnicodeScalarView(duplicate.key.scalars))), anyValue(depth: depth + 1)))
        }
        if chance(0.04) { members.append((decoyKey(), .string(longString()))) }
        members.shuffle(using: &rng)
        return .object(members)
    }

    mutating func dataObject(depth: Int) -> ModelValue {
        var members: [(key: ModelString, value: ModelValue)] = []
        members.append((key("accountId"), .string(guid())))
        if chance(0.75) { members.append((key("envelopeId"), chance(0.85) ? .string(guid()) : otherValue(depth))) }
        if chance(0.5) { members.append((key("recipientId"), .string(text(["1"])))) }
        if chance(0.4) { members.append((key("envelopeSummary"), summary(depth: depth + 1))) }
        for _ in 0..<int(0...2) { members.append((decoyKey(), anyValue(depth: depth + 1))) }
        if chance(0.08) { members.append((key("envelopeId"), anyValue(depth: depth + 1))) }  // duplicate
        members.shuffle(using: &rng)
        return .object(members)
    }

    /// A nested envelope summary full of same-named decoys.
    mutating func summary(depth: Int) -> ModelValue {
        let signer: ModelValue = .object([(key("envelopeId"), .string(guid())), (key("event"), .string(eventName())),
                                          (key("status"), .string(text(Array("completed".unicodeScalars)))),
                                          (key("data"), .object([(key("envelopeId"), .string(guid()))]))])
        var members: [(key: ModelString, value: ModelValue)] = [
            (key("envelopeId"), .string(guid())), (key("status"), .string(text(Array("completed".unicodeScalars)))),
            (key("recipients"), .object([(key("signers"), .array([signer, signer]))])),
            (key("configurationId"), .number("1")), (key("anySigner"), .literal("null")),
        ]
        if depth < 6 && chance(0.3) { members.append((key("data"), connectObject(depth: depth + 1))) }
        members.shuffle(using: &rng)
        return .object(members)
    }

    // MARK: Values

    mutating func anyValue(depth: Int) -> ModelValue {
        if depth > 5 { return scalar() }
        switch int(0...9) {
        case 0, 1: return connectObject(depth: depth)  // decoy fields one level down
        case 2: return .array((0..<int(0...3)).map { _ in anyValue(depth: depth + 1) })
        case 3: return .object((0..<int(0...3)).map { _ in (decoyKey(), anyValue(depth: depth + 1)) })
        default: return scalar()
        }
    }

    /// A value of a type the fields do not accept (and sometimes a nested decoy).
    mutating func otherValue(_ depth: Int) -> ModelValue {
        switch int(0...5) {
        case 0: return .literal("null")
        case 1: return .literal(pick(["true", "false"]))
        case 2: return .number(number(integerLike: true))
        case 3: return .array([.string(guid())])
        case 4: return .object([(key("envelopeId"), .string(guid()))])
        default: return .object([])
        }
    }

    mutating func scalar() -> ModelValue {
        switch int(0...5) {
        case 0: return .literal(pick(["true", "false", "null"]))
        case 1, 2: return .number(number(integerLike: chance(0.5)))
        default: return .string(text(randomScalars(count: int(0...24))))
        }
    }

    /// An RFC 8259 number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? with small exponents
    /// (JSONSerialization rejects numbers a Double cannot hold).
    mutating func number(integerLike: Bool) -> String {
        var text = chance(0.2) ? "-" : ""
        if chance(0.15) { text += "0" } else {
            text += String(int(1...9))
            for _ in 0..<int(0...11) { text += String(int(0...9)) }
        }
        if integerLike { return text }
        if chance(0.6) {
            text += "."
            for _ in 0..<int(1...6) { text += String(int(0...9)) }
        }
        if chance(0.5) { text += pick(["e", "E"]) + pick(["", "+", "-"]) + String(int(0...30)) }
        return text
    }

    // MARK: Strings

    mutating func key(_ name: String) -> ModelString {
        ModelString(scalars: Array(name.unicodeScalars), escapeProbability: chance(0.2) ? 0.3 : 0, using: &rng)
    }

    mutating func decoyKey() -> ModelString {
        if chance(0.4) { return key(pick(Self.nearMisses)) }
        if chance(0.2) { return key(pick(Self.fieldNames)) }  // only a decoy where it is placed
        return text(randomScalars(count: int(0...12)))
    }

    mutating func text(_ scalars: [Unicode.Scalar]) -> ModelString {
        ModelString(scalars: scalars, escapeProbability: chance(0.3) ? 0.15 : 0, using: &rng)
    }

    mutating func eventName() -> ModelString {
        if chance(0.2) { return text(randomScalars(count: int(0...30))) }
        return text(Array(pick(["envelope-completed", "envelope-sent", "recipient-completed", "template-modified",
                                "click-agreed", "recipient-authenticationfailed", ""]).unicodeScalars))
    }

    mutating func guid() -> ModelString {
        let hex = Array("0123456789abcdef".unicodeScalars)
        var scalars: [Unicode.Scalar] = []
        for group in [8, 4, 4, 4, 12] {
            if !scalars.isEmpty { scalars.append("-") }
            for _ in 0..<group { scalars.append(pick(hex)) }
        }
        return text(scalars)
    }

    mutating func dateTime() -> ModelString {
        var fraction = ""
        for _ in 0..<int(0...7) { fraction += String(int(0...9)) }
        let text = "20\(int(10...29))-0\(int(1...9))-1\(int(0...9))T1\(int(0...9)):3\(int(0...9)):5\(int(0...9))"
            + (fraction.isEmpty ? "" : "." + fraction) + "Z"
        return self.text(Array(text.unicodeScalars))
    }

    /// Content mixing plain ASCII, quotes and backslashes, control characters, and 2-, 3- and
    /// 4-byte UTF-8 (including the ends of each range).
    mutating func randomScalars(count: Int) -> [Unicode.Scalar] {
        let special: [Unicode.Scalar] = ["\"", "\\", "/", "\u{0}", "\u{8}", "\u{9}", "\u{A}", "\u{C}", "\u{D}", "\u{1F}",
                                         "\u{7F}", "\u{80}", "é", "\u{7FF}", "\u{800}", "€", "中", "\u{D7FF}", "\u{E000}",
                                         "\u{FFFD}", "\u{FFFF}", "\u{10000}", "😀", "\u{10FFFF}", "\u{2028}"]
        return (0..<count).map { _ in
            chance(0.75) ? Unicode.Scalar(UInt8(int(0x20...0x7E))) : pick(special)
        }
    }

    /// 100 bytes to 20 KB, mostly base64-like, with specials at random places: exercises the
    /// 16/64-byte skipping and its edges.
    mutating func longString() -> ModelString {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".unicodeScalars)
        let count = chance(0.2) ? int(2000...20_000) : int(100...2000)
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(count)
        var bits: UInt64 = 0
        for index in 0..<count {
            if index % 10 == 0 { bits = rng.next() }
            scalars.append(alphabet[Int(bits & 63)])
            bits >>= 6
        }
        for _ in 0..<int(0...5) { scalars[int(0...(count - 1))] = pick(randomScalars(count: 1) + ["\"", "\\", "é"]) }
        return ModelString(scalars: scalars, escapeProbability: 0, using: &rng)
    }

    /// Whitespace between tokens: usually none, sometimes any mix of the four JSON blanks.
    mutating func whitespace() -> [UInt8] {
        if chance(0.75) { return [] }
        return (0..<int(1...4)).map { _ in pick([0x20, 0x0A, 0x09, 0x0D]) }
    }

    mutating func serialize(_ value: ModelValue) -> [UInt8] {
        var copy = self  // the whitespace closure needs a generator of its own; copied back below
        let bytes = copy.whitespace() + value.serialized { copy.whitespace() } + copy.whitespace()
        self = copy
        return bytes
    }
}
