import Foundation

import IngestTestSupport

/// The project's corpus (`Tests/Fixtures/corpus`), through IngestTestSupport's `Corpus`.
enum TestCorpus {
    static var directory: URL { Corpus.directory }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// `hmac-test-vectors.selfmade.json`, parsed.
    static func vectors() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("hmac-test-vectors.selfmade.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

/// Splits a generated HTTP request into its header fields (lower-cased names) and body.
struct ParsedRequest {
    var requestLine: String
    var headers: [String: String]
    var body: [UInt8]

    init(_ bytes: [UInt8]) {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var end = 0
        while end + 4 <= bytes.count && Array(bytes[end..<(end + 4)]) != terminator { end += 1 }
        precondition(end + 4 <= bytes.count, "no end of head")
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        requestLine = lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            let colon = line.firstIndex(of: ":")!
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = Array(bytes[(end + 4)...])
    }
}
