/// Carries one value out of a client thread: written once by the thread, read once after
/// `OSThread.join()`.
///
/// `@unchecked Sendable` because the compiler cannot see the ordering: `pthread_join` makes the
/// thread's write happen-before the joiner's read, and nothing else touches the slot.
public final class ResultSlot<Value>: @unchecked Sendable {
    private var stored: Value?

    public init() {}

    public func put(_ value: Value) {
        precondition(stored == nil, "ResultSlot written twice")
        stored = value
    }

    /// The value; traps if the thread never wrote it (a bug: every thread writes before exiting).
    public func take() -> Value {
        guard let value = stored else { fatalError("ResultSlot read before the thread wrote it") }
        stored = nil
        return value
    }
}
