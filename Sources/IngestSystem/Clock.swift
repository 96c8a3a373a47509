#if canImport(Glibc)
import Glibc
#endif

/// Time sources. Loops read the clock once per pass, never per request.
public enum Clock {
    /// Monotonic nanoseconds (`CLOCK_MONOTONIC`), for timeouts and latency.
    @inline(__always) public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Wall-clock nanoseconds since the Unix epoch (`CLOCK_REALTIME`), for receive times.
    @inline(__always) public static func wallNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// The number of CPUs online, at least 1.
    public static var availableProcessors: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
