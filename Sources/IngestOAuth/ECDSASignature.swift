/// JWS ES256 signatures are the raw concatenation `r || s` of two 32-byte big-endian integers
/// (RFC 7518 §3.4); OpenSSL verifies the DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
/// This converts the first into the second.
enum ECDSASignature {
    /// The DER encoding of the `r || s` signature in `raw`, or nil unless `raw` is exactly
    /// `2 * coordinateBytes` long. Zero values are encoded (as `02 01 00`) and left for OpenSSL to
    /// reject: a signature with r or s zero never verifies.
    static func der(fromRaw raw: [UInt8], coordinateBytes: Int = 32) -> [UInt8]? {
        guard raw.count == 2 * coordinateBytes else { return nil }
        let r = integer(raw[0..<coordinateBytes])
        let s = integer(raw[coordinateBytes...])
        let body = r + s
        // At most 2 * (2 + 33) = 70 bytes for P-256: the short length form always suffices.
        precondition(body.count < 128, "ECDSA signature body too long for the short DER length form")
        return [0x30, UInt8(body.count)] + body
    }

    /// A DER INTEGER for the unsigned big-endian `magnitude`: leading zero bytes dropped, one
    /// zero byte added when the top bit is set (DER integers are signed).
    private static func integer(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var digits = Array(magnitude.drop { $0 == 0 })
        if digits.isEmpty { digits = [0] }
        if digits[0] & 0x80 != 0 { digits.insert(0, at: 0) }
        return [0x02, UInt8(digits.count)] + digits
    }
}
