import CLinux
import IngestHMAC
import IngestHTTP
import IngestOAuth

/// Authentication at head time: bind the credentials snapshot, then Basic or Bearer (exclusive:
/// DocuSign sends one `Authorization` header), before anything of the body is read. HMAC
/// candidates and the account's keys are set up after this, in `beginWebhook`.
extension Worker {
    /// Binds `connection` to the worker's credentials and checks its `Authorization` header.
    /// Returns false when the request was refused (its route is then a fixed 401).
    func authorizeWebhook(_ connection: Connection, head bytes: UnsafeRawBufferPointer, now: Int64) -> Bool {
        credentialBinding.refresh()
        if connection.credentialsGeneration != credentialBinding.generation { bindCredentials(connection) }
        if let basic = credentialBinding.basic {
            let value = authorizationValue(connection, head: bytes)
            if value.map({ basic.matches(authorizationValue: $0) }) != true {
                counters.add(.basicAuthFailed)
                noteBadInput(connection, "unauthorized", status: 401, reason: "basic authentication failed", now: now)
                connection.route = .fixed(.unauthorizedBasic)
                return false
            }
        } else if let gate = credentialBinding.bearerGate {
            let value = authorizationValue(connection, head: bytes)
            switch gate.check(authorization: value, nowSeconds: wallClock(now) / 1_000_000_000) {
            case .cached:
                credentialBinding.counters.add(.bearerCached)
            case .verified:
                credentialBinding.counters.add(.bearerVerified)
            case .refused(let refusal):
                credentialBinding.counters.add(refusal)
                counters.add(.bearerAuthFailed)
                noteBadInput(connection, "bearer_refused", status: 401, reason: refusal.reason, now: now)
                connection.route = .fixed(refusal == .missing ? .unauthorizedBearerMissing : .unauthorizedBearer)
                return false
            }
        }
        return true
    }

    /// Points the connection's authenticator at the worker's current key table. Runs once per
    /// connection per credentials generation, never per request.
    func bindCredentials(_ connection: Connection) {
        let snapshot = credentialBinding.snapshot
        connection.authenticator.rebind(to: snapshot.credentials.keys)
        connection.credentialsGeneration = snapshot.generation
        connection.boundSnapshot = snapshot
        connection.accountCounterRow = snapshot.accountCounters?.row(worker: index)
    }

    /// Counts a finished HMAC verification by outcome (and by account with `--metrics-accounts`).
    func countVerification(_ connection: Connection, verified: Bool) {
        let authenticator = connection.authenticator
        let ordinal = authenticator.selectedAccountOrdinal
        if ordinal != nil { credentialBinding.counters.add(.hmacAccountKeysTried) }
        if verified {
            credentialBinding.counters.add(authenticator.verifiedWithAccountKey ? .hmacVerifiedAccountKey : .hmacVerifiedGlobalKey)
        } else {
            credentialBinding.counters.add(authenticator.candidateCount == 0 ? .hmacMissing : .hmacMismatch)
        }
        if let row = connection.accountCounterRow, let ordinal {
            cl_counter_add(row + 2 * ordinal + (verified ? 0 : 1), 1)
        }
    }

    /// The first `Authorization` header's value, if any.
    private func authorizationValue(_ connection: Connection, head bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        for index in 0..<connection.parser.head.headerCount
        where spanEquals(connection.parser.headerName(at: index), in: bytes, lowercase: "authorization") {
            return Worker.slice(connection.parser.headerValue(at: index), bytes)
        }
        return nil
    }
}
