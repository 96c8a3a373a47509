#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// A joinable OS thread running one closure (a worker's event loop).
public final class OSThread: @unchecked Sendable {
    private var handle = pthread_t()
    private let body: @Sendable () -> Void
    private let name: String

    private init(name: String, body: @escaping @Sendable () -> Void) { self.name = String(name.utf8.prefix(15))!; self.body = body }

    /// Starts a thread named `name` (shown by `top -H`, truncated to 15 bytes).
    /// The corresponding C function is `pthread_create`.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(Errno) -> OSThread {
        let thread = OSThread(name: name, body: body)
        let context = Unmanaged.passRetained(thread).toOpaque()
        let rc = pthread_create(&thread.handle, nil, { context in
            let thread = Unmanaged<OSThread>.fromOpaque(context!).takeRetainedValue()
            _ = cl_set_thread_name(thread.name)
            thread.body()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<OSThread>.fromOpaque(context).release()
            throw Errno(rawValue: rc)
        }
        return thread
    }

    /// Waits for the thread to finish. The corresponding C function is `pthread_join`.
    public func join() {
        pthread_join(handle, nil)
    }
}
