import Foundation
import IngestServer
import IngestSystem
import IngestTLS

/// `serve`'s native-TLS flags: parsed, checked, and the files loaded once so `--check-config`
/// reports a bad certificate or key the same way a start would.
enum ServeTLSFlags {
    static let specs: [FlagSpec] = [
        FlagSpec(name: "tls-cert", valueName: "FILE", defaultText: "", help: "serve HTTPS: PEM certificate chain (leaf first); needs --tls-key"),
        FlagSpec(name: "tls-key", valueName: "FILE", defaultText: "", help: "PEM private key of --tls-cert (unencrypted)"),
        FlagSpec(name: "tls-client-ca", valueName: "FILE", defaultText: "", help: "mutual TLS: PEM CA certificates client certificates must chain to"),
        FlagSpec(name: "tls-client-verify", valueName: "MODE", defaultText: "require (with --tls-client-ca)", help: "require | optional: whether a client certificate is mandatory"),
        FlagSpec(name: "tls-client-subject", valueName: "DN", defaultText: "", help: "accept only client certificates with this subject, RFC 2253 (`openssl x509 -noout -subject -nameopt RFC2253`); repeatable", repeatable: true),
        FlagSpec(name: "tls-client-spki-sha256", valueName: "HASH", defaultText: "", help: "accept only client certificates whose public key (DER SubjectPublicKeyInfo) has this SHA-256, hex or base64; repeatable", repeatable: true),
        FlagSpec(name: "tls-handshake-timeout", valueName: "DURATION", defaultText: "10s", help: "a TLS handshake not finished by then is closed"),
        FlagSpec(name: "tls-ktls", valueName: "MODE", defaultText: "on", help: "on | off: let the kernel encrypt TLS records (kTLS) where it can"),
        FlagSpec(name: "tls-ticket-key-rotation", valueName: "DURATION", defaultText: "1h", help: "session-ticket keys (in memory only) are replaced this often; tickets resume for two periods"),
        FlagSpec(name: "plain-port", valueName: "N", defaultText: "", help: "with TLS: also serve /healthz, /readyz and /metrics (no webhooks) over plain HTTP on this port"),
        FlagSpec(name: "plain-host", valueName: "ADDR", defaultText: "127.0.0.1", help: "address of the --plain-port listener (keep it private)"),
    ]

    static func apply(_ flags: ParsedFlags, to c: inout ServerConfiguration, problems: inout [String], warnings: inout [String]) {
        let certificate = flags.last("tls-cert")
        let key = flags.last("tls-key")
        let dependents = ["tls-client-ca", "tls-client-verify", "tls-client-subject", "tls-client-spki-sha256",
                          "tls-handshake-timeout", "tls-ktls", "tls-ticket-key-rotation", "plain-port", "plain-host"]
        guard let certificate, let key else {
            if certificate != nil { problems.append("\(flags.origin("tls-cert")) needs --tls-key FILE (the certificate's private key)") }
            if key != nil { problems.append("\(flags.origin("tls-key")) needs --tls-cert FILE (the certificate chain)") }
            if certificate == nil && key == nil {
                for name in dependents where flags.isSet(name) {
                    problems.append("\(flags.origin(name)) applies to native TLS only: give --tls-cert and --tls-key"
                                    + (name == "plain-port" ? " (without TLS the main port already serves plain HTTP)" : ""))
                }
            }
            return
        }
        var settings = TLSServerSettings(certificateFile: certificate, privateKeyFile: key)
        settings.clientCAFile = flags.last("tls-client-ca")
        if let mode = flags.last("tls-client-verify") {
            if let parsed = ClientCertificateMode(rawValue: mode), parsed != .none {
                settings.clientVerify = parsed
            } else {
                problems.append("\(flags.origin("tls-client-verify")) \(mode): expected require or optional")
            }
            if settings.clientCAFile == nil {
                problems.append("\(flags.origin("tls-client-verify")) needs --tls-client-ca FILE (the CA client certificates chain to)")
            }
        } else if settings.clientCAFile != nil {
            settings.clientVerify = .require
        }
        settings.pinnedSubjects = flags.all("tls-client-subject")
        for text in flags.all("tls-client-spki-sha256") {
            if let digest = ClientCertificatePins.parseKeyDigest(text) { settings.pinnedKeyDigests.append(digest) } else {
                problems.append("\(flags.origin("tls-client-spki-sha256")) \(text): expected a SHA-256 as 64 hex digits or 44 base64 characters")
            }
        }
        if (!settings.pinnedSubjects.isEmpty || !settings.pinnedKeyDigests.isEmpty) && settings.clientCAFile == nil {
            problems.append("client certificate pins need --tls-client-ca FILE: a pin narrows certificates that already verify")
        }
        if let text = flags.last("tls-handshake-timeout") {
            if let value = FlagValue.duration(text), value > 0 { c.tlsHandshakeTimeoutNanoseconds = value } else {
                problems.append("\(flags.origin("tls-handshake-timeout")) \(text): expected a positive duration like 10s or 500ms")
            }
        }
        if let text = flags.last("tls-ktls") {
            switch text { case "on": settings.kernelTLS = true; case "off": settings.kernelTLS = false
            default: problems.append("\(flags.origin("tls-ktls")) \(text): expected on or off") }
        }
        if let text = flags.last("tls-ticket-key-rotation") {
            if let value = FlagValue.duration(text), value >= 1_000_000_000 {
                settings.ticketKeyRotationSeconds = Int(value / 1_000_000_000)
            } else {
                problems.append("\(flags.origin("tls-ticket-key-rotation")) \(text): expected a duration of at least 1s, like 1h")
            }
        }
        if let text = flags.last("plain-port") {
            if let port = UInt16(text) { c.plainPort = port } else {
                problems.append("\(flags.origin("plain-port")) \(text): expected a port number 0...65535")
            }
        }
        if let host = flags.last("plain-host") {
            if SocketAddress(host: host, port: 0) == nil {
                problems.append("\(flags.origin("plain-host")) \(host): expected a numeric IPv4 or IPv6 address")
            } else {
                c.plainHost = host
            }
        }
        guard problems.isEmpty else { return }
        // Load everything once now: a wrong path or a key of another certificate is a
        // configuration error (exit 2), reported by --check-config too.
        do {
            _ = try TLSServerContext(settings: settings, ticketKeys: TicketKeyRing(rotationSeconds: settings.ticketKeyRotationSeconds))
        } catch {
            problems.append(error.description)
            return
        }
        c.tls = settings
        if c.plainPort == nil && flags.isSet("plain-host") {
            warnings.append("--plain-host has no effect without --plain-port")
        }
    }
}
