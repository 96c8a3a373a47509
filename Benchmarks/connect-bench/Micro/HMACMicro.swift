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
    return results
}

/// A deterministic JSON-looking body of an exact size (content does not affect hashing speed).
private enum HMACMicroBody {
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
