import Foundation

/// Connect 2.0 messages built in code, and HTTP requests carrying them.
public enum ConnectMessages {
    /// The two example keys of Tests/Fixtures/corpus/hmac-test-vectors.selfmade.json style: plain strings.
    public static let keyA = "zP9w0dGk7Xq3bRj2Yt8sVn5LcF1mHa6uKe4iOp0TxWg="
    public static let keyB = "Qm7vN2xJ9aLd4kR8tY1cW6pZ3sH0bF5gE2uI7oK9nMe="

    /// A compact ~450-byte envelope event, unique by `n`.
    public static func event(_ n: Int, event: String = "envelope-completed") -> [UInt8] {
        let envelope = String(format: "%08x-0000-4000-8000-%012x", n, n)
        let text = "{\"event\":\"\(event)\",\"apiVersion\":\"v2.1\",\"uri\":\"/restapi/v2.1/accounts/7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d/envelopes/\(envelope)\","
            + "\"retryCount\":0,\"configurationId\":10363315,\"generatedDateTime\":\"2026-11-23T10:00:00.\(String(format: "%07d", n % 10_000_000))Z\","
            + "\"data\":{\"accountId\":\"7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d\",\"userId\":\"a1b2c3d4-2222-4e5f-8a9b-0c1d2e3f4a5b\",\"envelopeId\":\"\(envelope)\",\"recipientId\":\"1\"}}"
        return Array(text.utf8)
    }

    /// The account id the messages built here claim (in the body and in `X-DocuSign-AccountId`).
    public static let accountId = "7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d"

    /// A POST of `body` to `path` with the given signature header values (already base64), an
    /// `X-DocuSign-AccountId` header unless `accountHeader` is nil, and a `Content-Type` header
    /// unless `contentType` is nil.
    public static func request(body: [UInt8], signatures: [String], path: String = "/webhooks/docusign",
                               extraHeaders: [String] = [], accountHeader: String? = accountId,
                               contentType: String? = "application/json") -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "X-Authorization-Digest: HMACSHA256\r\n"
        if let accountHeader { head += "X-DocuSign-AccountId: \(accountHeader)\r\n" }
        for (i, s) in signatures.enumerated() { head += "X-DocuSign-Signature-\(i + 1): \(s)\r\n" }
        for h in extraHeaders { head += h + "\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }
}
