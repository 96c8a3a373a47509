/// Whether and how a TLS client must present a certificate (`--tls-client-verify`).
public enum ClientCertificateMode: String, Sendable, CaseIterable {
    /// No certificate is asked for.
    case none
    /// A certificate is asked for; a client without one is served, a client whose certificate
    /// does not verify (or does not match a pin) is refused.
    case optional
    /// A client without a certificate that verifies against `--tls-client-ca` is refused.
    case require
}
