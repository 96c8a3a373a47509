import IngestHMAC

/// Convenience for driving the pointer-based API from arrays in tests.
extension MessageAuthenticator {
    /// One whole message: begin, offer `signatures` in order, feed `pieces` in order, finish.
    func verdict(signatures: [[UInt8]], pieces: [ArraySlice<UInt8>]) -> SignatureVerdict {
        begin()
        for signature in signatures {
            signature.withUnsafeBytes { addCandidateSignature($0) }
        }
        for piece in pieces {
            piece.withUnsafeBytes { update($0) }
        }
        return finishWithVerdict()
    }

    /// One whole message with the body in one piece.
    func verdict(signatures: [[UInt8]], body: [UInt8]) -> SignatureVerdict {
        verdict(signatures: signatures, pieces: [body[...]])
    }

    /// The same through the Bool-returning `finish()`.
    func verifies(signatures: [[UInt8]], body: [UInt8]) -> Bool {
        begin()
        for signature in signatures {
            signature.withUnsafeBytes { addCandidateSignature($0) }
        }
        body.withUnsafeBytes { update($0) }
        return finish()
    }
}

extension String {
    /// The UTF-8 bytes.
    var bytes: [UInt8] { Array(utf8) }
}

/// Bytes from a hex string (test vectors).
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8).filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }
    precondition(digits.count % 2 == 0, "odd hex length")
    func value(_ d: UInt8) -> UInt8 {
        switch d {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return d - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return d - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return d - UInt8(ascii: "A") + 10
        default: preconditionFailure("bad hex digit \(d)")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
}

/// A signature header value with one bit of its decoded digest flipped (still well-formed).
func flippingOneBit(ofSignature signature: [UInt8], bit: Int = 0) -> [UInt8] {
    var digest = Base64.decode(signature)!
    digest[bit / 8] ^= UInt8(1 << (bit % 8))
    return Base64.encode(digest)
}
