/// What a bearer token's claims must say (`--oauth-issuer`, `--oauth-audience`, `--oauth-leeway`).
public struct BearerPolicy: Sendable, Equatable {
    /// The exact `iss` the authorization server puts in its tokens.
    public var issuer: String
    /// Accepted `aud` values; a token is for this listener when its `aud` (a string, or an array
    /// of strings) contains any of them. Never empty: a token minted for another API of the same
    /// authorization server must not pass.
    public var audiences: [String]
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    public var leewaySeconds: Int64
    /// Tokens longer than this are refused before any parsing.
    public var maximumTokenBytes: Int

    /// The default `--oauth-leeway`.
    public static let defaultLeewaySeconds: Int64 = 60
    /// Access tokens from the usual authorization servers are 0.8 to 3 KB; 8 KiB leaves room for
    /// large claim sets and stays far below the header-size limit.
    public static let defaultMaximumTokenBytes = 8 * 1024

    public init(issuer: String, audiences: [String], leewaySeconds: Int64 = BearerPolicy.defaultLeewaySeconds,
                maximumTokenBytes: Int = BearerPolicy.defaultMaximumTokenBytes) {
        self.issuer = issuer
        self.audiences = audiences
        self.leewaySeconds = leewaySeconds
        self.maximumTokenBytes = maximumTokenBytes
    }
}
