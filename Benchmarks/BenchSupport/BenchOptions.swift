/// A bad command line: one line naming the flag. `connect-bench` prints it and exits 2.
public struct BenchOptionError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Everything `connect-bench` (load mode) is told on its command line. Built once, passed down.
public struct BenchOptions: Sendable, Equatable {
    public var url = "http://127.0.0.1:8080/webhooks/docusign"
    public var connections = 64
    public var threads = 1
    public var pipeline = 1
    public var duration: Double? = 10
    public var messages: Int?
    public var rate: Double?
    public var payload: PayloadKind = .small
    public var documentSize = 1 << 20
    /// `--recipients N`: every envelope has N signers (nil: 1-3, as in a real flood).
    public var recipients: Int?
    public var hmacKey: String?
    public var hmacKeyFile: String?
    public var badSignatureRate = 0.0
    /// Fraction of messages sent as redeliveries of a recent one (`DuplicatePlan`).
    public var duplicateRate = 0.0
    /// With --spawn: serve's --dedup, --dedup-capacity, and entries put in the index first.
    public var dedup: String?
    public var dedupCapacity: Int?
    public var dedupPrefill: Int?
    public var seed: UInt64?
    public var poolMegabytes = 256
    public var timeout = 30.0
    public var json = false
    public var spawn = false
    public var serverBinary: String?
    public var workers: Int?
    public var sync: String?
    public var keepLog = false
    /// `--account-id GUID`: the `X-DocuSign-AccountId` header value (default: the run's account).
    public var accountId: String?
    /// `--decoy-accounts N` (with --spawn): the run's key becomes an account key of the run's
    /// account, and N other accounts with 2 random keys each are loaded too.
    public var decoyAccounts: Int?
    /// `--bearer-token TOKEN`: sent as `Authorization: Bearer TOKEN` with every request.
    public var bearerToken: String?
    /// `--oauth` (with --spawn): the server gets a fresh JWKS, every request a token signed for it.
    public var oauth = false
    /// `--tls`: HTTPS to the target with the project's libssl client, verifying it against
    /// `--tls-ca`; `--tls-resume off` makes every connection a full handshake.
    public var tls = false
    public var tlsCA: String?
    public var tlsResume = true
    /// `--connection-close`: every request asks for `Connection: close`, so each message costs
    /// a new connection (and, with `--tls`, a handshake).
    public var connectionClose = false
    /// Flags after `--`, passed to `connect-ingest serve` as they are.
    public var serverArguments: [String] = []
    public var help = false

    public init() {}

