import Foundation
import IngestTestSupport
import XCTest

/// One 3-node JetStream cluster shared by the tests of one XCTestCase class: `start()` in the
/// class's `setUp`, `stop()` in its `tearDown`, `require()` in each test.
public final class SharedNATSCluster: @unchecked Sendable {
    private var cluster: NATSCluster?
    private var startError: String?

    public init() {}

    public func start(size: Int = 3) {
        guard NATSCluster.serverPath != nil else { startError = NATSCluster.skipMessage; return }
        do { cluster = try NATSCluster(size: size) } catch { startError = "\(error)" }
    }

    public func stop() {
        cluster?.stop()
        cluster = nil
    }

    /// The cluster. Skips the test when nats-server is not installed; fails it when the cluster
    /// could not start.
    public func require() throws -> NATSCluster {
        if NATSCluster.serverPath == nil { throw XCTSkip(NATSCluster.skipMessage) }
        guard let cluster else {
            throw ServerProcessError(message: "cluster did not start: \(startError ?? "?")")
        }
        return cluster
    }
}
