import IngestHMAC

/// The `X-DocuSign-AccountId` of the request in progress on one connection, kept from head time
/// (when the header bytes are in the worker's input scratch, soon reused) until the record is
/// staged at the end of the body.
///
/// Owns one 36-byte buffer, allocated once per pooled connection; capturing copies at most 36
/// bytes and allocates nothing. Only a value that parses as a GUID (`AccountID`) is kept, and only
/// when the header appears once: two of them make the account ambiguous, so neither is kept (a
/// message must not choose which account's keys verify it).
///
/// Thread affinity: the owning connection's worker thread.
final class AccountHeaderCapture {
    private let text: UnsafeMutableRawBufferPointer
    /// The captured account, or nil when the request had no valid `X-DocuSign-AccountId`.
    private(set) var account: AccountID?

    init() {
        text = .allocate(byteCount: AccountID.textLength, alignment: 1)
    }

    deinit { text.deallocate() }

    /// Headers seen for the current request.
    private var seen = 0

    /// Forgets the previous request's account.
    func clear() {
        account = nil
        seen = 0
    }

    /// Keeps `value` when it is a GUID and the first such header of the request; returns false
    /// (keeping nothing, and forgetting an earlier one) otherwise.
    func capture(_ value: UnsafeRawBufferPointer) -> Bool {
        seen += 1
        guard seen == 1, let parsed = AccountID(text: value) else {
            account = nil
            return false
        }
        text.copyMemory(from: value)
        account = parsed
        return true
    }

    /// The header text as sent, or nil when none was captured. Valid until the next `capture`/`clear`.
    var bytes: UnsafeRawBufferPointer? {
        account == nil ? nil : UnsafeRawBufferPointer(text)
    }
}
