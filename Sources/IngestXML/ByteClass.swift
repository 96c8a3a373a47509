/// What each byte value can be in XML markup, one bit per property, read from a 256-byte table.
///
/// Only ASCII bytes are classified here; bytes >= 0x80 are the leads and continuations of
/// multi-byte characters and go through `UTF8Decoder` (and `NameCharacters` inside names).
enum ByteClass {
    /// `A-Z a-z _ :` (ASCII NameStartChar).
    static let nameStart: UInt8 = 1
    /// NameStartChar plus `0-9 - .` (ASCII NameChar).
    static let name: UInt8 = 2
    /// XML white space: space, tab, LF, CR.
    static let space: UInt8 = 4
    /// A byte >= 0x80.
    static let nonASCII: UInt8 = 8
    /// A control character XML forbids: 0x00-0x1F except tab, LF, CR.
    static let forbidden: UInt8 = 16
    /// NameChar other than `:` (the bytes a name reader can take without a second look).
    static let plainName: UInt8 = 32

    /// The table, built once per process; the scanner keeps the pointer.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for value in 0..<256 {
            let b = UInt8(value)
            var bits: UInt8 = 0
            let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
            if letter || b == 0x5F || b == 0x3A { bits |= nameStart | name }
            if (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E { bits |= name }
            if bits & name != 0 && b != 0x3A { bits |= plainName }
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { bits |= space }
            if b >= 0x80 { bits |= nonASCII }
            if b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D { bits |= forbidden }
            table[value] = bits
        }
        return UnsafePointer(table)
    }()
}
