/// A view of bytes owned by someone else, kept for a short, stated while: the one place the
/// server holds a pointer into memory it does not own.
///
/// Used for `Connection.unstagedBody`: the body of a webhook that arrived whole in one read,
/// still in the worker's input buffer. Invariant (kept by `Worker.process`): a non-empty value
/// lives only while the read that holds the bytes is being parsed; before `process` returns it is
/// either consumed (the request ended and its record was staged) or copied into the
/// connection's staging buffer (`Worker.keepUnstagedBody`), because the next read reuses the
/// input buffer.
struct BorrowedBytes {
    private var start: UnsafeRawPointer?
    private(set) var count = 0

    init() {}

    init(_ bytes: UnsafeRawBufferPointer) {
        start = bytes.baseAddress
        count = bytes.count
    }

    var isEmpty: Bool { start == nil }

    /// The bytes; valid only under the invariant above.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }
}
