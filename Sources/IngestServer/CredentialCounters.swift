import CLinux
import IngestOAuth

/// Per-worker counts of authentication outcomes: single-writer cells (the worker adds, `/metrics`
/// reads), like `WorkerCounters`, kept apart so the credential work has its own file.
final class CredentialCounters: @unchecked Sendable {
    enum Counter: Int, CaseIterable {
        /// HMAC verified by a key of the message's account.
        case hmacVerifiedAccountKey
        /// HMAC verified by a key for every account.
        case hmacVerifiedGlobalKey
        case hmacMismatch
        case hmacMissing
        /// The message named an account with keys of its own (its keys were tried).
        case hmacAccountKeysTried
        /// A bearer token answered from the worker's cache.
        case bearerCached
        /// A bearer token verified (signature and claims) and then cached.
        case bearerVerified
    }

    private static let refusalBase = Counter.allCases.count
    private static let total = refusalBase + BearerRefusal.allCases.count
    private let cells: UnsafeMutablePointer<UInt64>

    init() {
        cells = .allocate(capacity: CredentialCounters.total)
        cells.initialize(repeating: 0, count: CredentialCounters.total)
    }

    deinit { cells.deallocate() }

    @inline(__always) func add(_ counter: Counter) { cl_counter_add(cells + counter.rawValue, 1) }

    @inline(__always) func add(_ refusal: BearerRefusal) {
        cl_counter_add(cells + CredentialCounters.refusalBase + Int(refusal.rawValue), 1)
    }

    func value(_ counter: Counter) -> UInt64 { cl_counter_load(cells + counter.rawValue) }

    func value(_ refusal: BearerRefusal) -> UInt64 {
        cl_counter_load(cells + CredentialCounters.refusalBase + Int(refusal.rawValue))
    }
}
