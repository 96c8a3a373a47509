/// Decides a body's format from its first byte that is not white space (space, tab, LF, CR) or
/// part of a UTF-8 BOM at its start: `<` is XML, anything else JSON; a body with no such byte is
/// JSON (which then reports it incomplete).
///
/// The bytes before that byte are not kept, only counted: they are a BOM (or the start of one)
/// and white space, and both scanners treat every white space byte alike, so `replay` hands the
/// chosen scanner an equivalent prefix (the BOM bytes seen, then as many spaces) and its verdict,
/// error offsets and fields are exactly those for the real bytes. Nothing is buffered, whatever
/// the length of the white space.
struct BodyFormatSniffer {
    /// Bytes of the BOM `EF BB BF` matched at the body's start (0...3).
    private var bomBytes = 0
    /// White space bytes after the BOM.
    private var spaces = 0
    /// Bytes looked at (the BOM bytes and the spaces, until decided).
    private var seen = 0
    private(set) var decision: BodyFormat?

    mutating func reset() {
        bomBytes = 0
        spaces = 0
        seen = 0
        decision = nil
    }

    /// Looks at the next piece; returns the index in it of the byte that decided (the first the
    /// chosen scanner has not been given), or nil while every byte so far was BOM or white space.
    mutating func scan(_ piece: UnsafeRawBufferPointer) -> Int? {
        for index in 0..<piece.count {
            let b = piece[index]
            if seen < 3 && seen == bomBytes && b == Self.bomByte(seen) {
                bomBytes += 1
            } else if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                if bomBytes > 0 && bomBytes < 3 {
                    // A broken BOM: its first byte is the first significant one.
                    decision = .json
                    return index
                }
                spaces += 1
            } else {
                decision = (bomBytes == 0 || bomBytes == 3) && b == UInt8(ascii: "<") ? .xml : .json
                return index
            }
            seen += 1
        }
        return nil
    }

    /// The body ended with nothing decisive: JSON.
    mutating func decideAtEnd() { decision = .json }

    /// Feeds `feed` the equivalent of the bytes looked at before the decision.
    func replay(_ feed: (UnsafeRawBufferPointer) -> Void) {
        withUnsafeBytes(of: Self.bom) { feed(UnsafeRawBufferPointer(rebasing: $0[0..<bomBytes])) }
        var rest = spaces
        withUnsafeBytes(of: Self.blanks) { blanks in
            while rest > 0 {
                let n = min(rest, blanks.count)
                feed(UnsafeRawBufferPointer(rebasing: blanks[0..<n]))
                rest -= n
            }
        }
    }

    private static let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)
    private static func bomByte(_ index: Int) -> UInt8 { index == 0 ? 0xEF : index == 1 ? 0xBB : 0xBF }
    /// 64 spaces.
    private static let blanks = (UInt64(0x2020_2020_2020_2020), UInt64(0x2020_2020_2020_2020), UInt64(0x2020_2020_2020_2020),
                                 UInt64(0x2020_2020_2020_2020), UInt64(0x2020_2020_2020_2020), UInt64(0x2020_2020_2020_2020),
                                 UInt64(0x2020_2020_2020_2020), UInt64(0x2020_2020_2020_2020))
}
