import IngestNATS
import XCTest

final class ServerAddressTests: XCTestCase {
    func testURLForms() {
        XCTAssertEqual(NATSServerAddress(url: "nats://h1:4223"), NATSServerAddress(host: "h1", port: 4223))
        XCTAssertEqual(NATSServerAddress(url: "h2"), NATSServerAddress(host: "h2", port: 4222))
        XCTAssertEqual(NATSServerAddress(url: "127.0.0.1:5000"), NATSServerAddress(host: "127.0.0.1", port: 5000))
        XCTAssertEqual(NATSServerAddress(url: "[::1]:4222")?.host, "::1")
        let withUser = NATSServerAddress(url: "nats://alice:secret@h3:1234")
        XCTAssertEqual(withUser?.user, "alice")
        XCTAssertEqual(withUser?.password, "secret")
        XCTAssertEqual(withUser?.description, "h3:1234", "credentials are never shown")
        XCTAssertNil(NATSServerAddress(url: "http://h1:80"))
        XCTAssertNil(NATSServerAddress(url: "nats://h1:notaport"))
        XCTAssertNil(NATSServerAddress(url: "nats://:4222"))
        XCTAssertEqual(NATSServerAddress.list("nats://a:1, nats://b:2 ,c")?.map(\.description), ["a:1", "b:2", "c:4222"])
        XCTAssertNil(NATSServerAddress.list("nats://a:1,http://b"))
        XCTAssertNil(NATSServerAddress.list(" , "))
    }
}
