@testable import IngestOAuth
import IngestTestSupport
import XCTest

/// Signature verification with libcrypto: the RFC 7515 example tokens (keys and signatures made
/// by others), round trips for every accepted algorithm, and the ES256 raw-to-DER conversion
/// checked against OpenSSL's own DER parser.
final class SignatureTests: XCTestCase {
    // RFC 7515 Appendix A.2 (RS256) and A.3 (ES256): public keys, signing inputs, signatures.
    static let a2Modulus = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
    static let payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let a2Input = "eyJhbGciOiJSUzI1NiJ9." + payload
    static let a2Signature = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"
    static let a3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
    static let a3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    static let a3Input = "eyJhbGciOiJFUzI1NiJ9." + payload
    static let a3Signature = "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"

    func testRFC7515ExamplesVerifyAndOneFlippedBitDoesNot() throws {
        let rsa = try PublicKey.rsa(modulus: Base64URL.decode(Self.a2Modulus)!, exponent: Base64URL.decode("AQAB")!)
        XCTAssertEqual(rsa.bits, 2048)
        let ec = try PublicKey.ecP256(x: Base64URL.decode(Self.a3X)!, y: Base64URL.decode(Self.a3Y)!)
        let cases: [(PublicKey, SignatureAlgorithm, String, String)] = [
            (rsa, .rs256, Self.a2Input, Self.a2Signature), (ec, .es256, Self.a3Input, Self.a3Signature),
        ]
        for (key, algorithm, input, signatureText) in cases {
            let signature = Base64URL.decode(signatureText)!
            XCTAssertTrue(verify(key, algorithm, input, signature), "\(algorithm)")
            for bit in [0, 7, signature.count * 4, signature.count * 8 - 1] {
                var flipped = signature
                flipped[bit / 8] ^= UInt8(1 << (bit % 8))
                XCTAssertFalse(verify(key, algorithm, input, flipped), "\(algorithm) bit \(bit)")
            }
            XCTAssertFalse(verify(key, algorithm, input + "A", signature), "\(algorithm) changed input")
            XCTAssertFalse(verify(key, algorithm, input, Array(signature.dropLast())), "\(algorithm) short signature")
            XCTAssertFalse(verify(key, algorithm, input, signature + [0]), "\(algorithm) long signature")
        }
        XCTAssertFalse(verify(rsa, .rs384, Self.a2Input, Base64URL.decode(Self.a2Signature)!), "another hash")
        XCTAssertFalse(verify(rsa, .ps256, Self.a2Input, Base64URL.decode(Self.a2Signature)!), "PSS is not PKCS #1 v1.5")
        XCTAssertFalse(verify(rsa, .es256, Self.a3Input, Base64URL.decode(Self.a3Signature)!), "ES256 on an RSA key")
        XCTAssertFalse(verify(ec, .rs256, Self.a2Input, Base64URL.decode(Self.a2Signature)!), "RS256 on an EC key")
    }

    func testEveryAlgorithmRoundTripsWithGeneratedKeys() {
        for algorithm in SignatureAlgorithm.allCases {
            let pair = algorithm == .es256 ? TestKeys.ec : TestKeys.rsa
            let other = algorithm == .es256 ? TestKeys.ecOther : TestKeys.rsaOther
            let input = "header.payload-\(algorithm.rawValue)"
            let signature = pair.sign(algorithm, Array(input.utf8))
            XCTAssertEqual(signature.count, algorithm == .es256 ? 64 : 256)
            XCTAssertTrue(verify(pair.publicKey, algorithm, input, signature), "\(algorithm)")
            XCTAssertFalse(verify(other.publicKey, algorithm, input, signature), "\(algorithm) under another key")
        }
    }

    func testRawToDERAgreesWithOpenSSLsParser() {
        // Random r || s, including values with leading zero bytes and with the top bit set (the
        // two cases DER integers encode specially): converting to DER and parsing that DER with
        // OpenSSL's d2i_ECDSA_SIG gives back the same 64 bytes.
        let seed: UInt64 = 0xEC_DE_0001
        var random = SeededRandom(seed: seed)
        for round in 0..<500 {
            var raw = (0..<64).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            switch round % 4 {
            case 0: raw[0] = 0; raw[1] = UInt8(random.next() % 2 == 0 ? 0 : 0x80)
            case 1: raw[32] = 0; raw[33] = 0
            case 2: raw[0] |= 0x80; raw[32] |= 0x80
            default: break
            }
            if raw[0] == 0 && raw[1] == 0 { raw[2] |= 1 }   // keep r non-zero
            let der = ECDSASignature.der(fromRaw: raw)!
            XCTAssertEqual(SigningKeyPair.rawECDSA(fromDER: der), raw, "seed \(seed) round \(round)")
        }
        XCTAssertNil(ECDSASignature.der(fromRaw: [UInt8](repeating: 1, count: 63)))
        XCTAssertNil(ECDSASignature.der(fromRaw: [UInt8](repeating: 1, count: 65)))
    }

    func testKeysThatMustNotImport() throws {
        let small = try SigningKeyPair.generate(.rsa(bits: 1024))
        let smallJWK = JSONValue.parse(Array(small.jwk(kid: nil).utf8))!
        XCTAssertThrowsError(try PublicKey.rsa(modulus: Base64URL.decode(smallJWK["n"]!.stringValue!)!,
                                               exponent: Base64URL.decode("AQAB")!)) { error in
            XCTAssertTrue("\(error)".contains("too small"), "\(error)")
        }
        var y = Base64URL.decode(Self.a3Y)!
        y[31] ^= 1
        XCTAssertThrowsError(try PublicKey.ecP256(x: Base64URL.decode(Self.a3X)!, y: y), "a point off the curve")
        XCTAssertThrowsError(try PublicKey.ecP256(x: [1] + Base64URL.decode(Self.a3X)!, y: Base64URL.decode(Self.a3Y)!))
    }

    private func verify(_ key: PublicKey, _ algorithm: SignatureAlgorithm, _ input: String, _ signature: [UInt8]) -> Bool {
        Array(input.utf8).withUnsafeBytes { key.verify(algorithm, signingInput: $0, signature: signature) }
    }
}
