/// Optional pinning of client certificates beyond "chains to the client CA":
/// `--tls-client-subject` and `--tls-client-spki-sha256`.
///
/// A certificate passes when its subject is one of `subjects` (if any are given) and its public
/// key digest is one of `keyDigests` (if any are given). Checked once per full handshake, in the
/// verify callback, on the leaf certificate only, after the chain itself verified.
public struct ClientCertificatePins: Sendable, Equatable {
    public let subjects: [String]
    public let keyDigests: [[UInt8]]

    public init(subjects: [String], keyDigests: [[UInt8]]) {
        self.subjects = subjects
        self.keyDigests = keyDigests
    }

    public var isEmpty: Bool { subjects.isEmpty && keyDigests.isEmpty }

    /// Why the certificate does not pass, or nil when it does.
    public func mismatch(subject: String, keyDigest: [UInt8]?) -> String? {
        if !subjects.isEmpty && !subjects.contains(subject) {
            return "subject not pinned"
        }
        if !keyDigests.isEmpty {
            guard let keyDigest, keyDigests.contains(keyDigest) else { return "public key not pinned" }
        }
        return nil
    }

    /// Parses a pin: 64 hex digits, or 44 characters of base64 (the `pin-sha256` form), each
    /// naming 32 bytes. Colons between hex pairs (as `openssl ... -c` prints) are allowed.
    public static func parseKeyDigest(_ text: String) -> [UInt8]? {
        let hex = Array(text.utf8.filter { $0 != UInt8(ascii: ":") })
        if hex.count == 64, let bytes = decodeHex(hex) { return bytes }
        let base64 = Array(text.utf8)
        if base64.count == 44, let bytes = decodeBase64(base64), bytes.count == 32 { return bytes }
        return nil
    }

    private static func decodeHex(_ digits: [UInt8]) -> [UInt8]? {
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Strict standard base64 with padding.
    private static func decodeBase64(_ text: [UInt8]) -> [UInt8]? {
        func value(_ c: UInt8) -> UInt32? {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): return 62
            case UInt8(ascii: "/"): return 63
            default: return nil
            }
        }
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < text.count {
            let quad = text[index..<(index + 4)]
            let padding = quad.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, padding == 0 || index + 4 == text.count else { return nil }
            var word: UInt32 = 0
            for (offset, c) in quad.enumerated() {
                let v: UInt32
                if offset >= 4 - padding { v = 0 } else { guard let d = value(c) else { return nil }; v = d }
                word = word << 6 | v
            }
            out.append(UInt8(word >> 16))
            if padding < 2 { out.append(UInt8((word >> 8) & 0xFF)) }
            if padding < 1 { out.append(UInt8(word & 0xFF)) }
            index += 4
        }
        return out
    }
}
