import Foundation
import IngestLoop
import IngestSystem
import XCTest

/// Work no descriptor will signal (input a TLS library already buffered) keeps the loop from
/// sleeping: each pass runs it before the pass barrier, until there is none left.
final class EventLoopDeferredWorkTests: XCTestCase {
    final class DeferringDriver: LoopDriver, @unchecked Sendable {
        var remaining: Int
        var deferredRuns = 0
        var passes = 0
        var order: [String] = []
        var isFinished = false

        init(remaining: Int) { self.remaining = remaining }

        func handle(token: UInt64, events: EpollInterest, now: Int64) {}
        var hasDeferredWork: Bool { remaining > 0 }
        func runDeferredWork(now: Int64) {
            deferredRuns += 1
            remaining -= 1
            order.append("deferred")
        }
        func endOfPass(now: Int64) {
            passes += 1
            order.append("end")
            if remaining == 0 { isFinished = true }
        }
        func tick(now: Int64) {}
        func woken(now: Int64) { isFinished = true }
    }

    func testDeferredWorkRunsEachPassBeforeTheBarrierWithoutWaitingForEvents() throws {
        // Ticks every 60 s and no descriptor ever becomes ready: only deferred work can make
        // the loop pass again.
        let loop = try EventLoop(tickIntervalMilliseconds: 60_000)
        let driver = DeferringDriver(remaining: 5)
        let done = DispatchSemaphore(value: 0)
        let thread = try OSThread.start(name: "deferred") { try? loop.run(driver); done.signal() }
        if done.wait(timeout: .now() + 30) == .timedOut {
            loop.wake()   // unblock the loop so the test ends; the assertions below then fail
            XCTFail("the loop slept although deferred work was pending")
        }
        thread.join()
        XCTAssertEqual(driver.deferredRuns, 5)
        // The first pass follows the first (immediate, 0 ms) wait; each pass runs the deferred
        // work before its end-of-pass barrier.
        XCTAssertEqual(Array(driver.order.prefix(4)), ["deferred", "end", "deferred", "end"])
        XCTAssertEqual(driver.passes, 5)
    }
}
