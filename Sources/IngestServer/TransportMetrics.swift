import IngestSystem
import IngestTLS

/// The `/metrics` lines about transport: connections by mode, and with native TLS the
/// handshakes, their failures by reason, broken TLS connections, reloads and the certificate's
/// expiry. Summed over workers at scrape time.
enum TransportMetrics {
    static func render(_ state: ServerState) -> String {
        let workers = state.transport
        func total(_ mode: TransportCounters.Mode) -> UInt64 { workers.reduce(0) { $0 + $1.value(mode) } }
        func total(_ counter: TransportCounters.Counter) -> UInt64 { workers.reduce(0) { $0 + $1.value(counter) } }
        var out = "# HELP connect_connections_by_mode_total Connections accepted, by how they are carried: plain, tls-user (libssl in the worker), ktls-send (kernel encrypts), ktls (kernel both ways). TLS connections count once their handshake completes.\n"
        out += "# TYPE connect_connections_by_mode_total counter\n"
        for mode in TransportCounters.Mode.allCases {
            out += "connect_connections_by_mode_total{mode=\"\(mode.label)\"} \(total(mode))\n"
        }
        guard let tls = state.tls else { return out }

        out += "# HELP connect_tls_handshakes_total Completed TLS handshakes, full or resumed (session ticket or id).\n# TYPE connect_tls_handshakes_total counter\n"
        out += "connect_tls_handshakes_total{resumed=\"false\"} \(total(.fullHandshakes))\n"
        out += "connect_tls_handshakes_total{resumed=\"true\"} \(total(.resumedHandshakes))\n"
        out += "# HELP connect_tls_handshake_failures_total TLS handshakes that failed, by reason.\n# TYPE connect_tls_handshake_failures_total counter\n"
        for failure in TLSFailure.allCases where failure != .renegotiation {
            out += "connect_tls_handshake_failures_total{reason=\"\(failure.rawValue)\"} \(workers.reduce(0) { $0 + $1.handshakeFailures(failure) })\n"
        }
        out += "# HELP connect_tls_connection_failures_total Established TLS connections closed for a TLS error or a renegotiation attempt, by reason.\n# TYPE connect_tls_connection_failures_total counter\n"
        for failure in TLSFailure.allCases where failure != .timeout && failure != .clientCertificateMissing {
            out += "connect_tls_connection_failures_total{reason=\"\(failure.rawValue)\"} \(workers.reduce(0) { $0 + $1.connectionFailures(failure) })\n"
        }
        out += "# HELP connect_tls_open_connections Established TLS connections open now.\n# TYPE connect_tls_open_connections gauge\n"
        out += "connect_tls_open_connections \(workers.reduce(0) { $0 + Int64(bitPattern: $1.value(.openTLS)) })\n"
        out += "# HELP connect_tls_reloads_total Certificate reloads (SIGHUP), by result; a failed one keeps the previous certificate.\n# TYPE connect_tls_reloads_total counter\n"
        out += "connect_tls_reloads_total{result=\"ok\"} \(tls.reloadsSucceeded.load(ordering: .relaxed))\n"
        out += "connect_tls_reloads_total{result=\"failed\"} \(tls.reloadsFailed.load(ordering: .relaxed))\n"
        let certificate = tls.certificate
        out += "# HELP connect_tls_certificate_expiry_seconds Seconds until the serving certificate expires (negative once expired).\n# TYPE connect_tls_certificate_expiry_seconds gauge\n"
        out += "connect_tls_certificate_expiry_seconds \(certificate.secondsUntilExpiry(now: Clock.wallNanoseconds() / 1_000_000_000))\n"
        out += "# HELP connect_tls_certificate_not_after_seconds The serving certificate's notAfter, seconds since the Unix epoch.\n# TYPE connect_tls_certificate_not_after_seconds gauge\n"
        out += "connect_tls_certificate_not_after_seconds \(certificate.notAfter)\n"
        out += "# HELP connect_tls_ktls_available 1 when the kernel can encrypt TLS records here (tls ULP present and libssl built with kTLS).\n# TYPE connect_tls_ktls_available gauge\n"
        out += "connect_tls_ktls_available \(tls.kernelTLS == .available ? 1 : 0)\n"
        return out
    }
}
