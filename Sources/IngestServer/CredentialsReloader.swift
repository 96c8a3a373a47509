/// The credentials as a ``Reloadable``: re-reads every source and publishes the new set, or keeps
/// the old one when any source fails.
final class CredentialsReloader: Reloadable {
    let reloadName = "credentials"
    private let sources: CredentialSources
    private let store: CredentialStore

    init(sources: CredentialSources, store: CredentialStore) {
        self.sources = sources
        self.store = store
    }

    func reload() -> ReloadResult {
        switch sources.load() {
        case .success(let loaded):
            let generation = store.publish(loaded.credentials)
            store.reloadsSucceeded.add(1, ordering: .relaxed)
            var fields = [("generation", "\(generation)")] + loaded.credentials.summary
            if !loaded.warnings.isEmpty { fields.append(("warnings", loaded.warnings.joined(separator: "; "))) }
            return .reloaded(fields)
        case .failure(let error):
            store.reloadsFailed.add(1, ordering: .relaxed)
            return .failed("\(error)")
        }
    }
}
