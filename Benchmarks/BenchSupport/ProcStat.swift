#if canImport(Glibc)
import Glibc
#endif

/// CPU time a process has used, from `/proc/PID/stat` (all its threads; clock ticks).
public enum ProcStat {
    /// `utime + stime` of `pid` in seconds, or nil if the process is gone or unreadable.
    public static func cpuSeconds(pid: Int32) -> Double? {
        guard let text = readFile("/proc/\(pid)/stat"), let ticks = cpuTicks(statLine: text) else { return nil }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `utime + stime` (fields 14 and 15) from a `/proc/PID/stat` line. The command name (field 2)
    /// is in parentheses and may itself contain spaces or `)`, so fields are counted after the
    /// last `)`.
    public static func cpuTicks(statLine: String) -> UInt64? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // After ")" come fields 3 (state), 4, ...: utime is field 14 -> index 11, stime index 12.
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        return user + system
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: bytes[0..<n], as: UTF8.self)
    }
}
