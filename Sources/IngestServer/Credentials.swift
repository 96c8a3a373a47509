import IngestHMAC
import IngestOAuth

/// One complete set of the credentials a webhook is checked against: HMAC keys (global and per
/// account), the Basic credentials, and the bearer-token verifier. Loaded together and replaced
/// together, so every message is checked against one set, never a mix of two.
public struct Credentials: Sendable {
    public var keys = SigningKeys(secrets: [])
    public var basic: BasicCredentials?
    public var bearer: BearerTokenVerifier?

    public init(keys: SigningKeys = SigningKeys(secrets: []), basic: BasicCredentials? = nil, bearer: BearerTokenVerifier? = nil) {
        self.keys = keys
        self.basic = basic
        self.bearer = bearer
    }

    /// Counts for the start-up and reload lines (never key material).
    public var summary: [(String, String)] {
        var fields: [(String, String)] = [
            ("hmac_keys", "\(keys.count)"), ("global_keys", "\(keys.globalKeyCount)"),
            ("accounts", "\(keys.accountCount)"), ("account_keys", "\(keys.accountKeyCount)"),
            ("basic_auth", basic == nil ? "off" : "on"),
        ]
        if let bearer {
            fields.append(("jwks_keys", "\(bearer.keySet.keys.count)"))
            fields.append(("jwks_rsa", "\(bearer.keySet.rsaKeyCount)"))
            fields.append(("jwks_ec", "\(bearer.keySet.ecKeyCount)"))
        } else {
            fields.append(("oauth", "off"))
        }
        return fields
    }
}

/// Where the credentials come from: read at start-up, and again on every reload (`SIGHUP`).
public struct CredentialSources: Sendable {
    /// `--hmac-key-file` paths, in order.
    public var hmacKeyFiles: [String] = []
    /// The value of `CONNECT_HMAC_KEYS` at start-up (the environment of a running process does
    /// not change, so a reload uses this same value).
    public var hmacKeysEnvironmentValue: String?
    public var basicAuthFile: String?
    /// `--oauth-jwks` and the claims policy; nil: no bearer tokens.
    public var oauth: OAuthSources?
    /// `--allow-unsigned`: an empty key set is then not an error.
    public var allowUnsigned = false

    public init() {}

    /// The OAuth part of the sources.
    public struct OAuthSources: Sendable {
        public var jwksFile: String
        public var policy: BearerPolicy

        public init(jwksFile: String, policy: BearerPolicy) {
            self.jwksFile = jwksFile
            self.policy = policy
        }
    }

    /// Which source a load problem is about (the CLI names the flag, a reload names it in its line).
    public enum Component: String, Sendable {
        case hmacKeys = "hmac-key-file"
        case basicAuth = "basic-auth-file"
        case jwks = "oauth-jwks"
    }

    /// Why the credentials could not be loaded: one problem per source that failed.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var problems: [(component: Component, message: String)]
        public var description: String {
            problems.map { "\($0.component.rawValue): \($0.message)" }.joined(separator: "; ")
        }
    }

    /// Reads every source. All or nothing: either every source loaded (with warnings about
    /// entries that were skipped), or the problems of every source that failed.
    public func load() -> Result<(credentials: Credentials, warnings: [String]), LoadError> {
        var credentials = Credentials()
        var warnings: [String] = []
        var problems: [(Component, String)] = []
        do {
            let loaded = try SigningKeys.load(keyFiles: hmacKeyFiles, environmentValue: hmacKeysEnvironmentValue)
            credentials.keys = loaded.keys
            warnings += loaded.warnings
            if loaded.keys.isEmpty && !allowUnsigned {
                problems.append((.hmacKeys, "no HMAC key configured: give --hmac-key-file FILE or CONNECT_HMAC_KEYS, or --allow-unsigned to store messages without verifying them"))
            }
        } catch {
            problems.append((.hmacKeys, "\(error)"))
        }
        if let basicAuthFile {
            do { credentials.basic = try BasicCredentials.load(file: basicAuthFile) } catch {
                problems.append((.basicAuth, "\(error)"))
            }
        }
        if let oauth {
            do {
                let loaded = try JSONWebKeySet.load(path: oauth.jwksFile)
                credentials.bearer = BearerTokenVerifier(keySet: loaded.keySet, policy: oauth.policy)
                warnings += loaded.warnings
            } catch {
                problems.append((.jwks, "\(error)"))
            }
        }
        guard problems.isEmpty else { return .failure(LoadError(problems: problems)) }
        return .success((credentials, warnings))
    }
}
