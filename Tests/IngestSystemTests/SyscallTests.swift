import Foundation
import IngestSystem
import IngestTestSupport
import XCTest

final class SyscallTests: XCTestCase {
    func testErrnoIsThrownWithItsNameAndWouldBlockIsAValue() throws {
        XCTAssertThrowsError(try FileDescriptor.open("/nonexistent/connect-ingest", .readOnly)) { error in
            XCTAssertEqual(error as? Errno, .noSuchFile)
            XCTAssertTrue("\(error)".contains("errno"))
        }
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let reader = FileDescriptor(rawValue: fds[0]), writer = FileDescriptor(rawValue: fds[1])
        defer { reader.close(); writer.close() }
        try reader.setNonBlocking()
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertNil(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }, "EAGAIN is nil, not an error")
        try Array("abc".utf8).withUnsafeBytes { try writer.writeAll($0) }
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }, 3)
    }

    func testSocketAddressParsingAndListeningOnAFreePort() throws {
        XCTAssertNil(SocketAddress(host: "example.com", port: 1), "no DNS in a listener address")
        XCTAssertEqual(SocketAddress(host: "::1", port: 8080)?.description, "[::1]:8080")
        XCTAssertEqual(SocketAddress(host: "127.0.0.1", port: 80)?.description, "127.0.0.1:80")
        let a = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: true)
        let address = try Socket.localAddress(a)
        XCTAssertNotEqual(address.port, 0)
        // SO_REUSEPORT: a second worker socket may bind the same port.
        let b = try Socket.listen(on: address, reusePort: true)
        a.close(); b.close()
    }

    func testSocketAcceptReturnsNilWhenNothingIsPending() throws {
        let listener = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0)!, reusePort: false)
        defer { listener.close() }
        XCTAssertNil(try Socket.accept(listener))
    }
}
