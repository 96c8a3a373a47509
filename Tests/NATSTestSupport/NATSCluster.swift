import Foundation
import IngestNATS
import IngestTestSupport

/// Real `nats-server` processes with JetStream on 127.0.0.1: one node, or a cluster joined by
/// routes, each with its own random free ports, store folder and log file in a temporary folder.
/// Nodes can be SIGKILLed and restarted on the same ports and store. `stop()` (also run by
/// `deinit`) kills every node and removes the folder.
public final class NATSCluster: @unchecked Sendable {
    public enum Authorization: Sendable {
        case none
        case userPassword(user: String, password: String)
        case token(String)
    }

    public struct Node {
        public let name: String
        public let clientPort: UInt16
        public let clusterPort: UInt16
        public let storeDirectory: URL
        public let configFile: URL
        public let logFile: URL
        var process: Process?
        public var isRunning: Bool { process?.isRunning ?? false }
    }

    public private(set) var nodes: [Node] = []
    public let directory: URL
    public let authorization: Authorization

    /// The server binary: `NATS_SERVER` if set, else `nats-server` on PATH or in /usr/sbin
    /// (Debian's package); nil when none exists (tests then skip and say so).
    public static var serverPath: String? {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["NATS_SERVER"] { candidates.append(explicit) }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(folder)/nats-server")
        }
        candidates += ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static let skipMessage = "nats-server not found (install Debian's nats-server package, as .ci/run does): NATS tests skipped"

    /// Starts `size` nodes (a cluster when size > 1) and waits until JetStream answers (in a
    /// cluster: until there is a meta leader).
    public init(size: Int, authorization: Authorization = .none, timeout: Double = 30) throws {
        guard let server = Self.serverPath else { throw ServerProcessError(message: Self.skipMessage) }
        self.authorization = authorization
        directory = try ProjectPaths.temporaryDirectory("nats-cluster")
        let clientPorts = try Self.freePorts(size)
        let clusterPorts = try Self.freePorts(size)
        for index in 0..<size {
            let name = "n\(index + 1)"
            let store = directory.appendingPathComponent("\(name)-store")
            try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("\(name).conf")
            let log = directory.appendingPathComponent("\(name).log")
            var text = """
                server_name: \(name)
                listen: 127.0.0.1:\(clientPorts[index])
                log_file: "\(log.path)"
                jetstream {
                  store_dir: "\(store.path)"
                  max_memory_store: 268435456
                  max_file_store: 4294967296
                }

                """
            switch authorization {
            case .none: break
            case .userPassword(let user, let password): text += "authorization { user: \"\(user)\", password: \"\(password)\" }\n"
            case .token(let token): text += "authorization { token: \"\(token)\" }\n"
            }
            if size > 1 {
                let routes = (0..<size).filter { $0 != index }.map { "nats-route://127.0.0.1:\(clusterPorts[$0])" }
                text += """
                    cluster {
                      name: "c1"
                      listen: 127.0.0.1:\(clusterPorts[index])
                      routes: [\(routes.joined(separator: ", "))]
                    }

                    """
            }
            try text.write(to: config, atomically: true, encoding: .utf8)
            nodes.append(Node(name: name, clientPort: clientPorts[index], clusterPort: clusterPorts[index],
                              storeDirectory: store, configFile: config, logFile: log, process: nil))
        }
        do {
            for index in 0..<size { try start(index, server: server) }
            try waitForJetStream(timeout: timeout)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// `nats://127.0.0.1:p1,nats://127.0.0.1:p2,...`
    public var urls: String { nodes.map { "nats://127.0.0.1:\($0.clientPort)" }.joined(separator: ",") }
    public var addresses: [NATSServerAddress] { nodes.map { NATSServerAddress(host: "127.0.0.1", port: $0.clientPort) } }

    public var credentials: NATSCredentials {
        switch authorization {
        case .none: return .none
        case .userPassword(let user, let password): return .userPassword(user: user, password: password)
        case .token(let token): return .token(token)
        }
    }

    /// A client for this cluster (not yet connected).
    public func makeClient(servers: [NATSServerAddress]? = nil, configure: (inout NATSClientOptions) -> Void = { _ in }) -> NATSClient {
        var options = NATSClientOptions(servers: servers ?? addresses)
        options.credentials = credentials
        configure(&options)
        return NATSClient(options: options)
    }

    public func index(ofNodeNamed name: String) -> Int? { nodes.firstIndex { $0.name == name } }

    /// SIGKILL: the node gets no chance to flush or leave the cluster.
    public func kill(_ index: Int) {
        guard let process = nodes[index].process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts a killed node again with the same ports and store.
    public func restart(_ index: Int) throws {
        guard let server = Self.serverPath else { throw ServerProcessError(message: Self.skipMessage) }
        kill(index)
        try start(index, server: server)
    }

    /// Kills every node and removes the folder (logs are kept when `keepFiles`).
    public func stop(keepFiles: Bool = false) {
        for index in nodes.indices { kill(index) }
        if !keepFiles { try? FileManager.default.removeItem(at: directory) }
    }

    /// The last lines of every node's log, for failure messages.
    public func logTail(lines: Int = 20) -> String {
        nodes.map { node in
            let text = (try? String(contentsOf: node.logFile, encoding: .utf8)) ?? ""
            return "--- \(node.name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Waits until `$JS.API.INFO` succeeds through a fresh client (a meta leader exists).
    public func waitForJetStream(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = "not tried"
        while Date() < deadline {
            let client = makeClient { $0.connectTimeoutMilliseconds = 500 }
            defer { client.close() }
            do {
                try client.connect()
                _ = try JetStream(client: client, timeoutMilliseconds: 1000).accountInfo()
                return
            } catch {
                last = "\(error)"
            }
            usleep(200_000)
        }
        throw ServerProcessError(message: "JetStream not ready after \(timeout) s: \(last)\n\(logTail())")
    }

    /// Waits until stream `name` has a leader and every replica is current.
    public func waitForStream(_ name: String, timeout: Double = 30) throws -> StreamInfo {
        let deadline = Date().addingTimeInterval(timeout)
        var last = "not tried"
        while Date() < deadline {
            let client = makeClient { $0.connectTimeoutMilliseconds = 500 }
            defer { client.close() }
            do {
                try client.connect()
                let info = try JetStream(client: client, timeoutMilliseconds: 1000).streamInfo(name)
                if nodes.count == 1 || (info.leader != nil && info.replicas.count == nodes.count - 1 && info.replicas.allSatisfy { $0.current }) {
                    return info
                }
                last = "leader \(info.leader ?? "none"), replicas \(info.replicas)"
            } catch {
                last = "\(error)"
            }
            usleep(200_000)
        }
        throw ServerProcessError(message: "stream \(name) not settled after \(timeout) s: \(last)")
    }

    private func start(_ index: Int, server: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: server)
        process.arguments = ["-c", nodes[index].configFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        nodes[index].process = process
        // Wait until the client port accepts connections.
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning { throw ServerProcessError(message: "nats-server \(nodes[index].name) exited: \(logTail())") }
            if Self.portAccepts(nodes[index].clientPort) { return }
            usleep(50_000)
        }
        throw ServerProcessError(message: "nats-server \(nodes[index].name) did not listen in time: \(logTail())")
    }

    static func portAccepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Ports the kernel says are free right now (bound to port 0, then released).
    public static func freePorts(_ count: Int) throws -> [UInt16] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [UInt16] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw ServerProcessError(message: "bind failed") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
            }
            ports.append(UInt16(bigEndian: address.sin_port))
            sockets.append(fd)
        }
        return ports
    }
}
