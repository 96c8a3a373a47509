import Foundation
import IngestHMAC

/// Micro-benchmarks for IngestHMAC: the per-message verification the server does, against raw
/// SHA-256 of the same bytes (the floor) and OpenSSL's one-shot `HMAC()` (what a naive listener
/// would call per request). Every timed loop checks its own answer.
///
/// Per message: `begin()`, two signature headers (the other key's first, as during rotation, then
/// the matching one), the body, `finish()`. Bodies are 450 B (a bare event), 4 KB (with envelope
/// summary) and 1 MB (documents included; fed in 64 KB pieces as a socket would deliver it).
func runHMACMicro(minimumSeconds: Double) -> [MicroResult] {
    let key = Array("K4vZ3oQ1v0m9b2XkTQ8Wn6YpRr5sUu7wAa1Bc2De3Fg=".utf8)
    let otherKey = Array("second-rotation-key-EXAMPLE-ONLY-000000000=".utf8)
    var results: [MicroResult] = []
    for (label, size) in [("450B", 450), ("4KB", 4096), ("1MB", 1 << 20)] {
        let body = HMACMicroBody.make(count: size)
        let batch = size >= 1 << 20 ? 1 : size >= 4096 ? 200 : 1000
        let piece = size >= 1 << 20 ? 64 * 1024 : size
        let signatures = [HMACSHA256.signatureHeaderValue(key: otherKey, message: body),
                          HMACSHA256.signatureHeaderValue(key: key, message: body)]

        for keyCount in size >= 1 << 20 ? [1] : [1, 2] {
            let keys = SigningKeys(secrets: keyCount == 1 ? [key] : [otherKey, key])
            let authenticator = MessageAuthenticator(keys: keys)
            var verified = 0
            let timing = body.withUnsafeBytes { bodyBytes in
                signatures[0].withUnsafeBytes { first in
                    signatures[1].withUnsafeBytes { second in
                        measure(minimumSeconds: minimumSeconds, batch: batch) {
                            for _ in 0..<batch {
                                authenticator.begin()
                                authenticator.addCandidateSignature(first)
                                authenticator.addCandidateSignature(second)
                                var offset = 0
                                while offset < bodyBytes.count {
                                    let end = min(bodyBytes.count, offset + piece)
                                    authenticator.update(UnsafeRawBufferPointer(rebasing: bodyBytes[offset..<end]))
                                    offset = end
                                }
                                if authenticator.finish() { verified += 1 }
                            }
                        }
                    }
                }
            }
            precondition(verified == timing.operations + batch, "HMAC micro: \(verified) of \(timing.operations + batch) verified")
            results.append(MicroResult(name: "hmac verify \(label), \(keyCount) key\(keyCount == 1 ? "" : "s"), 2 sigs",
                                       bytesPerOperation: size, operations: timing.operations, nanoseconds: timing.nanoseconds,
                                       note: "all verified"))
        }

        // The floor: SHA-256 of the same bytes through the same OpenSSL block function.
        let expectedHash = body.withUnsafeBytes { SHA256Digest.compute($0) }
        var output = [UInt8](repeating: 0, count: SHA256Digest.byteCount)
        var correct = 0
        let raw = body.withUnsafeBytes { bodyBytes in
            output.withUnsafeMutableBytes { out in
                measure(minimumSeconds: minimumSeconds, batch: batch) {
                    for _ in 0..<batch {
                        SHA256Digest.compute(bodyBytes, into: out)
                        if out[0] == expectedHash[0] && out[31] == expectedHash[31] { correct += 1 }
                    }
                }
            }
        }
        precondition(output == expectedHash && correct == raw.operations + batch, "SHA-256 micro: wrong digest")
        results.append(MicroResult(name: "raw sha256 \(label)", bytesPerOperation: size, operations: raw.operations,
                                   nanoseconds: raw.nanoseconds, note: "digest checked"))

        // For context: OpenSSL's one-shot HMAC() per message (re-keys and allocates every call).
        if size < 1 << 20 {
            var matching = 0
            let expected = Base64.decode(signatures[1])!
            let oneShot = body.withUnsafeBytes { bodyBytes in
                measure(minimumSeconds: minimumSeconds, batch: batch) {
                    for _ in 0..<batch {
                        let code = HMACSHA256.authenticationCode(key: key, message: bodyBytes)
                        if code == expected { matching += 1 }
                    }
                }
            }
            precondition(matching == oneShot.operations + batch, "one-shot HMAC micro: wrong code")
            results.append(MicroResult(name: "openssl HMAC() one-shot \(label)", bytesPerOperation: size,
                                       operations: oneShot.operations, nanoseconds: oneShot.nanoseconds,
                                       note: "code checked; allocates"))
        }
    }
    results += runAccountKeyMicro(minimumSeconds: minimumSeconds)
    return results
}

