import IngestTestSupport
import IngestXML

/// Random legacy-Connect-like XML documents for the differential test, with the fields the
/// scanner must report worked out while writing them (by `ConnectXMLField`'s rules, not by
/// scanning): an optional BOM and XML declaration, comments and processing instructions around
/// and inside the root, default and prefixed namespaces, the three field elements in random order
/// (sometimes missing, repeated, empty, with a child element, with a prefix), decoys of the same
/// names at other depths, text with references, CDATA sections, CR/LF, multi-byte characters,
/// attributes with both quotes, non-ASCII names, random white space inside tags, sometimes a deep
/// branch or a base64 document.
struct XMLDocumentGenerator {
    var rng: SeededRandom
    /// The prefixes declared by the open elements (innermost last).
    private var prefixes: [[String]] = []
    /// The last complete field elements' values (nil: absent, or last one had a child element).
    private(set) var expected = XMLOutcome()
    /// The document starts with an XML declaration whose version is not 1.0 (a Foundation deviation).
    private(set) var declaresOtherVersion = false

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    static let nameStarts: [String] = ["a", "b", "Z", "_", "x", "\u{E9}", "\u{4E2D}", "\u{3042}", "\u{10000}"]
    static let nameTails: [String] = ["a", "1", "-", ".", "_", "\u{B7}", "\u{300}", "\u{E9}", "Q", "\u{203F}", "9"]
    static let texts: [String] = ["Completed", "Sent", "Delivered", "Voided", "x", "a b", "\u{E9}t\u{E9}", "\u{1F600}", "\u{4E2D}\u{6587}",
                                  "2020-03-28T23:57:15.1085476", "08740f95-2187-4b01-9a69-452ae3140752", "]", "]]", "->", "?>", "\u{7F}\u{85}", "\u{FEFF}"]

    // MARK: Documents

    mutating func document() -> [UInt8] {
        prefixes = []
        expected = XMLOutcome()
        declaresOtherVersion = false
        var out: [UInt8] = []
        if chance(0.1) { out += [0xEF, 0xBB, 0xBF] }
        if chance(0.75) { out += Array(declaration().utf8) }
        out += Array(misc().utf8)
        out += Array(root().utf8)
        out += Array(misc().utf8)
        return out
    }

    private mutating func declaration() -> String {
        let q = pick(["\"", "'"])
        var text = "<?xml" + space() + "version" + eq() + q
        if chance(0.05) {
            text += "1.1"
            declaresOtherVersion = true
        } else {
            text += "1.0"
        }
        text += q
        if chance(0.7) { text += space() + "encoding" + eq() + q + pick(["UTF-8", "utf-8", "Utf-8"]) + q }
        if chance(0.2) { text += space() + "standalone" + eq() + q + pick(["yes", "no"]) + q }
        return text + (chance(0.3) ? space() : "") + "?>"
    }

    private mutating func space() -> String {
        (0..<int(1...3)).map { _ in pick([" ", " ", "\n", "\t", "\r\n"]) }.joined()
    }

    private mutating func optionalSpace() -> String { chance(0.2) ? space() : "" }
    private mutating func eq() -> String { optionalSpace() + "=" + optionalSpace() }

    /// Comments, processing instructions (never without data: see `XMLFoundationOracle`) and
    /// white space, as allowed around the root element.
    private mutating func misc() -> String {
        var text = ""
        for _ in 0..<int(0...2) {
            switch int(0...3) {
            case 0: text += comment()
            case 1: text += processingInstruction()
            default: text += space()
            }
        }
        return text
    }

    private mutating func comment() -> String {
        "<!--" + pick(["", " c ", "-x", " <a> & ]]> ", "\u{E9}", "a-b", "\r\n"]) + "-->"
    }

    private mutating func processingInstruction() -> String {
        "<?" + pick(["pi", "xml-stylesheet", "p\u{E9}", "x1"]) + " " + pick(["d", "href='a.xsl'", "? >", "a\r\nb"]) + "?>"
    }

    private mutating func name() -> String {
        var text = pick(Self.nameStarts)
        for _ in 0..<int(0...6) { text += pick(Self.nameTails) }
        return text
    }

    /// A name for an element: unprefixed, or with a prefix in scope.
    private mutating func elementName(_ local: String) -> String {
        let inScope = prefixes.flatMap { $0 }
        if !inScope.isEmpty && chance(0.15) { return pick(inScope) + ":" + local }
        return local
    }

    // MARK: Elements

