import Dispatch

/// The background thread of sync policy `interval=MS`: calls `tick` every MS milliseconds on a
/// private serial queue until `stop()`.
///
/// `stop()` cancels the timer and then waits for a tick in progress to finish (by running an
/// empty block on the same serial queue), so after it returns `tick` will not run again.
final class IntervalSyncer: @unchecked Sendable {
    private let queue = DispatchQueue(label: "connect-ingest.log.interval-sync")
    private let timer: DispatchSourceTimer

    init(milliseconds: Int, tick: @escaping @Sendable () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(milliseconds), repeating: .milliseconds(milliseconds),
                       leeway: .milliseconds(max(1, milliseconds / 10)))
        timer.setEventHandler(handler: tick)
        timer.resume()
    }

    /// Cancels the timer; with `wait`, also waits out a tick in progress. Never call with
    /// `wait` from inside `tick` (it would wait for itself).
    func stop(wait: Bool = true) {
        timer.cancel()
        if wait { queue.sync {} }
    }
}