/// Per-account keys: a 450 B message whose account has one key, with 1,000 other accounts of two
/// keys each loaded, against the same message with one global key. Both parse the
/// `X-DocuSign-AccountId` value per message, as the server does; the difference is the account
/// lookup. Interleaved rounds, medians reported.
func runAccountKeyMicro(minimumSeconds: Double) -> [MicroResult] {
    let key = Array("K4vZ3oQ1v0m9b2XkTQ8Wn6YpRr5sUu7wAa1Bc2De3Fg=".utf8)
    let accountText = Array("7d6f3c2a-1111-4a5b-9c8d-0e1f2a3b4c5d".utf8)
    let account = accountText.withUnsafeBytes { AccountID(text: $0) }!
    var random = SystemRandomNumberGenerator()
    var accounts: [(account: AccountID, secrets: [[UInt8]])] = [(account, [key])]
    for _ in 0..<1000 {
        accounts.append((AccountID(high: random.next(), low: random.next()),
                         [(0..<44).map { _ in UInt8.random(in: 65...90) }, (0..<44).map { _ in UInt8.random(in: 65...90) }]))
    }
    let body = HMACMicroBody.make(count: 450)
    let signature = HMACSHA256.signatureHeaderValue(key: key, message: body)
    let variants: [(String, SigningKeys)] = [
        ("hmac 450B, 1 global key, acct parsed", SigningKeys(secrets: [key])),
        ("hmac 450B, acct key, 1,001 accounts", SigningKeys(global: [], accounts: accounts)),
    ]
    let authenticators = variants.map { MessageAuthenticator(keys: $0.1) }
    var rounds: [[Double]] = [[], []]
    var operations = [0, 0]
    let roundCount = 11
    let roundSeconds = max(0.02, minimumSeconds / Double(roundCount))
    for _ in 0..<roundCount {
        for (index, authenticator) in authenticators.enumerated() {
            var verified = 0
            let timing = body.withUnsafeBytes { bodyBytes in
                signature.withUnsafeBytes { signatureBytes in
                    accountText.withUnsafeBytes { header in
                        measure(minimumSeconds: roundSeconds, batch: 1000) {
                            for _ in 0..<1000 {
                                authenticator.begin(account: AccountID(text: header))
                                authenticator.addCandidateSignature(signatureBytes)
                                authenticator.update(bodyBytes)
                                if authenticator.finish() { verified += 1 }
                            }
                        }
                    }
                }
            }
            precondition(verified == timing.operations + 1000, "account-key micro: \(verified) verified")
            rounds[index].append(timing.nanoseconds / Double(timing.operations))
            operations[index] += timing.operations
        }
    }
    let ratios = zip(rounds[1], rounds[0]).map { $0 / $1 }.sorted()
    return variants.indices.map { index in
        let median = rounds[index].sorted()[rounds[index].count / 2]
        let note = index == 0 ? "median of \(roundCount) interleaved rounds"
            : "median of \(roundCount) interleaved rounds; per-round ratio to 1 global key: median \(String(format: "%.3f", ratios[ratios.count / 2]))"
        return MicroResult(name: variants[index].0, bytesPerOperation: 450, operations: operations[index],
                           nanoseconds: median * Double(operations[index]), note: note)
    }
}

/// A deterministic JSON-looking body of an exact size (content does not affect hashing speed).
enum HMACMicroBody {
    static func make(count: Int) -> [UInt8] {
        let prefix = Array(#"{"event":"envelope-completed","apiVersion":"v2.1","configurationId":10363315,"data":{"filler":""#.utf8)
        var body = prefix
        var state: UInt32 = 12345
        while body.count < count - 3 {
            state = state &* 1_103_515_245 &+ 12345
            body.append(UInt8(ascii: "a") + UInt8(truncatingIfNeeded: state >> 16) % 26)
        }
        body += Array(#""}}"#.utf8)
        return Array(body.prefix(count))
    }
}
