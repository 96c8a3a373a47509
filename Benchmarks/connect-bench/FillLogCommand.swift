import Foundation
import IngestLog

/// `connect-bench fill-log --log-dir DIR --records N [--segment-size BYTES]`: writes N small
/// Connect-like records (~450-byte envelope events, the four fields and an account id; every
/// other record with a message id) straight into a log, for measuring `connect-ingest ship`
/// from a pre-filled log. The log must not be open by a server.
enum FillLogCommand {
    static func run(_ arguments: [String]) -> Int32 {
        var directory: String?
        var records = 1_000_000
        var segmentSize = 128 << 20
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch flag {
            case "--log-dir": directory = value
            case "--records": records = Int(value) ?? -1
            case "--segment-size": segmentSize = Int(value) ?? -1
            default:
                FileHandle.standardError.write(Data("connect-bench fill-log: unknown flag \(flag)\n".utf8))
                return 2
            }
            index += 2
        }
        guard let directory, records >= 0, segmentSize > 0 else {
            FileHandle.standardError.write(Data("usage: connect-bench fill-log --log-dir DIR --records N [--segment-size BYTES]\n".utf8))
            return 2
        }
        do {
            let log = try MessageLog.open(directory: directory, options: LogOptions(segmentSize: segmentSize, sync: .none))
            let appender = log.makeAppender()
            let account = Array("7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d".utf8)
            let events = [Array("envelope-sent".utf8), Array("envelope-delivered".utf8), Array("envelope-completed".utf8)]
            let configurations = [Array("10363315".utf8), Array("10363316".utf8)]
            let generated = Array("2026-11-23T10:00:00.0000000Z".utf8)
            let start = Date()
            for n in 0..<records {
                let envelope = String(format: "%08x-0000-4000-8000-%012x", n, n)
                let event = events[n % events.count]
                let configuration = configurations[n % configurations.count]
                let body = Array(("{\"event\":\"" + String(decoding: event, as: UTF8.self) + "\",\"apiVersion\":\"v2.1\",\"uri\":\"/restapi/v2.1/accounts/7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d/envelopes/\(envelope)\","
                    + "\"retryCount\":0,\"configurationId\":" + String(decoding: configuration, as: UTF8.self) + ",\"generatedDateTime\":\"2026-11-23T10:00:00.0000000Z\","
                    + "\"data\":{\"accountId\":\"7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d\",\"userId\":\"a1b2c3d4-2222-4e5f-8a9b-0c1d2e3f4a5b\",\"envelopeId\":\"\(envelope)\",\"recipientId\":\"1\"}}").utf8)
                let envelopeBytes = Array(envelope.utf8)
                let id: MessageID? = n % 2 == 0 ? MessageID(high: 0xF111, low: UInt64(n)) : nil
                event.withUnsafeBytes { e in configuration.withUnsafeBytes { c in envelopeBytes.withUnsafeBytes { v in
                    generated.withUnsafeBytes { g in account.withUnsafeBytes { a in body.withUnsafeBytes { b in
                        appender.stage(receivedAtNanoseconds: Int64(Date().timeIntervalSince1970 * 1e9), flags: [.unsigned, .jsonWellFormed],
                                       fields: RecordFields(event: e, configurationId: c, envelopeId: v, generatedDateTime: g, accountId: a),
                                       messageId: id, body: b)
                    } } }
                } } }
                if appender.stagedCount == 512 { _ = try appender.commit() }
            }
            _ = try appender.commit()
            try log.close()
            print("fill-log: \(records) records in \(String(format: "%.1f", Date().timeIntervalSince(start))) s into \(directory)")
            return 0
        } catch {
            FileHandle.standardError.write(Data("connect-bench fill-log: \(error)\n".utf8))
            return 1
        }
    }
}
