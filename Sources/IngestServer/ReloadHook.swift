import Synchronization

/// Something the listener re-reads on `SIGHUP` without a restart (credentials, TLS certificates).
///
/// A reload must be all or nothing: on success the component has published its new state and
/// returns counts for the log line; on failure it keeps the state in force untouched and
/// returns one line saying why. It runs on the main thread (the one that waits for signals)
/// while workers keep serving, so publishing must be safe against concurrent readers.
public protocol Reloadable: AnyObject, Sendable {
    /// A short name for log lines, e.g. "credentials".
    var reloadName: String { get }
    /// Re-reads and publishes. Never throws: failures are reported in the result.
    func reload() -> ReloadResult
}

public enum ReloadResult: Sendable {
    /// Published; the fields (counts, never secrets) go into the log line.
    case reloaded([(String, String)])
    /// Nothing changed; the message says why.
    case failed(String)
}

/// The ordered list of reloadable components. `SIGHUP` runs each in registration order, each
/// independently (one failing does not stop the next), and logs one line per component:
/// `event=reloaded component=NAME ...counts` or `event=reload_failed component=NAME error=...`.
public final class ReloadHook: Sendable {
    private let components: Mutex<[any Reloadable]>

    public init() {
        components = Mutex([])
    }

    /// Adds a component; it runs after the ones registered before it.
    public func register(_ component: any Reloadable) {
        components.withLock { $0.append(component) }
    }

    public var componentNames: [String] { components.withLock { $0.map(\.reloadName) } }

    /// Runs every component once, in order; returns how many failed.
    @discardableResult
    public func runAll(operatorLog: OperatorLog) -> Int {
        let list = components.withLock { $0 }
        var failures = 0
        for component in list {
            switch component.reload() {
            case .reloaded(let fields):
                operatorLog.info("reloaded", [("component", component.reloadName)] + fields)
            case .failed(let message):
                failures += 1
                operatorLog.error("reload_failed", [("component", component.reloadName), ("error", message),
                                                    ("kept", "the previous \(component.reloadName) stay in force")])
            }
        }
        return failures
    }
}
