/// What `serve` is told about TLS: files to load and policies to apply. Immutable once built;
/// a reload re-reads the same files (`TLSServerContext` holds what they contained).
public struct TLSServerSettings: Sendable, Equatable {
    /// PEM: the server certificate followed by its intermediates (leaf first).
    public var certificateFile: String
    /// PEM: the private key of the leaf certificate (unencrypted).
    public var privateKeyFile: String
    /// PEM: the CA certificates client certificates must chain to; nil = no client certificates.
    public var clientCAFile: String?
    public var clientVerify: ClientCertificateMode = .none
    /// Accepted client certificate subjects, RFC 2253 form as printed by
    /// `openssl x509 -noout -subject -nameopt RFC2253`; empty = any subject.
    public var pinnedSubjects: [String] = []
    /// Accepted SHA-256 digests of the client certificate's DER SubjectPublicKeyInfo; empty = any.
    public var pinnedKeyDigests: [[UInt8]] = []
    /// Ask libssl to hand record encryption to the kernel (kTLS) where it can.
    public var kernelTLS = true
    /// Session-ticket keys are replaced this often; tickets stay valid for two periods.
    public var ticketKeyRotationSeconds = 3600
    /// Server-side session cache entries (TLS 1.2 session ids, and clients without tickets).
    public var sessionCacheSize = 20_480

    public init(certificateFile: String, privateKeyFile: String) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }
}
