import CLinux
import IngestTestSupport
import XCTest

final class CRC32CTests: XCTestCase {
    func testKnownVector() {
        let input = Array("123456789".utf8)
        XCTAssertEqual(cl_crc32c(0, input, input.count), 0xE306_9283)
        XCTAssertEqual(cl_crc32c_software(0, input, input.count), 0xE306_9283)
        XCTAssertEqual(cl_crc32c(0, input, 0), 0)
    }

    /// RFC 3720 (iSCSI) B.4 test vectors.
    func testRFC3720Vectors() {
        XCTAssertEqual(cl_crc32c(0, [UInt8](repeating: 0, count: 32), 32), 0x8A91_36AA)
        XCTAssertEqual(cl_crc32c(0, [UInt8](repeating: 0xFF, count: 32), 32), 0x62A8_AB43)
        let ascending = (0..<32).map { UInt8($0) }
        XCTAssertEqual(cl_crc32c(0, ascending, 32), 0x46DD_794E)
    }

    /// Hardware (with its three-stream path) and table agree for every length and alignment,
    /// and continuing a CRC over a split input equals the CRC of the whole.
    func testHardwareMatchesSoftwareAndContinuation() {
        var rng = SeededRandom(seed: 0xC3C3)
        let data = (0..<9000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        data.withUnsafeBytes { raw in
            for offset in 0..<8 {
                for length in stride(from: 0, to: 8900, by: offset == 0 ? 1 : 61) {
                    let p = raw.baseAddress! + offset
                    let whole = cl_crc32c(0, p, length)
                    XCTAssertEqual(whole, cl_crc32c_software(0, p, length), "offset \(offset) length \(length) seed \(rng.seed)")
                    let cut = length / 3
                    XCTAssertEqual(cl_crc32c(cl_crc32c(0, p, cut), p + cut, length - cut), whole, "split at \(cut) of \(length)")
                }
            }
        }
        print("crc32c hardware: \(cl_crc32c_is_hardware())")
    }
}
