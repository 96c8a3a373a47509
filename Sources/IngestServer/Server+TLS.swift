import IngestSystem
import IngestTLS

/// Start-up pieces of native TLS: loading the first context, the plain operations listeners,
/// and what the start-up lines say.
extension Server {
    /// Loads the certificate chain, key and client CA; nil when TLS is not configured.
    static func startTLS(_ configuration: ServerConfiguration, operatorLog: OperatorLog) throws -> TLSRuntime? {
        guard let settings = configuration.tls else { return nil }
        let runtime: TLSRuntime
        do {
            runtime = try TLSRuntime(settings: settings, operatorLog: operatorLog)
        } catch {
            throw ServerStartError(description: "cannot start TLS: \(error)")
        }
        var fields = runtime.certificateFields(runtime.certificate)
        switch runtime.kernelTLS {
        case .available:
            fields.append(("ktls", "available: connections whose cipher the kernel supports are encrypted by the kernel"))
        case .unavailable(let reason):
            fields.append(("ktls", "unavailable (\(reason)): user-space TLS"))
        }
        fields += [("client_verify", settings.clientCAFile == nil ? "none" : settings.clientVerify.rawValue),
                   ("ticket_key_rotation_s", "\(settings.ticketKeyRotationSeconds)"),
                   ("handshake_timeout_ms", "\(configuration.tlsHandshakeTimeoutNanoseconds / 1_000_000)")]
        operatorLog.info("tls_ready", fields)
        if let warning = runtime.expiryWarning(runtime.certificate) {
            operatorLog.warn("tls_certificate_expiring", warning)
        }
        return runtime
    }

    /// One plain `SO_REUSEPORT` listener per worker on `--plain-host`:`--plain-port`, or none.
    static func operationsListeners(_ configuration: ServerConfiguration, count: Int) throws -> ([FileDescriptor], SocketAddress?) {
        guard configuration.tls != nil, let port = configuration.plainPort else { return ([], nil) }
        guard var address = SocketAddress(host: configuration.plainHost, port: port) else {
            throw ServerStartError(description: "--plain-host \(configuration.plainHost) is not a numeric IPv4 or IPv6 address")
        }
        var listeners: [FileDescriptor] = []
        do {
            let first = try Socket.listen(on: address, reusePort: true)
            listeners.append(first)
            address = try Socket.localAddress(first)
            for _ in 1..<max(1, count) { listeners.append(try Socket.listen(on: address, reusePort: true)) }
        } catch {
            for l in listeners { l.close() }
            throw ServerStartError(description: "cannot listen on \(configuration.plainHost):\(port) (--plain-port): \(error)")
        }
        return (listeners, address)
    }
}
