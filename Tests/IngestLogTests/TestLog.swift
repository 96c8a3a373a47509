import Foundation
import IngestTestSupport
@testable import IngestLog

/// Helpers shared by the IngestLog tests: temporary log directories and byte-level builders.
enum TestLog {
    /// A fresh directory under /tmp; removed by `remove(_:)` at the end of a test.
    static func directory(_ name: String = "log") throws -> String {
        try ProjectPaths.temporaryDirectory("ingestlog-\(name)").path
    }

    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A body whose bytes identify `index` and vary with it (length too), with no newline.
    static func body(_ index: Int, length: Int? = nil) -> [UInt8] {
        let prefix = Array("{\"event\":\"envelope-sent\",\"n\":\(index),\"pad\":\"".utf8)
        let total = length ?? (40 + (index * 37) % 700)
        var bytes = prefix
        var x = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        while bytes.count < total - 2 {
            x ^= x >> 13; x ^= x << 7; x ^= x >> 17
            bytes.append(UInt8(97 + x % 26))
        }
        bytes += Array("\"}".utf8)
        return Array(bytes.prefix(max(total, 0)))
    }

    /// The segment files of a log, sorted.
    static func segments(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".log") }.sorted()
    }

    /// Every record currently readable, in order (one pass, no waiting).
    static func readAll(_ directory: String, from: UInt64 = 0) throws -> (records: [LogRecord], reader: LogReader) {
        let reader = try LogReader(directory: directory, fromSequence: from)
        var records: [LogRecord] = []
        while let record = try reader.next() { records.append(record) }
        return (records, reader)
    }
}

extension LogAppender {
    /// Stages a record from Swift arrays and strings (tests only; the server passes pointers).
    func stage(_ body: [UInt8], receivedAt: Int64 = 1_700_000_000_000_000_000, flags: RecordFlags = [.signatureVerified],
               event: String? = nil, configurationId: String? = nil, envelopeId: String? = nil,
               generatedDateTime: String? = nil, accountId: String? = nil, messageId: MessageID? = nil) {
        let e = event.map { Array($0.utf8) }, c = configurationId.map { Array($0.utf8) }
        let v = envelopeId.map { Array($0.utf8) }, g = generatedDateTime.map { Array($0.utf8) }
        let a = accountId.map { Array($0.utf8) }
        withOptionalBytes(e) { ep in withOptionalBytes(c) { cp in withOptionalBytes(v) { vp in withOptionalBytes(g) { gp in
            withOptionalBytes(a) { ap in
                body.withUnsafeBytes { bp in
                    stage(receivedAtNanoseconds: receivedAt, flags: flags,
                          fields: RecordFields(event: ep, configurationId: cp, envelopeId: vp, generatedDateTime: gp,
                                               accountId: ap),
                          messageId: messageId, body: bp)
                }
            }
        } } } }
    }
}

/// Calls `body` with a pointer to the bytes, or nil.
func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

/// Raw access to segment files for damage tests.
enum SegmentSurgery {
    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ path: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// Offsets and spans of the record positions in a segment image, walked by span from 128
    /// (stops at the first position without a well-formed header).
    static func recordLayout(_ image: [UInt8]) -> [(offset: Int, span: Int, bodyLength: Int, used: Int)] {
        var result: [(Int, Int, Int, Int)] = []
        image.withUnsafeBytes { raw in
            let bytes = RawBytes(base: UnsafeMutableRawPointer(mutating: raw.baseAddress!), count: raw.count)
            var position = LogFormat.segmentHeaderLength
            while position + LogFormat.minimumSpan <= raw.count, let r = bytes.reservation(at: position, limit: raw.count) {
                let fields = bytes.fieldLengths(of: r)?.total ?? 0
                let used = r.layout.headerLength + r.bodyLength + fields
                result.append((position, r.span, r.bodyLength, used))
                position = r.end
            }
        }
        return result
    }

    /// Clears the sealed/settled hints of a segment image, as if the writer had crashed.
    static func unsettle(_ image: inout [UInt8]) {
        for i in LogFormat.sealedEndOffset..<(LogFormat.newestReceivedAtOffset + 8) { image[i] = 0 }
    }
}
