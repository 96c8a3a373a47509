import IngestSystem
import IngestTLS
import Synchronization

/// Native TLS for the whole server: the `TLSServerContext` new connections get (replaced by a
/// reload), the ticket keys every context shares, whether kTLS is possible here, and the reload
/// outcome counters.
///
/// Workers read the current context once per accepted TLS connection: they compare `generation`
/// (an atomic load) with the one they hold and take the lock only after a reload. Connections
/// keep the context they were made with until they close.
final class TLSRuntime: Reloadable {
    let settings: TLSServerSettings
    let operatorLog: OperatorLog
    let ticketKeys: TicketKeyRing
    let kernelTLS: KernelTLS.Availability
    private let current: Mutex<TLSServerContext>
    let generation = Atomic<Int>(0)
    let reloadsSucceeded = Atomic<Int>(0)
    let reloadsFailed = Atomic<Int>(0)

    init(settings: TLSServerSettings, operatorLog: OperatorLog) throws(TLSError) {
        self.settings = settings
        self.operatorLog = operatorLog
        ticketKeys = TicketKeyRing(rotationSeconds: settings.ticketKeyRotationSeconds)
        kernelTLS = settings.kernelTLS ? KernelTLS.probe() : .unavailable(reason: "turned off with --tls-ktls off")
        current = Mutex(try TLSServerContext(settings: settings, ticketKeys: ticketKeys))
    }

    /// The context for new connections and its generation.
    func context() -> (TLSServerContext, Int) {
        current.withLock { ($0, generation.load(ordering: .relaxed)) }
    }

    var certificate: CertificateSummary { current.withLock { $0.certificate } }

    var reloadName: String { "tls" }

    /// SIGHUP: re-reads the certificate chain, key and client CA. On success new connections use
    /// the new context (with a warning line when its certificate expires within 14 days); on
    /// failure the old one stays and the reason is returned.
    func reload() -> ReloadResult {
        do {
            let fresh = try TLSServerContext(settings: settings, ticketKeys: ticketKeys)
            current.withLock { context in
                context = fresh
                generation.add(1, ordering: .releasing)
            }
            reloadsSucceeded.add(1, ordering: .relaxed)
            if let warning = expiryWarning(fresh.certificate) { operatorLog.warn("tls_certificate_expiring", warning) }
            return .reloaded(certificateFields(fresh.certificate))
        } catch {
            reloadsFailed.add(1, ordering: .relaxed)
            return .failed(error.description)
        }
    }

    /// Subject, issuer and expiry, for the start-up and reload lines.
    func certificateFields(_ certificate: CertificateSummary) -> [(String, String)] {
        let days = Double(certificate.secondsUntilExpiry(now: Clock.wallNanoseconds() / 1_000_000_000)) / 86_400
        return [("subject", certificate.subject), ("issuer", certificate.issuer),
                ("expires_in_days", format2(days))]
    }

    /// A warning line when the certificate expires within 14 days (or has expired).
    func expiryWarning(_ certificate: CertificateSummary) -> [(String, String)]? {
        let left = certificate.secondsUntilExpiry(now: Clock.wallNanoseconds() / 1_000_000_000)
        guard left < CertificateSummary.expiryWarningSeconds else { return nil }
        return [("subject", certificate.subject), ("expires_in_days", format2(Double(left) / 86_400)),
                ("message", left <= 0 ? "the TLS certificate has expired" : "the TLS certificate expires within 14 days")]
    }

    /// "kTLS", "user-space (reason)" for the start-up line.
    var modeDescription: String {
        switch kernelTLS {
        case .available: "ktls-where-negotiated"
        case .unavailable: "user-space"
        }
    }
}

/// Two decimals without Foundation.
func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let sign = hundredths < 0 ? "-" : ""
    let magnitude = abs(hundredths)
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}
