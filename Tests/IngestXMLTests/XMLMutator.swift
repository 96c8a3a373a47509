import IngestTestSupport

/// Breaks documents the ways XML breaks: truncation, flipped, dropped or repeated bytes, stray
/// markup characters, `]]>` and `--` where they may not be, bad references, raw control
/// characters, invalid UTF-8, renamed end tags, a DOCTYPE, a late XML declaration, attributes
/// and prefixes out of place. Each mutant says what was done, for failure messages.
struct XMLMutator {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    static let invalidUTF8: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xE2, 0x82], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
        [0xED, 0xA0, 0x80], [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],
        [0xC3, 0x28], [0xF0, 0x9F, 0x98], [0xEF, 0xBF, 0xBE], [0xEF, 0xBF, 0xBF],
    ]
    static let markup: [String] = [
        "<", ">", "&", "/", "=", "\"", "'", ":", "]]>", "--", "<!--", "-->", "<![CDATA[", "?>", "<?", "</", "/>", " ", "x",
        "&x;", "&#0;", "&#xD800;", "&lt", "&;", "&#x110000;", "&amp", "&#65;", "&#x1F600;", "&nbsp;", "&#X41;",
        "<!DOCTYPE a>", "<?xml version=\"1.0\"?>", " x=\"1\"", " xmlns:p=\"\"", " xmlns:p=\"u\"", "p:", "<p:a>", "\u{FEFF}",
        " a='1' a='2'", "<a/>", "</a>", "<?pi d?>", ":b", "xmlns:xml='u'",
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
            case 2, 3:
                let text = Array(Self.markup[int(0...(Self.markup.count - 1))].utf8)
                bytes.insert(contentsOf: text, at: position)
                what.append("insert\(debugText(text))@\(position)")
            case 4:
                let control = UInt8(int(0...0x1F))
                bytes.insert(control, at: position)
                what.append("control\(control)@\(position)")
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
                let end = min(bytes.count, start + int(1...40))
                bytes.insert(contentsOf: bytes[start..<end], at: int(0...bytes.count))
                what.append("repeat[\(start)..<\(end)]")
            case 8 where int(0...3) == 0:
                // A DOCTYPE where it would be allowed in XML: after the declaration, if any.
                let doctype = Array(["<!DOCTYPE a>", "<!DOCTYPE r [<!ENTITY e \"x\">]>"][int(0...1)].utf8)
                var at = 0
                if bytes.starts(with: Array("<?xml".utf8)), let end = bytes.firstRange(of: Array("?>".utf8)) { at = end.upperBound }
                bytes.insert(contentsOf: doctype, at: at)
                what.append("doctype@\(at)")
            case 9 where int(0...3) == 0:
                // Another encoding in the declaration, if there is one.
                guard let value = bytes.firstRange(of: Array("encoding".utf8)) else { continue }
                let name = Array(["ISO-8859-1", "UTF-16", "utf8", "US-ASCII"][int(0...3)].utf8)
                var start = value.upperBound
                while start < bytes.count && bytes[start] != UInt8(ascii: "'") && bytes[start] != UInt8(ascii: "\"") { start += 1 }
                var end = start + 1
                while end < bytes.count && bytes[end] != bytes[start] { end += 1 }
                guard end < bytes.count else { continue }
                bytes.replaceSubrange((start + 1)..<end, with: name)
                what.append("encoding \(debugText(name))")
            case 8:
                // Rename the first end tag at or after the position.
                var at = position
                while at + 2 < bytes.count && !(bytes[at] == UInt8(ascii: "<") && bytes[at + 1] == UInt8(ascii: "/")) { at += 1 }
                if at + 2 < bytes.count {
                    bytes[at + 2] = bytes[at + 2] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
                    what.append("rename-end-tag@\(at)")
                }
            default:
                // Swap two bytes.
                guard bytes.count > 1 else { continue }
                let a = min(position, bytes.count - 1)
                let b = int(0...(bytes.count - 1))
                bytes.swapAt(a, b)
                what.append("swap@\(a),\(b)")
            }
        }
        return (bytes, what.joined(separator: " "))
    }
}
