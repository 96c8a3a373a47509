import Foundation
import IngestHMAC
import IngestOAuth
import IngestTestSupport

/// Keys, JWKS files, tokens and requests for the credential tests (generated at test time).
enum CredentialTestSupport {
    static let rsa: SigningKeyPair = try! SigningKeyPair.generate(.rsa(bits: 2048))
    static let ec: SigningKeyPair = try! SigningKeyPair.generate(.ecP256)
    static let rsaNext: SigningKeyPair = try! SigningKeyPair.generate(.rsa(bits: 2048))
    static let issuer = "https://login.example.test/tenant-7/"
    static let audience = "api://connect-ingest"

    static let accountA = "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d"
    static let accountB = "0b0b0b0b-2222-4a5b-9c8d-0e1f2a3b4c5d"

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// A JWKS document with the given (key, kid) pairs.
    static func keySet(_ keys: [(SigningKeyPair, String)]) -> String {
        TokenMinter.keySet(keys.map { $0.0.jwk(kid: $0.1) })
    }

    /// A token signed by `key` (RS256 for RSA, ES256 for EC) with good claims unless overridden.
    static func token(_ key: SigningKeyPair = rsa, kid: String = "rsa-1", issuer: String = issuer,
                      audience: String = audience, expires: Int64? = nil, notBefore: Int64? = nil) -> String {
        let algorithm: SignatureAlgorithm = key.type == .ecP256 ? .es256 : .rs256
        let claims = TokenMinter.claims(issuer: issuer, audiences: [audience], expires: expires ?? now + 3600,
                                        notBefore: notBefore, issuedAt: now)
        return TokenMinter.token(headerJSON: TokenMinter.header(algorithm: algorithm.rawValue, kid: kid),
                                 claimsJSON: claims, algorithm: algorithm, key: key)
    }

    /// The `X-DocuSign-Signature-N` value of `body` under `key`.
    static func signature(_ body: [UInt8], key: String) -> String {
        String(decoding: body.withUnsafeBytes { HMACSHA256.signatureHeaderValue(key: Array(key.utf8), message: $0) }, as: UTF8.self)
    }

    /// A webhook POST of `body` signed with `keys` (one signature header each), naming `account`
    /// in `X-DocuSign-AccountId` (none when nil), with `extraHeaders`.
    static func request(_ body: [UInt8], signedWith keys: [String], account: String? = accountA,
                        extraHeaders: [String] = []) -> [UInt8] {
        var head = "POST /webhooks/docusign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let account { head += "X-DocuSign-AccountId: \(account)\r\n" }
        for (index, key) in keys.enumerated() { head += "X-DocuSign-Signature-\(index + 1): \(signature(body, key: key))\r\n" }
        for header in extraHeaders { head += header + "\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Waits (bounded) until `server`'s standard error holds `count` lines containing `text`.
    static func waitForLines(_ server: ServerProcess, containing text: String, count: Int, timeout: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if server.stderr.components(separatedBy: "\n").filter({ $0.contains(text) }).count >= count { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// The body of `GET /metrics`.
    static func metrics(_ port: UInt16) throws -> String {
        let client = try LoopbackClient(port: port)
        try client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        return try client.readResponse().text
    }
}
