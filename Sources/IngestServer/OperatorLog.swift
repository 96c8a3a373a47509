#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public enum LogFormat: String, Sendable, CaseIterable { case text, json }
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warn, error
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    public init?(name: String) {
        switch name { case "debug": self = .debug; case "info": self = .info
        case "warn", "warning": self = .warn; case "error": self = .error; default: return nil }
    }
    var name: String { switch self { case .debug: "debug"; case .info: "info"; case .warn: "warn"; case .error: "error" } }
}

/// One line per notable event on standard error, as text (`key=value`) or JSON.
///
/// Never given key material, passwords or bodies: callers pass only counts, reasons, peers and
/// field names. Each line is a single `write(2)` so lines from several threads never interleave.
/// Lines about individual bad requests are limited per worker per second by `RateLimiter`; the
/// rest are counted and reported in the next summary.
public final class OperatorLog: Sendable {
    public let format: LogFormat
    public let level: LogLevel

    public init(format: LogFormat, level: LogLevel) {
        self.format = format
        self.level = level
    }

    public func debug(_ event: String, _ fields: [(String, String)] = []) { emit(.debug, event, fields) }
    public func info(_ event: String, _ fields: [(String, String)] = []) { emit(.info, event, fields) }
    public func warn(_ event: String, _ fields: [(String, String)] = []) { emit(.warn, event, fields) }
    public func error(_ event: String, _ fields: [(String, String)] = []) { emit(.error, event, fields) }

    public func emit(_ level: LogLevel, _ event: String, _ fields: [(String, String)]) {
        guard level >= self.level else { return }
        let time = OperatorLog.timestamp()
        var line: String
        switch format {
        case .text:
            line = "\(time) level=\(level.name) event=\(event)"
            for (key, value) in fields { line += " \(key)=\(OperatorLog.quoteIfNeeded(value))" }
        case .json:
            line = "{\"time\":\"\(time)\",\"level\":\"\(level.name)\",\"event\":\(OperatorLog.jsonString(event))"
            for (key, value) in fields { line += ",\(OperatorLog.jsonString(key)):\(OperatorLog.jsonString(value))" }
            line += "}"
        }
        line += "\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
                offset += n
            }
        }
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
    }

    static func quoteIfNeeded(_ value: String) -> String {
        if !value.isEmpty && !value.utf8.contains(where: { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 >= 0x7F }) { return value }
        return jsonString(value)
    }

    /// A JSON string literal for `value`.
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Allows a bounded number of lines per second; counts the rest. Owned by one worker thread.
final class RateLimiter {
    private let perSecond: Int
    private var windowStart: Int64 = 0
    private var used = 0
    private(set) var suppressed = 0

    init(perSecond: Int) { self.perSecond = perSecond }

    /// True when a line may be written now (`now` in monotonic nanoseconds).
    func allow(now: Int64) -> Bool {
        if now - windowStart >= 1_000_000_000 {
            windowStart = now
            used = 0
        }
        if used < perSecond { used += 1; return true }
        suppressed += 1
        return false
    }

    /// Returns and resets the count of suppressed lines.
    func takeSuppressed() -> Int {
        defer { suppressed = 0 }
        return suppressed
    }
}
