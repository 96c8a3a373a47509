import COpenSSL
import IngestDedup
import IngestTestSupport
import XCTest

/// BLAKE2b against RFC 7693's own vectors, and against OpenSSL's BLAKE2b-512 over random inputs
/// fed in random pieces (the streaming logic: block boundaries, the held-back last block).
final class BLAKE2bTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func digest(_ message: [UInt8], length: Int = 64, key: [UInt8] = []) -> [UInt8] {
        message.withUnsafeBytes { m in
            key.withUnsafeBytes { k in BLAKE2b.hash(m, digestLength: length, key: key.isEmpty ? nil : k) }
        }
    }

    /// RFC 7693 Appendix A: BLAKE2b-512("abc").
    func testRFC7693AppendixA() {
        XCTAssertEqual(hex(digest(Array("abc".utf8))),
                       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                       + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    /// RFC 7693 Appendix E: the self-test's grand hash over digest lengths 20/32/48/64, input
    /// lengths 0/3/128/129/255/1024, unkeyed and keyed, with the RFC's byte sequence generator.
    func testRFC7693AppendixESelfTest() {
        func sequence(_ length: Int, seed: UInt32) -> [UInt8] {
            var a = 0xDEAD_4BAD &* seed, b: UInt32 = 1
            return (0..<length).map { _ in
                let t = a &+ b
                a = b
                b = t
                return UInt8(truncatingIfNeeded: t >> 24)
            }
        }
        var grand = BLAKE2b(digestLength: 32)
        for digestLength in [20, 32, 48, 64] {
            for inputLength in [0, 3, 128, 129, 255, 1024] {
                let input = sequence(inputLength, seed: UInt32(inputLength))
                digest(input, length: digestLength).withUnsafeBytes { grand.update($0) }
                let key = sequence(digestLength, seed: UInt32(digestLength))
                digest(input, length: digestLength, key: key).withUnsafeBytes { grand.update($0) }
            }
        }
        var result = [UInt8](repeating: 0, count: 32)
        result.withUnsafeMutableBytes { grand.finalize(into: $0) }
        XCTAssertEqual(hex(result), "c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475")
    }

    /// The 16-byte digests the message id uses (values from Python's hashlib.blake2b with
    /// digest_size=16, an independent implementation of the same RFC).
    func testSixteenByteDigests() {
        XCTAssertEqual(hex(digest([], length: 16)), "cae66941d9efbd404e4d88758ea67670")
        XCTAssertEqual(hex(digest(Array("abc".utf8), length: 16)), "cf4ab791c62b8d2b2109c90275287816")
        let ramp = (0..<1024).map { UInt8(truncatingIfNeeded: $0) }
        XCTAssertEqual(hex(digest(ramp, length: 16)), "0b4661484ed1cc8e28c4a7f18e8b1019")
        var state = BLAKE2b(digestLength: 16)
        ramp.withUnsafeBytes { state.update($0) }
        let words = state.finalizeAs128()
        XCTAssertEqual(String(format: "%016llx%016llx", words.high, words.low), "0b4661484ed1cc8e28c4a7f18e8b1019")
    }

    /// Random messages (0...700 bytes, so 0 to 6 blocks and every boundary case), each fed in
    /// random pieces, against OpenSSL's EVP BLAKE2b-512 over the whole message.
    func testMatchesOpenSSLOverRandomSplits() {
        let seed: UInt64 = 0xB1A4E2B
        var random = SeededRandom(seed: seed)
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        for round in 0..<600 {
            let length = round < 300 ? round : Int(random.next() % 701)
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            var expected = [UInt8](repeating: 0, count: 64)
            var outLength: UInt32 = 0
            EVP_DigestInit_ex(context, EVP_blake2b512(), nil)
            message.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            EVP_DigestFinal_ex(context, &expected, &outLength)

            var state = BLAKE2b()
            var offset = 0
            message.withUnsafeBytes { bytes in
                while offset < length {
                    let piece = min(length - offset, Int(random.next() % 200))
                    state.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + piece)]))
                    offset += piece
                }
            }
            var actual = [UInt8](repeating: 0, count: 64)
            actual.withUnsafeMutableBytes { state.finalize(into: $0) }
            XCTAssertEqual(actual, expected, "length \(length), round \(round), seed \(seed)")
            if actual != expected { return }
        }
    }
}
