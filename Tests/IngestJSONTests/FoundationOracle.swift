import Foundation
import IngestJSON

/// Foundation's `JSONSerialization` as the reference for the differential test, and the places
/// where it knowingly differs from RFC 8259 (and so from the scanner). Each difference was found
/// by probing JSONSerialization on this toolchain (swift-corelibs-foundation, Swift 6.3):
///
/// 1. It accepts a trailing comma before `}` or `]` (`[1,]`, `{"a":1,}`). RFC 8259 does not; the
///    scanner reports `.unexpectedByte` at the closing bracket.
/// 2. It detects the encoding: a UTF-8/16/32 byte order mark, or a 0x00 among the first four
///    bytes, makes it decode as UTF-16/32 (or skip the BOM). RFC 8259 JSON exchanged between
///    systems is UTF-8 without BOM; the scanner rejects all such input.
/// 3. It rejects numbers a Double cannot hold ("Number 1e400 is not representable in Swift"). The
///    grammar allows them; the scanner accepts them (it keeps numbers as text).
/// It also needs `.fragmentsAllowed` for scalar top-level values (RFC 8259 allows them), keeps the
/// last value of a duplicated key (as the scanner documents), rejects lone surrogate escapes (as
/// the scanner does) and has the same nesting limit of 512.
enum FoundationOracle {
    enum Verdict {
        case valid(Any)
        case invalid(String)
    }

    static func parse(_ bytes: [UInt8]) -> Verdict {
        do {
            return .valid(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
        } catch {
            return .invalid(String(describing: error))
        }
    }

    /// Difference 2: Foundation reads these bytes as something other than BOM-less UTF-8.
    static func foundationDetectsOtherEncoding(_ bytes: [UInt8]) -> Bool {
        let boms: [[UInt8]] = [[0xEF, 0xBB, 0xBF], [0xFE, 0xFF], [0xFF, 0xFE], [0x00, 0x00, 0xFE, 0xFF]]
        if boms.contains(where: { bytes.starts(with: $0) }) { return true }
        return bytes.prefix(4).contains(0)
    }

    /// Difference 1: the scanner's error is a closing bracket right after a comma (whitespace
    /// aside).
    static func isTrailingComma(_ error: JSONScanError, in bytes: [UInt8]) -> Bool {
        guard error.reason == .unexpectedByte, error.offset < bytes.count,
              bytes[error.offset] == UInt8(ascii: "}") || bytes[error.offset] == UInt8(ascii: "]") else { return false }
        var index = error.offset - 1
        while index >= 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index -= 1 }
        return index >= 0 && bytes[index] == UInt8(ascii: ",")
    }

    /// Difference 3.
    static func isUnrepresentableNumber(_ message: String) -> Bool { message.contains("not representable") }

    /// The fields by the scanner's documented rules, read from Foundation's object. A number
    /// `configurationId` comes back as its Double value (Foundation keeps no literal text).
    static func fields(of object: Any) -> (outcome: ScanOutcome, configurationNumber: Double?) {
        guard let top = object as? [String: Any] else { return (ScanOutcome(), nil) }
        func string(_ value: Any?) -> [UInt8]? { (value as? String).map { Array($0.utf8) } }
        var outcome = ScanOutcome()
        outcome.event = string(top["event"])
        outcome.generatedDateTime = string(top["generatedDateTime"])
        outcome.envelopeId = string((top["data"] as? [String: Any])?["envelopeId"]) ?? string(top["envelopeId"])
        var number: Double?
        if let text = top["configurationId"] as? String {
            outcome.configurationId = Array(text.utf8)
        } else if let value = top["configurationId"] as? NSNumber, String(cString: value.objCType) != "c" {
            // objCType "c" is how corelibs marks JSON true/false (__NSCFBoolean); numbers are i/q/d.
            number = value.doubleValue
        }
        return (outcome, number)
    }
}
