import Foundation

/// Reads one line of `connect-ingest read --format jsonl` back into the exact body bytes.
///
/// The format (issue 5): one JSON object per record with `body` holding the exact bytes as a JSON
/// string, or `bodyBase64` instead when they are not valid UTF-8. Decoding a JSON string gives
/// back the original UTF-8 bytes exactly, so the body hash matches the one computed at sending.
/// Not the hot path: Foundation's parser is fine here.
public enum LogLineDecoder {
    public enum Failure: Error, Equatable {
        case notAJSONObject
        case noBody
        case badBase64
    }

    public static func body(fromLine line: some Collection<UInt8>) throws(Failure) -> [UInt8] {
        let data = Data(line)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .notAJSONObject
        }
        if let text = object["body"] as? String { return Array(text.utf8) }
        if let encoded = object["bodyBase64"] as? String {
            guard let decoded = Data(base64Encoded: encoded) else { throw .badBase64 }
            return [UInt8](decoded)
        }
        throw .noBody
    }
}
