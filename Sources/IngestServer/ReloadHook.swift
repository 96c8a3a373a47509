/// Something `SIGHUP` re-reads without a restart (TLS certificates today; credentials may join).
///
/// `reload` runs on the signal-waiting thread while workers keep serving; it must build the new
/// state completely before publishing it, and keep the old state when anything fails. It returns
/// one line for the operator log: what was loaded, or why nothing changed.
public struct ReloadHook: Sendable {
    public enum Outcome: Sendable {
        case reloaded([(String, String)])
        case failed(String)
    }

    public let name: String
    public let reload: @Sendable () -> Outcome

    public init(name: String, reload: @escaping @Sendable () -> Outcome) {
        self.name = name
        self.reload = reload
    }

    /// Runs every hook in order and logs one line per hook.
    static func runAll(_ hooks: [ReloadHook], operatorLog: OperatorLog) {
        for hook in hooks {
            switch hook.reload() {
            case .reloaded(let fields):
                operatorLog.info("reloaded", [("component", hook.name)] + fields)
            case .failed(let reason):
                operatorLog.error("reload_failed", [("component", hook.name), ("reason", reason),
                                                    ("kept", "the previous \(hook.name) stays in use")])
            }
        }
    }
}
