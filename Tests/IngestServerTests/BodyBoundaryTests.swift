import Foundation
import IngestTestSupport
import XCTest

/// A body that arrives whole in one read is staged into the log straight from the input buffer;
/// one that arrives in pieces is gathered first (Worker+BodyCopies.swift). Whatever the read
/// boundaries, every stored body is byte-exact and answered in order.
final class BodyBoundaryTests: XCTestCase {
    func testBodiesAreStoredByteExactWhateverTheReadBoundaries() throws {
        let fixture = try ServerFixture(arguments: ["--workers", "1"])
        let client = try fixture.client()
        var bodies: [[UInt8]] = []
        func body(_ n: Int) -> [UInt8] {
            var b = ConnectMessages.event(n)
            b.removeLast()   // the closing brace, to pad inside the object
            b += Array(",\"pad\":\"".utf8) + (0..<(3000 + n * 97)).map { UInt8(97 + ($0 * 7 + n) % 26) } + Array("\"}".utf8)
            return b
        }
        /// Sends the parts as separate writes, a pause apart, so they tend to arrive as separate reads.
        func send(_ parts: [[UInt8]]) throws {
            for (i, part) in parts.enumerated() {
                if i > 0 { usleep(20_000) }
                try client.send(part)
            }
        }
        var expectedStatuses: [Int] = []

        // 1. The whole request in one write.
        bodies.append(body(1))
        try send([fixture.signedRequest(bodies.last!)])
        expectedStatuses.append(200)

        // 2. Head, then the body in a second read.
        bodies.append(body(2))
        var request = fixture.signedRequest(bodies.last!)
        var split = request.count - bodies.last!.count
        try send([Array(request[..<split]), Array(request[split...])])
        expectedStatuses.append(200)

        // 3. The body cut in the middle.
        bodies.append(body(3))
        request = fixture.signedRequest(bodies.last!)
        split = request.count - bodies.last!.count / 2
        try send([Array(request[..<split]), Array(request[split...])])
        expectedStatuses.append(200)

        // 4. Two requests in one write, then one and a half, then the rest.
        bodies.append(body(4))
        bodies.append(body(5))
        try send([fixture.signedRequest(bodies[3]) + fixture.signedRequest(bodies[4])])
        expectedStatuses += [200, 200]
        bodies.append(body(6))
        bodies.append(body(7))
        let seventh = fixture.signedRequest(bodies[6])
        try send([fixture.signedRequest(bodies[5]) + Array(seventh[..<(seventh.count - 100)]), Array(seventh[(seventh.count - 100)...])])
        expectedStatuses += [200, 200]

        // 5. A whole body with a wrong signature is not stored; the next one is.
        let forged = body(8)
        try send([ConnectMessages.request(body: forged, signatures: [fixture.signature(forged, key: Array("wrong".utf8))])
                  + fixture.signedRequest(body(9))])
        bodies.append(body(9))
        expectedStatuses += [401, 200]

        var statuses: [Int] = []
        for _ in expectedStatuses { statuses.append(try client.readResponse().status) }
        XCTAssertEqual(statuses, expectedStatuses)
        XCTAssertEqual(fixture.stop(), 0)
        XCTAssertEqual(try fixture.records().map(\.body), bodies)
    }
}
