import CLinux
import IngestTLS

/// Per-worker counters of how connections are carried (plain or TLS, and which TLS mode) and how
/// TLS handshakes and established TLS connections end. Written only by the owning worker
/// (single-writer counters, as in `WorkerCounters`), summed at scrape time. Updated per
/// connection, never per request.
final class TransportCounters: @unchecked Sendable {
    /// How an accepted connection carries its requests, decided at accept (plain) or when its
    /// handshake completes (TLS).
    enum Mode: Int, CaseIterable {
        case plain
        /// TLS records encrypted and decrypted by libssl in the worker.
        case tlsUser
        /// kTLS for sending only (the kernel encrypts; libssl still decrypts).
        case kernelSend
        /// kTLS both ways.
        case kernel

        var label: String {
            switch self {
            case .plain: "plain"
            case .tlsUser: "tls-user"
            case .kernelSend: "ktls-send"
            case .kernel: "ktls"
            }
        }
    }

    enum Counter: Int, CaseIterable {
        case fullHandshakes, resumedHandshakes, renegotiationRefused, openTLS
    }

    private let cells: UnsafeMutablePointer<UInt64>
    private static let modes = Mode.allCases.count
    private static let counters = Counter.allCases.count
    private static let failures = TLSFailure.allCases.count
    private static let total = modes + counters + 2 * failures

    init() {
        cells = .allocate(capacity: Self.total)
        cells.initialize(repeating: 0, count: Self.total)
    }

    deinit { cells.deallocate() }

    func add(_ mode: Mode) { cl_counter_add(cells + mode.rawValue, 1) }
    func add(_ counter: Counter, _ value: Int = 1) { cl_counter_add(cells + Self.modes + counter.rawValue, UInt64(bitPattern: Int64(value))) }
    func set(_ counter: Counter, _ value: Int) { cl_counter_store(cells + Self.modes + counter.rawValue, UInt64(value)) }
    /// A handshake that failed, by reason.
    func addHandshakeFailure(_ failure: TLSFailure) { cl_counter_add(cells + Self.modes + Self.counters + index(failure), 1) }
    /// An established TLS connection that broke (bad record, renegotiation, ...), by reason.
    func addConnectionFailure(_ failure: TLSFailure) {
        cl_counter_add(cells + Self.modes + Self.counters + Self.failures + index(failure), 1)
    }

    func value(_ mode: Mode) -> UInt64 { cl_counter_load(cells + mode.rawValue) }
    func value(_ counter: Counter) -> UInt64 { cl_counter_load(cells + Self.modes + counter.rawValue) }
    func handshakeFailures(_ failure: TLSFailure) -> UInt64 { cl_counter_load(cells + Self.modes + Self.counters + index(failure)) }
    func connectionFailures(_ failure: TLSFailure) -> UInt64 {
        cl_counter_load(cells + Self.modes + Self.counters + Self.failures + index(failure))
    }

    private func index(_ failure: TLSFailure) -> Int { TLSFailure.allCases.firstIndex(of: failure)! }
}
