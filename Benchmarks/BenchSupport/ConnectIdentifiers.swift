import IngestSystem
/// Deterministic, unique identifiers and timestamps for generated Connect messages.
///
/// Uniqueness rule: every identifier embeds a serial number through a bijection, so two different
/// serials can never give the same text within one run; the run seed only varies the look of the
/// identifiers between runs (so a second run against the same server log does not collide).
public enum ConnectIdentifiers {
    /// SplitMix64's output function: a bijection on `UInt64`.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A version-4-looking UUID (`8-4-4-4-12` lowercase hex) unique for each `serial` below 2^60
    /// within one `namespace`/`seed`: the last 15 hex digits are `(serial + mix(seed ^ namespace))`
    /// mod 2^60, a bijection of the serial; the rest only varies the look.
    public static func uuid(serial: UInt64, namespace: UInt64, seed: UInt64) -> [UInt8] {
        let salt = mix(seed ^ namespace)
        let high = mix(serial ^ salt ^ 0x5DEE_CE66_D1CE_4E5B)
        let low = (serial &+ salt) & 0x0FFF_FFFF_FFFF_FFFF
        var digits = [UInt8](repeating: 0, count: 32)
        for i in 0..<12 { digits[i] = hexDigit(high >> UInt64(60 - 4 * i)) }
        digits[12] = UInt8(ascii: "4")                                   // version 4
        for i in 13..<16 { digits[i] = hexDigit(high >> UInt64(64 - 4 * i)) }
        digits[16] = hexDigit(0x8 | (high & 0x3))                        // variant 10xx
        for i in 17..<32 { digits[i] = hexDigit(low >> UInt64(4 * (31 - i))) } // 15 digits = 60 bits
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, d) in digits.enumerated() {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            out.append(d)
        }
        return out
    }

    @inline(__always)
    static func hexDigit(_ value: UInt64) -> UInt8 {
        let v = UInt8(truncatingIfNeeded: value & 0xF)
        return v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }

    /// 100-nanosecond ticks since 1970-01-01T00:00:00Z for a civil UTC time.
    public static func ticks(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int64 {
        let days = daysFromCivil(year: year, month: month, day: day)
        return (Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)) * 10_000_000
    }

    /// `YYYY-MM-DDTHH:MM:SS.fffffffZ` (7 fractional digits, as DocuSign writes `generatedDateTime`)
    /// for a count of 100-ns ticks since the Unix epoch (must be >= 0).
    public static func timestamp(ticks: Int64) -> [UInt8] {
        precondition(ticks >= 0, "timestamp before 1970")
        let fraction = Int(ticks % 10_000_000)
        let seconds = ticks / 10_000_000
        let days = Int(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = civilFromDays(days)
        var out: [UInt8] = []
        out.reserveCapacity(28)
        appendDigits(&out, year, width: 4); out.append(UInt8(ascii: "-"))
        appendDigits(&out, month, width: 2); out.append(UInt8(ascii: "-"))
        appendDigits(&out, day, width: 2); out.append(UInt8(ascii: "T"))
        appendDigits(&out, secondOfDay / 3600, width: 2); out.append(UInt8(ascii: ":"))
        appendDigits(&out, secondOfDay / 60 % 60, width: 2); out.append(UInt8(ascii: ":"))
        appendDigits(&out, secondOfDay % 60, width: 2); out.append(UInt8(ascii: "."))
        appendDigits(&out, fraction, width: 7); out.append(UInt8(ascii: "Z"))
        return out
    }

    static func appendDigits(_ out: inout [UInt8], _ value: Int, width: Int) {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
        var v = value
        var i = width - 1
        while i >= 0 { digits[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10; i -= 1 }
        out.append(contentsOf: digits)
    }

    /// Days since 1970-01-01 (see `CivilDate`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        CivilDate.days(year: year, month: month, day: day)
    }

    /// The inverse of `daysFromCivil`.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        CivilDate.date(daysSinceEpoch: days)
    }
}
