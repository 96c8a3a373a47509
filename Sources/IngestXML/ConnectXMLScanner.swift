/// Checks one legacy Connect XML body for well-formedness while it streams in, and extracts the
/// fields of `ConnectXMLField`, without ever copying or buffering the body. The same contract
/// and shape as IngestJSON's `ConnectFieldScanner`, so the server feeds either one.
///
/// Use: one scanner per connection, reused for every message: `reset()`, `feed(_:)` each piece as
/// it arrives from the socket (any sizes; a boundary may fall anywhere), `finish()`, then read the
/// fields with `withField(_:_:)` or `withFields(_:)`. All memory (about 22 KiB: see `XMLLimits`)
/// is allocated in `init`; scanning never allocates.
///
/// Well-formed means XML 1.0 with namespaces, in UTF-8, without a DTD (`XMLStreamScanner` has the
/// details; `XMLScanError.Reason` lists every rule). Which values are reported: see
/// `ConnectXMLField` (paths on local names) and `XMLStreamScanner+Fields` (text, last element
/// wins, an element with children gives no value). Values longer than `XMLLimits.fieldValueBytes`
/// are cut to that length.
///
/// After an error the fields hold what was complete before the error. The server stores genuine
/// malformed bodies with a flag, so these best-effort values are for operators, not for trust.
///
/// Not thread-safe: use one scanner from one thread at a time (its connection's loop thread).
/// The closures of `withField`/`withFields` must not call `reset`, `feed` or `finish` on the same
/// scanner (nested `withField` calls are fine).
///
/// Crash behaviour: no input can crash it or make it read outside the piece it is given (the
/// tests feed every piece next to a guard page). Misuse (feeding after `finish()` without
/// `reset()`) asserts in debug builds and is ignored in release builds.
public final class ConnectXMLScanner {
    /// Dynamic exclusivity checks are off for this one property, as in `ConnectFieldScanner`:
    /// the contract above (one thread, no re-entry from `withField`) is what they would check.
    @exclusivity(unchecked) private var core: XMLStreamScanner

    /// - Parameter maxDepth: the most nested elements accepted (`<a><b/></a>` has depth 2); deeper
    ///   input fails with `.depthLimitExceeded`. The scanner does not recurse.
    public init(maxDepth: Int = 512) {
        core = XMLStreamScanner(maxDepth: maxDepth)
    }

    /// Starts a new document; invalidates values read from the previous one.
    public func reset() { core.reset() }

    /// Scans the next piece of the document. Pieces of any size, including 0. After an error,
    /// further pieces are ignored (cheaply). Calling it after `finish()` without `reset()` is a
    /// programming error (asserts in debug builds; ignored otherwise).
    public func feed(_ piece: UnsafeRawBufferPointer) { core.feed(piece) }

    /// Ends the document. Returns nil when the whole input was a well-formed document, else the
    /// first error (`.unexpectedEnd` when the input stopped early). Idempotent.
    public func finish() -> XMLScanError? { core.finish() }

    /// The first error seen so far (nil while the input is a well-formed prefix).
    public var error: XMLScanError? { core.error }

    /// Bytes fed since the last `reset()` (after an error too, though they are not looked at).
    public var bytesScanned: Int { core.consumed }

    /// The value of `field` as UTF-8 bytes (references decoded), or nil when absent. The pointer
    /// is valid only inside `body` and must not escape.
    public func withField<R>(_ field: ConnectXMLField, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch field {
        case .event: core.fields.withValue(.event, body)
        case .envelopeId: core.fields.withValue(.envelopeId, body)
        case .generatedDateTime: core.fields.withValue(.generatedDateTime, body)
        }
    }

    /// The fields in the order of `ConnectFieldScanner.withFields` (event, configurationId,
    /// envelopeId, generatedDateTime), with `configurationId` always nil (XML messages have
    /// none), so the caller stores either format's fields the same way. Same lifetime rules as
    /// `withField`.
    public func withFields<R>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) -> R
    ) -> R {
        withField(.event) { event in
            withField(.envelopeId) { envelopeId in
                withField(.generatedDateTime) { generatedDateTime in
                    body(event, nil, envelopeId, generatedDateTime)
                }
            }
        }
    }

    /// A copy of `withField`'s bytes (allocates; for tools and tests).
    public func fieldBytes(_ field: ConnectXMLField) -> [UInt8]? {
        withField(field) { $0.map { Array($0) } }
    }

    /// Convenience for whole documents: `reset()`, `feed(_:)`, `finish()`.
    @discardableResult
    public func scan(_ document: UnsafeRawBufferPointer) -> XMLScanError? {
        reset()
        feed(document)
        return finish()
    }
}
