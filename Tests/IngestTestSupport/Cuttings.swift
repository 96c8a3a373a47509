/// Cuttings of a document into the pieces a socket might deliver, for the streaming scanners'
/// tests (JSON and XML), and a printable form of bytes for failure messages.
public enum Cuttings {
    public static func byteByByte(_ document: [UInt8]) -> (name: String, pieces: [ArraySlice<UInt8>]) {
        ("byte-by-byte", document.indices.map { document[$0..<($0 + 1)] })
    }

    /// Whole, byte by byte, every two-way split (an even sample of `maxSplits` for longer input),
    /// and `random` random cuttings into pieces of 1...2/7/16/64/300 bytes (`SplitFeeder`).
    public static func thorough(_ document: [UInt8], maxSplits: Int, random: Int, seed: UInt64) -> [(name: String, pieces: [ArraySlice<UInt8>])] {
        var cuttings = SplitFeeder.cuttings(of: document, maxExhaustive: maxSplits)
        var rng = SeededRandom(seed: seed)
        for index in 0..<random {
            let maxPiece = [2, 7, 16, 64, 300][index % 5]
            cuttings.append(("random(seed \(seed), #\(index), max \(maxPiece))",
                             SplitFeeder.randomCutting(of: document, maxPiece: maxPiece, using: &rng)))
        }
        return cuttings
    }

    /// Pieces of `length` bytes, once starting at every phase (a first piece of 1...length-1
    /// bytes, then `length` each): together they put a piece boundary at every position of the
    /// document, with a long piece on either side, for `length` scans instead of one per position.
    public static func phased(_ document: [UInt8], pieceLength length: Int) -> [(name: String, pieces: [ArraySlice<UInt8>])] {
        (0..<length).map { phase in
            var pieces: [ArraySlice<UInt8>] = []
            var start = 0
            var end = phase == 0 ? length : phase
            while start < document.count {
                end = min(end, document.count)
                pieces.append(document[start..<end])
                start = end
                end += length
            }
            return ("pieces of \(length) from phase \(phase)", pieces)
        }
    }

    /// `count` cuttings, each at 1...8 random points (cheap for long documents).
    public static func randomPoints(_ document: [UInt8], count: Int, seed: UInt64) -> [(name: String, pieces: [ArraySlice<UInt8>])] {
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

/// Bytes shown as a Swift-ish string literal with non-printable bytes as \xHH (for messages).
public func debugText(_ bytes: some Collection<UInt8>, limit: Int = 600) -> String {
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
    public func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
