import IngestSystem

/// Which boot of the machine this is: Linux's random per-boot UUID. The index records it while
/// open; an index left open (not closed cleanly) by an earlier boot may have pages that never
/// reached the disk (a power cut or a kernel crash), so it is rebuilt rather than trusted.
public struct BootIdentity: Equatable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// This boot's identity, from `/proc/sys/kernel/random/boot_id`; nil if it cannot be read.
    public static func current() -> BootIdentity? {
        guard let fd = try? FileDescriptor.open("/proc/sys/kernel/random/boot_id", .readOnly) else { return nil }
        defer { fd.close() }
        var text = [UInt8](repeating: 0, count: 64)
        let count: Int = text.withUnsafeMutableBytes { (try? fd.read(into: $0)) ?? 0 }
        var digits: [UInt8] = []
        for byte in text.prefix(count) {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(byte - UInt8(ascii: "a") + 10)
            default: continue
            }
        }
        guard digits.count == 32 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, digit) in digits.enumerated() {
            if index < 16 { high = high << 4 | UInt64(digit) } else { low = low << 4 | UInt64(digit) }
        }
        return BootIdentity(high: high, low: low)
    }
}
