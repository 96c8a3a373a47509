#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// `CLOCK_MONOTONIC` in unsigned nanoseconds (IngestSystem's `Clock`, a vDSO call): the one clock
/// for schedules and latencies. Values are only meaningful relative to each other.
public enum MonotonicClock {
    @inline(__always)
    public static func now() -> UInt64 {
        UInt64(Clock.monotonicNanoseconds())
    }

    /// Sleeps until `deadline` (absolute, monotonic nanoseconds); returns at once if it passed.
    public static func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
