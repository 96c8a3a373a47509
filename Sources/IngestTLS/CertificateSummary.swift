/// What the operator needs to know about the serving certificate: logged at start and reload,
/// and the expiry gauge in `/metrics`.
public struct CertificateSummary: Sendable, Equatable {
    public let subject: String
    public let issuer: String
    /// `notAfter`, seconds since the Unix epoch.
    public let notAfter: Int64

    public init(subject: String, issuer: String, notAfter: Int64) {
        self.subject = subject
        self.issuer = issuer
        self.notAfter = notAfter
    }

    /// Seconds until the certificate expires at wall time `now` (negative once expired).
    public func secondsUntilExpiry(now: Int64) -> Int64 { notAfter - now }

    /// The warning threshold the README documents: expiry within 14 days.
    public static let expiryWarningSeconds: Int64 = 14 * 86_400
}