    private mutating func root() -> String {
        let local = chance(0.92) ? "DocuSignEnvelopeInformation" : pick(["DocuSignEnvelopeInfo", "Envelope", "docusignenvelopeinformation"])
        var declared: [String] = []
        var attributes: [String] = []
        if chance(0.8) { attributes.append("xmlns" + eq() + quoted("http://www.docusign.net/API/3.0")) }
        if chance(0.6) {
            attributes.append("xmlns:xsi" + eq() + quoted("http://www.w3.org/2001/XMLSchema-instance"))
            declared.append("xsi")
        }
        if chance(0.3) {
            attributes.append("xmlns:ds" + eq() + quoted("http://www.docusign.net/API/3.0"))
            declared.append("ds")
        }
        let rootOnPath = local == "DocuSignEnvelopeInformation"
        prefixes.append(declared)
        let qualified = declared.contains("ds") && chance(0.5) ? "ds:" + local : local
        var children = ""
        for _ in 0..<int(0...2) { children += decoy(depth: 2, avoiding: ["EnvelopeStatus"]) }
        for _ in 0..<(chance(0.1) ? 2 : chance(0.92) ? 1 : 0) { children += envelopeStatus(onPath: rootOnPath) }
        if chance(0.1) { children += documentPDFs() }
        if chance(0.5) { children += simple("TimeZone", "Pacific Standard Time") + simple("TimeZoneOffset", "-7") }
        let text = "<" + qualified + attributes.map { space() + $0 }.joined() + optionalSpace() + ">" + children + "</" + qualified + optionalSpace() + ">"
        prefixes.removeLast()
        return text
    }

    private mutating func envelopeStatus(onPath: Bool) -> String {
        var declared: [String] = []
        var attributes = ""
        if chance(0.1) {
            attributes = " xmlns:e" + eq() + quoted("urn:e")
            declared.append("e")
        }
        prefixes.append(declared)
        let qualified = elementName("EnvelopeStatus")
        var parts: [String] = []
        if chance(0.6) { parts.append(recipientStatuses()) }
        for field in [ConnectXMLField.envelopeId, .generatedDateTime, .event] {
            for _ in 0..<(chance(0.08) ? 2 : chance(0.85) ? 1 : 0) { parts.append(fieldElement(field, onPath: onPath)) }
        }
        for _ in 0..<int(0...3) { parts.append(decoy(depth: 3, avoiding: ["Status", "EnvelopeID", "TimeGenerated"])) }
        if chance(0.3) { parts.append(comment()) }
        // Field elements keep their relative order (the last of each kind wins), so shuffle only
        // whole parts that are not fields.
        let text = "<" + qualified + attributes + ">" + interleave(parts) + "</" + qualified + ">"
        prefixes.removeLast()
        return text
    }

    private mutating func interleave(_ parts: [String]) -> String {
        parts.map { $0 + (chance(0.5) ? pick(["\n      ", "\r\n", " ", ""]) : "") }.joined()
    }

    private mutating func recipientStatuses() -> String {
        "<RecipientStatuses><RecipientStatus>" + simple("Type", "Signer") + simple("Status", pick(["Completed", "Sent"]))
            + "<EnvelopeID>decoy</EnvelopeID><TabStatuses><TabStatus>" + simple("Status", "Signed")
            + "<TimeGenerated>decoy</TimeGenerated></TabStatus></TabStatuses>"
            + (chance(0.3) ? "<DeclineReason xsi:nil=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>" : "")
            + "</RecipientStatus></RecipientStatuses>"
    }

    /// One field element: its value is recorded as the expected one when the element is on the
    /// path (the last complete element wins).
    private mutating func fieldElement(_ field: ConnectXMLField, onPath: Bool) -> String {
        let local = switch field {
        case .event: "Status"
        case .envelopeId: "EnvelopeID"
        case .generatedDateTime: "TimeGenerated"
        }
        let qualified = elementName(local)
        let attribute = chance(0.1) ? " id" + eq() + quoted("1") : ""
        if chance(0.06) {
            record(field, onPath ? [] : nil, onPath: onPath, empty: true)
            return "<" + qualified + attribute + optionalSpace() + "/>"
        }
        var segments: [(text: String, decoded: [UInt8], raw: Bool)] = []
        var hasChild = false
        for _ in 0..<int(1...4) {
            switch int(0...9) {
            case 0:
                let c = pick([("lt", "<"), ("gt", ">"), ("amp", "&"), ("apos", "'"), ("quot", "\"")])
                segments.append(("&\(c.0);", Array(c.1.utf8), false))
            case 1:
                let scalar = pick([0x41, 0x0D, 0x0A, 0x09, 0xE9, 0x1F600, 0x4E2D, 0x10FFFF])
                let text = chance(0.5) ? "&#\(scalar);" : "&#x\(String(scalar, radix: 16, uppercase: chance(0.5)));"
                segments.append((text, Array(String(Unicode.Scalar(UInt32(scalar))!).utf8), false))
            case 2:
                let content = pick(["x", "<&>", "]", "]]", "\r\n", "\u{E9}", ""])
                // CDATA content is raw text for line-end handling, but its own run.
                segments.append(("<![CDATA[" + content + "]]>", Self.normalizedLineEnds(Array(content.utf8)), false))
            case 3:
                segments.append((comment(), [], false))
            case 4 where chance(0.25):
                hasChild = true
                segments.append(("<child>" + pick(["x", ""]) + "</child>", [], false))
            case 5:
                let text = pick(["\r\n", "\r", "\n", " ", "\t"])
                segments.append((text, Array(text.utf8), true))
            default:
                let text = pick(Self.texts)
                segments.append((text, Array(text.utf8), true))
            }
        }
        // Decode: adjacent raw segments form one run for line-end handling.
        var value: [UInt8] = []
        var run: [UInt8] = []
        for segment in segments {
            if segment.raw {
                run += segment.decoded
            } else {
                value += Self.normalizedLineEnds(run)
                run = []
                value += segment.decoded
            }
        }
        value += Self.normalizedLineEnds(run)
        record(field, hasChild ? nil : value, onPath: onPath, empty: false)
        return "<" + qualified + attribute + optionalSpace() + ">" + segments.map(\.text).joined() + "</" + qualified + optionalSpace() + ">"
    }