    /// Parses the arguments after the program name (and after `load`, if given).
    public static func parse(_ arguments: [String]) throws(BenchOptionError) -> BenchOptions {
        var o = BenchOptions()
        var sawDuration = false
        var i = 0
        func value(_ flag: String) throws(BenchOptionError) -> String {
            i += 1
            guard i < arguments.count else { throw BenchOptionError("\(flag): missing value") }
            return arguments[i]
        }
        func integer(_ flag: String, min: Int = 1) throws(BenchOptionError) -> Int {
            let text = try value(flag)
            guard let n = Int(text), n >= min else { throw BenchOptionError("\(flag): expected an integer >= \(min), got '\(text)'") }
            return n
        }
        func number(_ flag: String) throws(BenchOptionError) -> Double {
            let text = try value(flag)
            guard let x = Double(text), x.isFinite, x > 0 else { throw BenchOptionError("\(flag): expected a positive number, got '\(text)'") }
            return x
        }
        while i < arguments.count {
            let flag = arguments[i]
            switch flag {
            case "--help", "-h": o.help = true
            case "--url": o.url = try value(flag)
            case "--connections": o.connections = try integer(flag)
            case "--threads": o.threads = try integer(flag)
            case "--pipeline": o.pipeline = try integer(flag)
            case "--duration": o.duration = try number(flag); sawDuration = true
            case "--messages": o.messages = try integer(flag)
            case "--rate": o.rate = try number(flag)
            case "--payload":
                let text = try value(flag)
                guard let kind = PayloadKind.parse(text) else {
                    throw BenchOptionError("--payload: expected small, summary, mix or documents, got '\(text)'")
                }
                o.payload = kind
            case "--payload-file": o.payload = .file(path: try value(flag))
            case "--document-size":
                let text = try value(flag)
                guard let size = parseSize(text), size >= 1024 else {
                    throw BenchOptionError("--document-size: expected a size >= 1024 bytes (e.g. 1048576, 512K, 25M), got '\(text)'")
                }
                o.documentSize = size
            case "--recipients":
                let n = try integer(flag)
                guard n <= 50 else { throw BenchOptionError("--recipients: expected 1 to 50, got \(n)") }
                o.recipients = n
            case "--hmac-key": o.hmacKey = try value(flag)
            case "--hmac-key-file": o.hmacKeyFile = try value(flag)
            case "--bad-signature-rate":
                let text = try value(flag)
                guard let r = Double(text), r >= 0, r <= 1 else {
                    throw BenchOptionError("--bad-signature-rate: expected a fraction from 0 to 1, got '\(text)'")
                }
                o.badSignatureRate = r
            case "--duplicate-rate":
                let text = try value(flag)
                guard let r = Double(text), r >= 0, r < 1 else {
                    throw BenchOptionError("--duplicate-rate: expected a fraction from 0 to below 1, got '\(text)'")
                }
                o.duplicateRate = r
            case "--dedup":
                let text = try value(flag)
                guard text == "flag" || text == "off" else { throw BenchOptionError("--dedup: expected flag or off, got '\(text)'") }
                o.dedup = text
            case "--dedup-capacity": o.dedupCapacity = try integer(flag, min: 1024)
            case "--dedup-prefill": o.dedupPrefill = try integer(flag, min: 0)
            case "--seed":
                let text = try value(flag)
                guard let s = UInt64(text) else { throw BenchOptionError("--seed: expected an unsigned integer, got '\(text)'") }
                o.seed = s
            case "--pool-mb": o.poolMegabytes = try integer(flag)
            case "--timeout": o.timeout = try number(flag)
            case "--json": o.json = true
            case "--spawn": o.spawn = true
            case "--server-binary": o.serverBinary = try value(flag)
            case "--workers": o.workers = try integer(flag)
            case "--sync": o.sync = try value(flag)
            case "--keep-log": o.keepLog = true
            case "--account-id":
                let text = try value(flag)
                guard text.utf8.count == 36, text.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12],
                      text.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                    throw BenchOptionError("--account-id: expected a GUID like 7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d, got '\(text)'")
                }
                o.accountId = text
            case "--decoy-accounts": o.decoyAccounts = try integer(flag, min: 0)
            case "--bearer-token": o.bearerToken = try value(flag)
            case "--oauth": o.oauth = true
            case "--tls": o.tls = true
            case "--tls-ca": o.tlsCA = try value(flag)
            case "--tls-resume":
                let text = try value(flag)
                guard text == "on" || text == "off" else { throw BenchOptionError("--tls-resume: expected on or off, got '\(text)'") }
                o.tlsResume = text == "on"
            case "--connection-close": o.connectionClose = true
            case "--":
                o.serverArguments = Array(arguments[(i + 1)...])
                i = arguments.count
                continue
            default:
                throw BenchOptionError("\(flag): unknown flag (see --help)")
            }
            i += 1
        }
        if o.help { return o }
        if o.messages != nil && !sawDuration { o.duration = nil }
        if o.messages != nil && o.duration != nil {
            throw BenchOptionError("--messages: give either --duration or --messages, not both")
        }
        if o.hmacKey != nil && o.hmacKeyFile != nil {
            throw BenchOptionError("--hmac-key-file: give either --hmac-key or --hmac-key-file, not both")
        }
        if o.dedupPrefill != nil && o.dedup == "off" {
            throw BenchOptionError("--dedup-prefill: the server keeps no index with --dedup off")
        }
        if o.tls && o.tlsCA == nil {
            throw BenchOptionError("--tls: give --tls-ca FILE, the CA (or self-signed certificate) to verify the server with")
        }
        if !o.tls && o.tlsCA != nil { throw BenchOptionError("--tls-ca: only with --tls") }
        if o.threads > o.connections {
            throw BenchOptionError("--threads: more threads (\(o.threads)) than connections (\(o.connections))")
        }
        if !o.spawn {
            if o.workers != nil { throw BenchOptionError("--workers: only with --spawn (it is passed to the server)") }
            if o.sync != nil { throw BenchOptionError("--sync: only with --spawn (it is passed to the server)") }
            if !o.serverArguments.isEmpty { throw BenchOptionError("--: server flags only with --spawn") }
            if o.keepLog { throw BenchOptionError("--keep-log: only with --spawn") }
            if o.serverBinary != nil { throw BenchOptionError("--server-binary: only with --spawn") }
            if o.dedup != nil { throw BenchOptionError("--dedup: only with --spawn (it is passed to the server)") }
            if o.dedupCapacity != nil { throw BenchOptionError("--dedup-capacity: only with --spawn (it is passed to the server)") }
            if o.dedupPrefill != nil { throw BenchOptionError("--dedup-prefill: only with --spawn") }
            if o.decoyAccounts != nil { throw BenchOptionError("--decoy-accounts: only with --spawn (it writes the server's key file)") }
            if o.oauth { throw BenchOptionError("--oauth: only with --spawn (it gives the server its JWKS)") }
        }
        if o.oauth && o.bearerToken != nil {
            throw BenchOptionError("--bearer-token: give either --bearer-token or --oauth, not both")
        }
        _ = try TargetURL.parse(o.url)
        return o
    }

    /// `1048576`, `512K`, `25M`, `1MiB`, `1G` (binary multiples).
    public static func parseSize(_ text: String) -> Int? {
        var digits = Substring(text)
        var multiplier = 1
        for (suffix, factor) in [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
                                 ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)] where text.hasSuffix(suffix) {
            digits = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard let n = Int(digits), n >= 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    public static let helpText = """
    connect-bench: load generator and micro-benchmarks for connect-ingest.

    USAGE
      connect-bench [load] [options] [-- server flags]
      connect-bench micro [--seconds S] [--only NAME] [--match TEXT] [--iterations N] [--json]
      connect-bench wrk-script --payload small|summary [--recipients N] [--min-bytes N] --hmac-key K
      connect-bench --help

    LOAD MODE (default): signed Connect 2.0 messages over keep-alive HTTP/1.1 connections.
      --url URL                 target, only 127.0.0.1, ::1 or localhost
                                (default http://127.0.0.1:8080/webhooks/docusign; with --spawn
                                only the path is used)
      --connections N           keep-alive connections (default 64)
      --threads T               client threads, each with its own epoll loop (default 1)
      --pipeline D              requests in flight per connection (default 1)
      --duration S              seconds of sending (default 10, unless --messages)
      --messages M              send exactly M messages instead of for a duration
      --rate R                  open loop: R arrivals per second on a fixed schedule, latency
                                from each arrival's scheduled time (default: closed loop, as
                                fast as responses come back)
      --payload KIND            small (~450 B bare events), summary (~4 KB with envelope
                                summary), mix (SIM flood: envelope-sent, recipient-sent/
                                delivered/completed per recipient, envelope-completed; summaries
                                for one configuration in four), documents (envelope-completed
                                with a base64 PDF of --document-size) (default small)
      --payload-file F          send the bytes of F, as they are, every time
      --document-size SIZE      body size for --payload documents, e.g. 1048576, 512K, 25M
                                (default 1M)
      --recipients N            every envelope has N signers (default 1-3 at random); with
                                --payload summary, 6 gives bodies of 5.6-6.8 KB (about 6.4 KB)
      --hmac-key KEY            HMAC key (the secret string as DocuSign shows it); default: the
                                first of $CONNECT_HMAC_KEYS, or with --spawn a random key
      --hmac-key-file PATH      read the key from PATH (first non-blank, non-# line, trimmed)
      --bad-signature-rate R    fraction 0...1 of messages sent with a forged signature; they must
                                get 401 (default 0)
      --duplicate-rate R        fraction 0...<1 of messages sent as redeliveries of one of the
                                last 64 messages of their thread: the same body with retryCount
                                one higher (default 0)
      --seed N                  identifiers, forgery and redelivery choice (default: random; printed)
      --pool-mb MB              memory for pre-generated requests; when a run needs more
                                messages than fit, the pool is reused from the start (default 256)
      --timeout S               give up when nothing progresses for S seconds, and wait at
                                least this long for a spawned server to listen (default 30)
      --json                    print the report as one JSON object
      --tls                     HTTPS: each connection makes a TLS handshake (libssl, TLS 1.2/1.3,
                                ALPN http/1.1), verifying the server against --tls-ca and the
                                loopback address it dials
      --tls-ca FILE             PEM CA certificate(s) (or the server's self-signed certificate)
      --tls-resume on|off       offer the newest session ticket/id on new connections (default on)
      --connection-close        send `Connection: close` on every request: one connection (and
                                one handshake with --tls) per message, to measure handshakes

    SPAWNING THE SERVER
      --spawn                   start `connect-ingest serve --host 127.0.0.1 --port 0` with a
                                fresh log folder and key file, run the load, stop it with
                                SIGTERM, then check its log: every message answered 200 is in
                                it exactly once and byte-exact, no forged one is. Exit status 1
                                if not. Reports the server's CPU time per message.
      --server-binary PATH      the connect-ingest binary (default: next to connect-bench)
      --workers N               passed to serve as --workers N
      --sync POLICY             passed to serve as --sync POLICY
      --keep-log                keep the log folder (its path is printed)
      --dedup MODE              passed to serve as --dedup MODE (flag or off); the log check
                                then also checks message ids and duplicate marks
      --dedup-capacity N        passed to serve as --dedup-capacity N
      --dedup-prefill N         before starting serve, put N synthetic messages (random ids)
                                in its duplicate index, as if N messages had come before
      -- FLAGS...               everything after -- is passed to serve (with --tls, give it
                                --tls-cert and --tls-key there)
      --decoy-accounts N        the key file lists the run's key as a key of the run's account
                                (ACCOUNT-GUID KEY) and N other accounts with 2 random keys each:
                                per-account key lookup with a large table
      --oauth                   give the server a fresh JWKS (RSA 2048) and send every request
                                with a bearer token (RS256, ~1 KB) signed for it

    CREDENTIALS (any mode)
      --account-id GUID         X-DocuSign-AccountId value (default: the run's simulated account)
      --bearer-token TOKEN      send Authorization: Bearer TOKEN with every request

    MICRO MODE (each benchmark checks its own answer)
      --seconds S               minimum seconds per benchmark (default 1)
      --only NAME               only http, json, xml, hmac, oauth, log or dedup (default: all seven)
      --json                    one JSON object per line

    Exit status: 0 success; 1 failed check (log check, forged message accepted, genuine
    message rejected, wrong duplicate marks, or no response at all); 2 bad command line or
    setup failure.
    """
}
