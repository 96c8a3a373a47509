/// Ways of cutting one input into the pieces a streaming parser is fed.
///
/// Every streaming parser in this project must give the same answer for every cutting:
/// whole, one byte at a time, at every two-way split point, and at random cuts.
public enum SplitFeeder {
    /// The input whole, then one byte at a time, then every two-way split (all of them for
    /// inputs up to `maxExhaustive` bytes, otherwise an evenly spread sample of that many).
    public static func cuttings(of input: [UInt8], maxExhaustive: Int = 2048) -> [(name: String, pieces: [ArraySlice<UInt8>])] {
        var result: [(String, [ArraySlice<UInt8>])] = []
        result.append(("whole", [input[...]]))
        result.append(("byte-by-byte", input.indices.map { input[$0..<($0 + 1)] }))
        let splits: [Int]
        if input.count <= maxExhaustive {
            splits = Array(0...input.count)
        } else {
            let step = max(1, input.count / maxExhaustive)
            splits = Array(stride(from: 0, through: input.count, by: step))
        }
        for cut in splits {
            result.append(("split@\(cut)", [input[..<cut], input[cut...]]))
        }
        return result
    }

    /// Random cuts into pieces of 1...maxPiece bytes.
    public static func randomCutting<G: RandomNumberGenerator>(of input: [UInt8], maxPiece: Int, using rng: inout G) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < input.count {
            let length = Int.random(in: 1...max(1, maxPiece), using: &rng)
            let end = min(input.count, start + length)
            pieces.append(input[start..<end])
            start = end
        }
        return pieces
    }
}
