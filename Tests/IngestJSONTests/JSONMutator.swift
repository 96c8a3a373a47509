import IngestTestSupport

/// Breaks documents the ways real bodies break: truncation, flipped bytes, inserted commas, raw
/// control characters, bad escapes, lone surrogate escapes, invalid UTF-8, dropped or repeated
/// bytes. Each mutant says what was done, for failure messages.
struct JSONMutator {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    static let invalidUTF8: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xE2, 0x82], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0xF8, 0x88, 0x80, 0x80, 0x80],
        [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xF0, 0x9F, 0x98],
    ]
    static let badEscapes: [[UInt8]] = [
        Array(#"\x"#.utf8), Array(#"\a"#.utf8), Array(#"\0"#.utf8), Array(#"\'"#.utf8), Array(#"\U0041"#.utf8),
        Array(#"\u12G4"#.utf8), Array(#"\u00"#.utf8), Array(#"\uD800"#.utf8), Array(#"\uDC00"#.utf8),
        Array(#"\uD83D\u0041"#.utf8), Array(#"\uDBFF\uDBFF"#.utf8), Array(#"\uD800\n"#.utf8), Array("\\".utf8),
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// One to three mutations of `document`.
    mutating func mutate(_ document: [UInt8]) -> (bytes: [UInt8], what: String) {
        var bytes = document
        var what: [String] = []
        for _ in 0..<(int(0...3) == 0 ? int(2...3) : 1) {
            let position = int(0...bytes.count)
            switch int(0...9) {
            case 0:
                bytes = Array(bytes[..<position])
                what.append("truncate@\(position)")
            case 1 where !bytes.isEmpty:
                let at = min(position, bytes.count - 1)
                let value = UInt8(truncatingIfNeeded: int(0...255))
                bytes[at] = value
                what.append("set@\(at)=\(value)")
            case 2:
                bytes.insert(UInt8(ascii: ","), at: position)
                what.append("comma@\(position)")
            case 3:
                let control = UInt8(int(0...0x1F))
                bytes.insert(control, at: position)
                what.append("control\(control)@\(position)")
            case 4:
                let escape = Self.badEscapes[int(0...(Self.badEscapes.count - 1))]
                bytes.insert(contentsOf: escape, at: position)
                what.append("escape\(debugText(escape))@\(position)")
            case 5:
                let sequence = Self.invalidUTF8[int(0...(Self.invalidUTF8.count - 1))]
                bytes.insert(contentsOf: sequence, at: position)
                what.append("utf8\(sequence)@\(position)")
            case 6 where !bytes.isEmpty:
                let at = min(position, bytes.count - 1)
                bytes.remove(at: at)
                what.append("delete@\(at)")
            case 7 where !bytes.isEmpty:
                let start = min(position, bytes.count - 1)
                let end = min(bytes.count, start + int(1...8))
                bytes.insert(contentsOf: bytes[start..<end], at: end)
                what.append("repeat\(start)..<\(end)")
            case 8:
                // Bytes that are structure: a quote, a bracket, a colon.
                let byte = [UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["),
                            UInt8(ascii: "]"), UInt8(ascii: ":")][int(0...5)]
                bytes.insert(byte, at: position)
                what.append("insert\(byte)@\(position)")
            default:
                // A valid multi-byte character or a valid escape: may keep the document valid.
                let good: [[UInt8]] = [Array("é".utf8), Array("😀".utf8), Array(#"\u00e9"#.utf8), Array(#"\n"#.utf8),
                                       Array(" ".utf8), Array(#"\uD83D\uDE00"#.utf8)]
                let piece = good[int(0...(good.count - 1))]
                bytes.insert(contentsOf: piece, at: position)
                what.append("good\(debugText(piece))@\(position)")
            }
        }
        return (bytes, what.joined(separator: ","))
    }
}
