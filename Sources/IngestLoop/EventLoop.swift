import IngestSystem

/// What an `EventLoop` drives. Implemented by the server's worker; tests use an echo driver.
///
/// All methods are called on the loop's own thread, never concurrently.
public protocol LoopDriver: AnyObject {
    /// A registration is ready. `token` is what it was registered with.
    func handle(token: UInt64, events: EpollInterest, now: Int64)
    /// Called once after every pass's events are handled, before the loop sleeps again. This is
    /// the barrier where a server makes the pass's work durable and only then answers (the
    /// moral equivalent of redis's `beforeSleep`): nothing a pass produced is acknowledged
    /// before this returns.
    func endOfPass(now: Int64)
    /// Called at least every `tickInterval` (monotonic nanoseconds) for timeouts.
    func tick(now: Int64)
    /// Another thread called `EventLoop.wake()` (for example to begin shutdown).
    func woken(now: Int64)
    /// When true after a pass, `run` returns.
    var isFinished: Bool { get }
    /// Work that no descriptor will signal (input a TLS library already buffered): while true,
    /// the loop does not sleep in `epoll_wait`, and calls `runDeferredWork` each pass.
    var hasDeferredWork: Bool { get }
    /// Called each pass after the events and before `endOfPass`, while `hasDeferredWork`.
    func runDeferredWork(now: Int64)
}

extension LoopDriver {
    public var hasDeferredWork: Bool { false }
    public func runDeferredWork(now: Int64) {}
}

/// One epoll-driven loop, owned by one worker thread for its whole life.
///
/// Registrations use level-triggered epoll: a driver may read once per readable event and
/// leave the rest for the next pass, which spreads one pass's work over every ready connection
/// and so lets one durable commit cover all of them.
public final class EventLoop: @unchecked Sendable {
    /// The token reserved for the wake-up descriptor.
    public static let wakeToken: UInt64 = .max

    public let epoll: Epoll
    private let wakeup: EventFD
    private let tickIntervalNanoseconds: Int64

    /// - Parameter tickIntervalMilliseconds: upper bound on the time between `tick` calls.
    public init(maxEventsPerWait: Int = 512, tickIntervalMilliseconds: Int = 250) throws(Errno) {
        epoll = try Epoll(maxEventsPerWait: maxEventsPerWait)
        wakeup = try EventFD()
        tickIntervalNanoseconds = Int64(max(1, tickIntervalMilliseconds)) * 1_000_000
        try epoll.add(wakeup.descriptor, interest: .readable, token: EventLoop.wakeToken)
    }

    /// Wakes the loop from any thread; its driver's `woken` runs on the loop thread.
    public func wake() { wakeup.signal() }

    /// Runs passes until the driver reports `isFinished`. Must be called on the owning thread.
    public func run<Driver: LoopDriver>(_ driver: Driver) throws(Errno) {
        var nextTick = Clock.monotonicNanoseconds() + tickIntervalNanoseconds
        while !driver.isFinished {
            let before = Clock.monotonicNanoseconds()
            let waitMilliseconds = driver.hasDeferredWork
                ? 0 : Int32(clamping: max(0, (nextTick - before + 999_999) / 1_000_000))
            let ready = try epoll.wait(timeoutMilliseconds: waitMilliseconds)
            let now = Clock.monotonicNanoseconds()
            for index in 0..<ready {
                let token = epoll.token(at: index)
                if token == EventLoop.wakeToken {
                    wakeup.drain()
                    driver.woken(now: now)
                } else {
                    driver.handle(token: token, events: epoll.interest(at: index), now: now)
                }
            }
            if driver.hasDeferredWork { driver.runDeferredWork(now: now) }
            driver.endOfPass(now: now)
            if now >= nextTick {
                driver.tick(now: now)
                nextTick = now + tickIntervalNanoseconds
            }
        }
    }
}
