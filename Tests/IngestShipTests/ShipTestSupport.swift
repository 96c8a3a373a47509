import Foundation
import IngestLog
import IngestNATS
import IngestTestSupport
import NATSTestSupport
import XCTest

/// One record to write into a test log.
struct TestRecord {
    var event: String? = "envelope-completed"
    var configurationId: String? = "10363315"
    var envelopeId: String? = nil
    var accountId: String? = "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d"
    var messageId: MessageID? = nil
    var body: [UInt8]
}

enum ShipTestSupport {
    /// Writes `records` into a new log at `directory` in one process (then closes it).
    static func writeLog(_ directory: String, _ records: [TestRecord], segmentSize: Int = 1 << 20,
                         detector: DuplicateDetector? = nil) throws {
        let log = try MessageLog.open(directory: directory, options: LogOptions(segmentSize: segmentSize, sync: .none),
                                      duplicateDetector: detector)
        let appender = log.makeAppender()
        var staged = 0
        for record in records {
            func withOptional<R>(_ text: String?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
                guard let text else { return body(nil) }
                let bytes = Array(text.utf8)
                return bytes.withUnsafeBytes { body($0) }
            }
            withOptional(record.event) { event in
                withOptional(record.configurationId) { configurationId in
                    withOptional(record.envelopeId) { envelopeId in
                        withOptional(record.accountId) { accountId in
                            record.body.withUnsafeBytes { body in
                                appender.stage(receivedAtNanoseconds: Clock.wallNanosecondsForTests(), flags: [.unsigned, .jsonWellFormed],
                                               fields: RecordFields(event: event, configurationId: configurationId, envelopeId: envelopeId,
                                                                    generatedDateTime: nil, accountId: accountId),
                                               messageId: record.messageId, body: body)
                            }
                        }
                    }
                }
            }
            staged += 1
            if staged == 256 { _ = try appender.commit(); staged = 0 }
        }
        _ = try appender.commit()
        try log.close()
    }

    /// Every valid record of a log.
    static func readLog(_ directory: String) throws -> [LogRecord] {
        let reader = try LogReader(directory: directory)
        var records: [LogRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// The number of messages in `stream`, or nil while the cluster cannot say.
    static func messageCount(_ client: NATSClient, _ stream: String) -> UInt64? {
        try? JetStream(client: client, timeoutMilliseconds: 1000).streamInfo(stream).messages
    }

    static func subject(_ record: LogRecord, template: String = "connect.{accountId}.{configurationId}.{event}", instance: String) -> String {
        var out: [UInt8] = []
        try! IngestShip.SubjectTemplate(template).render(record, instance: Array(instance.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

import IngestShip
import IngestSystem

extension Clock {
    static func wallNanosecondsForTests() -> Int64 { wallNanoseconds() }
}
