import Foundation
import IngestOAuth
import IngestServer

/// The credential flags of `serve`: HMAC keys, Basic, OAuth bearer tokens, per-account metrics,
/// and the pid file `connect-ingest reload` signals. Everything is loaded through
/// `CredentialSources`, the same code a SIGHUP reload runs.
enum ServeCredentials {
    static let specs: [FlagSpec] = [
        FlagSpec(name: "oauth-jwks", valueName: "FILE", defaultText: "", help: "JWKS of your OAuth authorization server (RSA and EC P-256 keys); webhooks then need a valid Authorization: Bearer JWT (needs --oauth-issuer and --oauth-audience)"),
        FlagSpec(name: "oauth-issuer", valueName: "ISSUER", defaultText: "", help: "the exact iss claim of accepted bearer tokens"),
        FlagSpec(name: "oauth-audience", valueName: "AUDIENCE", defaultText: "", help: "an accepted aud claim value (repeatable; env: comma-separated)", repeatable: true, environmentSeparator: ","),
        FlagSpec(name: "oauth-leeway", valueName: "DURATION", defaultText: "60s", help: "clock skew allowed on exp, nbf and iat of bearer tokens"),
        FlagSpec(name: "metrics-accounts", valueName: nil, defaultText: "", help: "also count HMAC verifications per account in /metrics (one series per account with keys)"),
        FlagSpec(name: "pid-file", valueName: "PATH", defaultText: "", help: "write the process id here once listening (for connect-ingest reload --pid-file)"),
    ]

    static func build(_ flags: ParsedFlags, environment: [String: String], into c: inout ServerConfiguration,
                      problems: inout [String], warnings: inout [String]) {
        var sources = CredentialSources()
        sources.hmacKeyFiles = flags.all("hmac-key-file")
        sources.hmacKeysEnvironmentValue = environment["CONNECT_HMAC_KEYS"]
        sources.basicAuthFile = flags.last("basic-auth-file")
        sources.allowUnsigned = flags.isSet("allow-unsigned")
        c.metricsAccounts = flags.isSet("metrics-accounts")

        var oauthUsable = true
        if let jwks = flags.last("oauth-jwks") {
            let issuer = flags.last("oauth-issuer")
            let audiences = flags.all("oauth-audience").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if issuer?.isEmpty ?? true {
                problems.append("\(flags.origin("oauth-jwks")) \(jwks): needs --oauth-issuer (the exact iss of your authorization server's tokens)")
                oauthUsable = false
            }
            if audiences.isEmpty {
                problems.append("\(flags.origin("oauth-jwks")) \(jwks): needs --oauth-audience (the aud your tokens carry for this listener)")
                oauthUsable = false
            }
            var leeway = BearerPolicy.defaultLeewaySeconds
            if let text = flags.last("oauth-leeway") {
                if let nanoseconds = FlagValue.duration(text), nanoseconds <= 3600 * 1_000_000_000 {
                    leeway = nanoseconds / 1_000_000_000
                } else {
                    problems.append("\(flags.origin("oauth-leeway")) \(text): expected a duration from 0s to 1h, like 60s")
                    oauthUsable = false
                }
            }
            if sources.basicAuthFile != nil {
                problems.append("\(flags.origin("oauth-jwks")) and \(flags.origin("basic-auth-file")) exclude each other: a Connect configuration sends one Authorization header, Basic or Bearer")
                oauthUsable = false
            }
            if oauthUsable {
                sources.oauth = .init(jwksFile: jwks, policy: BearerPolicy(issuer: issuer!, audiences: audiences, leewaySeconds: leeway))
            }
        } else {
            for name in ["oauth-issuer", "oauth-audience", "oauth-leeway"] where flags.isSet(name) {
                problems.append("\(flags.origin(name)) is set but --oauth-jwks is not: bearer tokens need the JWKS to verify them")
            }
        }

        if let path = flags.last("pid-file") {
            let folder = (path as NSString).deletingLastPathComponent
            var isFolder: ObjCBool = false
            if path.isEmpty || path.hasSuffix("/") {
                problems.append("\(flags.origin("pid-file")) \(path): expected a file path")
            } else if !FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isFolder) || !isFolder.boolValue {
                problems.append("\(flags.origin("pid-file")) \(path): folder \(folder) does not exist")
            }
        }

        switch sources.load() {
        case .success(let loaded):
            c.credentials = loaded.credentials
            warnings += loaded.warnings
        case .failure(let error):
            for problem in error.problems {
                let origin: String
                switch problem.component {
                case .hmacKeys: origin = flags.isSet("hmac-key-file") ? flags.origin("hmac-key-file") : "CONNECT_HMAC_KEYS"
                case .basicAuth: origin = "\(flags.origin("basic-auth-file")) \(sources.basicAuthFile ?? "")"
                case .jwks: origin = "\(flags.origin("oauth-jwks")) \(sources.oauth?.jwksFile ?? "")"
                }
                problems.append(problem.message.hasPrefix("no HMAC key configured") ? problem.message : "\(origin): \(problem.message)")
            }
        }
        if !c.credentials.keys.isEmpty && sources.allowUnsigned {
            warnings.append("--allow-unsigned has no effect while HMAC keys are configured: signatures are verified")
            sources.allowUnsigned = false
        }
        c.allowUnsigned = sources.allowUnsigned
        c.credentialSources = sources
    }
}

/// The `--pid-file` of `serve`: written once listening, removed at a clean exit.
enum PidFile {
    static func write(_ path: String, operatorLog: OperatorLog) {
        let temporary = path + ".tmp-\(getpid())"
        do {
            try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temporary)
            operatorLog.error("pid_file_failed", [("path", path), ("error", "\(error)")])
        }
    }

    static func remove(_ path: String) {
        // Only our own: another instance may have replaced it since.
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == getpid() {
            unlink(path)
        }
    }
}
