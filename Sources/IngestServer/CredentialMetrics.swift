import IngestOAuth

/// The credential part of `/metrics`: verification outcomes (HMAC by which kind of key matched,
/// bearer tokens by cache hit or fresh verification, refusals by reason), the credentials in force
/// and reloads. Per-account series only with `--metrics-accounts`.
enum CredentialMetrics {
    static func render(_ state: ServerState, into out: inout String) {
        let workers = state.credentialCounters
        func total(_ c: CredentialCounters.Counter) -> UInt64 { workers.reduce(0) { $0 &+ $1.value(c) } }

        out += "# HELP connect_hmac_verifications_total HMAC signature checks of webhook messages, by outcome.\n"
        out += "# TYPE connect_hmac_verifications_total counter\n"
        out += "connect_hmac_verifications_total{outcome=\"verified\",key=\"account\"} \(total(.hmacVerifiedAccountKey))\n"
        out += "connect_hmac_verifications_total{outcome=\"verified\",key=\"global\"} \(total(.hmacVerifiedGlobalKey))\n"
        out += "connect_hmac_verifications_total{outcome=\"mismatch\"} \(total(.hmacMismatch))\n"
        out += "connect_hmac_verifications_total{outcome=\"missing\"} \(total(.hmacMissing))\n"
        out += "# HELP connect_hmac_account_keys_tried_total Messages whose X-DocuSign-AccountId named an account with keys of its own.\n"
        out += "# TYPE connect_hmac_account_keys_tried_total counter\nconnect_hmac_account_keys_tried_total \(total(.hmacAccountKeysTried))\n"

        let snapshot = state.credentialStore.snapshot()
        if snapshot.credentials.bearer != nil {
            out += "# HELP connect_bearer_checks_total Bearer tokens accepted, by how (cache hit or full verification).\n"
            out += "# TYPE connect_bearer_checks_total counter\n"
            out += "connect_bearer_checks_total{result=\"cached\"} \(total(.bearerCached))\n"
            out += "connect_bearer_checks_total{result=\"verified\"} \(total(.bearerVerified))\n"
            out += "# HELP connect_bearer_refusals_total Bearer tokens refused (401), by reason.\n"
            out += "# TYPE connect_bearer_refusals_total counter\n"
            for refusal in BearerRefusal.allCases {
                let count = workers.reduce(0) { $0 &+ $1.value(refusal) }
                out += "connect_bearer_refusals_total{reason=\"\(refusal.label)\"} \(count)\n"
            }
        }

        let keys = snapshot.credentials.keys
        out += "# HELP connect_credentials_generation Credentials generation in force (1 at start, +1 per successful reload).\n"
        out += "# TYPE connect_credentials_generation gauge\nconnect_credentials_generation \(snapshot.generation)\n"
        out += "# HELP connect_credentials_loaded Credentials in force, by kind.\n# TYPE connect_credentials_loaded gauge\n"
        out += "connect_credentials_loaded{kind=\"global_keys\"} \(keys.globalKeyCount)\n"
        out += "connect_credentials_loaded{kind=\"accounts\"} \(keys.accountCount)\n"
        out += "connect_credentials_loaded{kind=\"account_keys\"} \(keys.accountKeyCount)\n"
        out += "connect_credentials_loaded{kind=\"jwks_keys\"} \(snapshot.credentials.bearer?.keySet.keys.count ?? 0)\n"
        out += "# HELP connect_credentials_reloads_total Credential reloads (SIGHUP), by result.\n"
        out += "# TYPE connect_credentials_reloads_total counter\n"
        out += "connect_credentials_reloads_total{result=\"ok\"} \(state.credentialStore.reloadsSucceeded.load(ordering: .relaxed))\n"
        out += "connect_credentials_reloads_total{result=\"failed\"} \(state.credentialStore.reloadsFailed.load(ordering: .relaxed))\n"

        if state.configuration.metricsAccounts {
            out += "# HELP connect_hmac_account_verifications_total HMAC checks per account with keys of its own (--metrics-accounts).\n"
            out += "# TYPE connect_hmac_account_verifications_total counter\n"
            for (account, verified, refused) in state.credentialStore.accountTotals() {
                out += "connect_hmac_account_verifications_total{account=\"\(account)\",outcome=\"verified\"} \(verified)\n"
                out += "connect_hmac_account_verifications_total{account=\"\(account)\",outcome=\"refused\"} \(refused)\n"
            }
        }
    }
}
