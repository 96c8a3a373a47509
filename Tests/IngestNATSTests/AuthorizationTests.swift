import Foundation
import IngestNATS
import IngestTestSupport
import NATSTestSupport
import XCTest

/// User/password and token authorization against real single-node servers configured for them.
final class AuthorizationTests: XCTestCase {
    func check(_ authorization: NATSCluster.Authorization, wrong: NATSCredentials) throws {
        guard NATSCluster.serverPath != nil else { throw XCTSkip(NATSCluster.skipMessage) }
        let server = try NATSCluster(size: 1, authorization: authorization)
        defer { server.stop() }
        // Right credentials: connected, and the JetStream API answers.
        let good = server.makeClient()
        defer { good.close() }
        try good.connect()
        XCTAssertNoThrow(try JetStream(client: good).accountInfo())
        // Wrong or missing credentials: a clear authorization error, nothing else.
        for credentials in [wrong, NATSCredentials.none] {
            var options = NATSClientOptions(servers: server.addresses)
            options.credentials = credentials
            let bad = NATSClient(options: options)
            XCTAssertThrowsError(try bad.connect(), "\(credentials)") { error in
                guard case NATSError.authorization(_, let message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.lowercased().contains("authorization"), message)
                XCTAssertFalse("\(error)".contains("s3cret"), "no secret in the message")
            }
        }
    }

    func testUserPassword() throws {
        try check(.userPassword(user: "shipper", password: "s3cret-pw"), wrong: .userPassword(user: "shipper", password: "wrong"))
    }

    func testToken() throws {
        try check(.token("s3cret-token"), wrong: .token("not-it"))
    }

    func testCredentialsInTheURL() throws {
        guard NATSCluster.serverPath != nil else { throw XCTSkip(NATSCluster.skipMessage) }
        let server = try NATSCluster(size: 1, authorization: .userPassword(user: "u", password: "p"))
        defer { server.stop() }
        let client = NATSClient(options: NATSClientOptions(servers: [NATSServerAddress(url: "nats://u:p@127.0.0.1:\(server.nodes[0].clientPort)")!]))
        defer { client.close() }
        XCTAssertNoThrow(try client.connect())
    }
}
