import BenchSupport
import Foundation
import IngestOAuth

/// The credential side of a load run: the bearer token sent with every request, and with
/// `--oauth` the JWKS, issuer and audience given to the spawned server.
struct BenchCredentials {
    static let issuer = "https://connect-bench.invalid/oauth2/default"
    static let audience = "api://connect-ingest"

    var bearerToken: String?
    var oauthServer: (jwks: String, issuer: String, audience: String)?

    init(options: BenchOptions) throws {
        bearerToken = options.bearerToken
        guard options.oauth else { return }
        // What an authorization server such as Okta or Entra ID issues for a client-credentials
        // grant: RS256, a kid, and the usual claims (about 1 KB in all).
        let key = try SigningKeyPair.generate(.rsa(bits: 2048))
        let now = Int64(Date().timeIntervalSince1970)
        let claims = """
            {"ver":1,"jti":"AT.\(UUID().uuidString)","iss":"\(BenchCredentials.issuer)","aud":"\(BenchCredentials.audience)",\
            "iat":\(now),"nbf":\(now - 5),"exp":\(now + 3600),"cid":"0oa\(UUID().uuidString.prefix(17))",\
            "sub":"docusign-connect","scp":["connect.webhooks.write"],"tid":"\(UUID().uuidString.lowercased())",\
            "oid":"\(UUID().uuidString.lowercased())","azp":"\(UUID().uuidString.lowercased())","appidacr":"1"}
            """
        bearerToken = TokenMinter.token(headerJSON: TokenMinter.header(algorithm: "RS256", kid: "bench-1"),
                                        claimsJSON: claims, algorithm: .rs256, key: key)
        oauthServer = (TokenMinter.keySet([key.jwk(kid: "bench-1", algorithm: "RS256", use: "sig")]),
                       BenchCredentials.issuer, BenchCredentials.audience)
    }
}

extension LoadRun {
    /// With `--decoy-accounts N`: the run's key as a key of the run's account (the one the
    /// requests name), and N other accounts with two random keys each. Nil otherwise.
    func decoyKeyFile() throws -> String? {
        guard let decoys = options.decoyAccounts else { return nil }
        let simulated = try payloadSettings().accountId
        let account = options.accountId ?? String(decoding: simulated, as: UTF8.self)
        var random = SystemRandomNumberGenerator()
        func randomKey() -> String {
            Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }).base64EncodedString()
        }
        var lines = ["# connect-bench --decoy-accounts \(decoys): the run's account, then \(decoys) others with 2 keys each",
                     "\(account) \(key)"]
        for _ in 0..<decoys {
            let other = UUID().uuidString.lowercased()
            lines.append("\(other) \(randomKey())")
            lines.append("\(other) \(randomKey())")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