    private mutating func record(_ field: ConnectXMLField, _ value: [UInt8]?, onPath: Bool, empty: Bool) {
        guard onPath else { return }
        var stored = value
        if field == .event, let text = value {
            stored = Array("envelope-".utf8) + text.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        }
        if let bytes = stored, bytes.count > 1025 { stored = Array(bytes.prefix(1025)) }
        switch field {
        case .event: expected.event = stored
        case .envelopeId: expected.envelopeId = stored
        case .generatedDateTime: expected.generatedDateTime = stored
        }
    }

    /// XML end-of-line handling of one run of raw text: CR LF and lone CR become LF.
    static func normalizedLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var afterCR = false
        for b in bytes {
            if b == 0x0A && afterCR {
                afterCR = false
                continue
            }
            afterCR = b == 0x0D
            out.append(afterCR ? 0x0A : b)
        }
        return out
    }

    private mutating func simple(_ name: String, _ text: String) -> String { "<\(name)>\(escaped(text))</\(name)>" }

    private mutating func quoted(_ text: String) -> String {
        let q = pick(["\"", "'"])
        return q + escaped(text).replacingOccurrences(of: q, with: q == "\"" ? "&quot;" : "&apos;") + q
    }

    private func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }

    /// Elements that give no field: random names and attributes, text, sometimes deep, sometimes
    /// using the field names at the wrong depth (`avoiding` the names that would be on the path).
    private mutating func decoy(depth: Int, avoiding: [String] = []) -> String {
        var local = chance(0.2) ? pick(["Status", "EnvelopeID", "TimeGenerated", "EnvelopeStatus"]) : name()
        if avoiding.contains(local) { local = name() }
        var declared: [String] = []
        var attributes: [String] = []
        var used = Set<String>()
        for _ in 0..<int(0...3) {
            var attributeName = name()
            if chance(0.15) {
                let prefix = pick(["p", "q\u{E9}"])
                if !declared.contains(prefix) {
                    attributes.append("xmlns:" + prefix + eq() + quoted("urn:" + prefix))
                    declared.append(prefix)
                    used.insert("xmlns:" + prefix)
                }
                attributeName = prefix + ":" + attributeName
            }
            guard !used.contains(attributeName) else { continue }
            used.insert(attributeName)
            attributes.append(attributeName + eq() + quoted(pick(Self.texts + ["a > b", "'\"", "&#x41;"])))
        }
        attributes.shuffle(using: &rng)
        prefixes.append(declared)
        let qualified = elementName(local)
        let open = "<" + qualified + attributes.map { space() + $0 }.joined() + optionalSpace()
        var text: String
        if chance(0.3) {
            text = open + "/>"
        } else {
            var content = ""
            for _ in 0..<int(0...3) {
                switch int(0...5) {
                case 0 where depth < 40: content += decoy(depth: depth + 1)
                case 1: content += comment()
                case 2: content += "<![CDATA[" + pick(["a", "<b>", "]]]"]) + "]]>"
                case 3: content += processingInstruction()
                default: content += escaped(pick(Self.texts))
                }
            }
            if chance(0.03) { content += String(repeating: "<d>", count: 30) + String(repeating: "</d>", count: 30) }
            text = open + ">" + content + "</" + qualified + optionalSpace() + ">"
        }
        prefixes.removeLast()
        return text
    }

    /// The documents section as Connect sends it when documents are included.
    private mutating func documentPDFs() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let count = int(1...8) * 1024
        var state = rng.next()
        let base64 = String(decoding: (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return alphabet[Int(state >> 58)]
        }, as: UTF8.self)
        return "<DocumentPDFs><DocumentPDF><Name>contract.pdf</Name><PDFBytes>" + base64 + "</PDFBytes>"
            + "<DocumentType>CONTENT</DocumentType></DocumentPDF></DocumentPDFs>"
    }
}
