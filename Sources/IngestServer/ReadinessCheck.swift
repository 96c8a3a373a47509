#if canImport(Glibc)
import Glibc
#endif

/// Decides whether the server should take webhooks: the log folder is writable and its file
/// system has more than `minFreeBytes` free. Run about once a second by worker 0; the result is
/// read by every worker with one relaxed atomic load per webhook.
enum ReadinessCheck {
    static func update(_ state: ServerState) {
        let reason = problem(directory: state.configuration.logDirectory, minFreeBytes: state.configuration.minFreeBytes)
        let wasReady = state.isReady.load(ordering: .relaxed)
        state.isReady.store(reason == nil, ordering: .relaxed)
        state.notReadyReason.withLock { $0 = reason }
        if wasReady, let reason {
            state.operatorLog.error("not_ready", [("reason", reason)])
        } else if !wasReady && reason == nil {
            state.operatorLog.info("ready")
        }
    }

    /// nil when ready, otherwise why not.
    static func problem(directory: String, minFreeBytes: Int64) -> String? {
        if access(directory, W_OK) != 0 {
            return "log folder \(directory) is not writable"
        }
        var fs = statvfs()
        if statvfs(directory, &fs) == 0 {
            let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
            if free < minFreeBytes {
                return "free space \(free) bytes is below --min-free-bytes \(minFreeBytes)"
            }
        }
        return nil
    }
}
