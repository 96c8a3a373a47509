#if canImport(Glibc)
import Glibc
#endif

/// Process signals handled synchronously: blocked in every thread and collected with `sigwait`
/// by one thread, so no code runs in an asynchronous signal handler.
public enum Signals {
    /// Blocks `signals` in the calling thread and every thread it creates afterwards. Call on the
    /// main thread before starting workers. Also ignores SIGPIPE: a peer closing is an `EPIPE`.
    public static func block(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Waits until one of `signals` (already blocked) arrives and returns it.
    /// The corresponding C function is `sigwait`.
    public static func wait(for signals: [Int32]) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
