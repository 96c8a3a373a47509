import Foundation
import IngestLog
import IngestTestSupport
import XCTest

/// `X-DocuSign-AccountId` end to end: a GUID is stored as the record's fifth field (as sent, any
/// case); anything else, or the header twice, is ignored (the message is still stored without an
/// account), counted and logged.
final class AccountHeaderTests: XCTestCase {
    func testAccountGUIDStoredInvalidIgnoredAndCounted() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let lower = "a2b3c4d5-e6f7-4801-9a2b-3c4d5e6f7081"
        let upper = "B2B3C4D5-E6F7-4801-9A2B-3C4D5E6F7082"
        let cases: [(headers: [String], stored: String?)] = [
            ([lower], lower), ([upper], upper), (["not-a-guid"], nil), ([lower + "0"], nil), ([], nil),
            ([lower, upper], nil),
        ]
        for (index, entry) in cases.enumerated() {
            let body = ConnectMessages.event(100 + index)
            let extra = entry.headers.map { "x-docusign-ACCOUNTID: \($0)" }
            try client.send(fixture.signedRequest(body, extraHeaders: extra, accountHeader: nil))
            XCTAssertEqual(try client.readResponse().status, 200, "case \(index)")
        }
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let metrics = try client.readResponse().text
        XCTAssertTrue(metrics.contains("connect_account_id_invalid_total 3"), metrics)
        XCTAssertEqual(fixture.stop(), 0)

        let records = try fixture.records()
        XCTAssertEqual(records.count, cases.count)
        for (record, entry) in zip(records, cases) {
            XCTAssertEqual(record.accountId, entry.stored.map { Array($0.utf8) })
            XCTAssertEqual(record.flags.contains(.hasAccountId), entry.stored != nil)
            XCTAssertEqual(record.formatVersion, 2)
        }
        XCTAssertEqual(fixture.server.stderr.components(separatedBy: "event=account_id_invalid").count - 1, 3)
    }
}
