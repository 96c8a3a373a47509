/// Validates one Connect JSON body as RFC 8259 JSON while it streams in, and extracts the four
/// fields of `ConnectField`, without ever copying or buffering the body.
///
/// Use: one scanner per connection, reused for every message: `reset()`, `feed(_:)` each piece as
/// it arrives from the socket (any sizes; a boundary may fall anywhere), `finish()`, then read the
/// fields with `withField(_:_:)`. All memory is allocated in `init`; scanning allocates only when
/// a field value is longer than its preallocated room (512 bytes; real values are under 40).
///
/// Which values are reported (see `CONNECT.md` for the paths):
/// - `event`, `generatedDateTime`: the top-level key's value when it is a JSON string (decoded:
///   escapes resolved, UTF-8 bytes).
/// - `configurationId`: a string (decoded) or a number (its literal text, e.g. `10363315`).
/// - `envelopeId`: `data.envelopeId` when that is a string, otherwise the top-level `envelopeId`
///   when that is a string (the legacy JSON format, where the body is the envelope).
/// - Any other type (object, array, bool, null; a number for the fields other than
///   `configurationId`) counts as absent, as does a key at any other depth or position (inside
///   `envelopeSummary`, in arrays, in a non-object top-level value). An empty string is present.
/// - Duplicate keys: the last occurrence wins, as in `JSONSerialization`.
///
/// After an error the fields hold what was complete before the error (a value cut by the error is
/// absent; a later duplicate was never seen). The server stores genuine malformed bodies with a
/// flag, so these best-effort values are for operators, not for trust.
///
/// Not thread-safe: use one scanner from one thread at a time (its connection's loop thread).
/// The closures of `withField`/`withFields` must not call `reset`, `feed` or `finish` on the same
/// scanner (nested `withField` calls are fine).
///
/// Crash behaviour: no input can crash it or make it read outside the piece it is given (the
/// tests feed every piece next to a guard page). Misuse (feeding after `finish()` without
/// `reset()`) asserts in debug builds and is ignored in release builds.
public final class ConnectFieldScanner {
    /// Dynamic exclusivity checks are off for this one property: they cost two runtime calls per
    /// `feed`/`withField` (measured ~13% of the time on a 450-byte body), and the contract above
    /// (one thread, no re-entry from `withField`) is what they would check.
    @exclusivity(unchecked) private var core: JSONStreamScanner

    /// - Parameter maxDepth: the most nested arrays/objects accepted (`[[1]]` has depth 2);
    ///   deeper input fails with `.depthLimitExceeded`. Bounds the scanner's memory, not the stack:
    ///   the scanner does not recurse.
    public init(maxDepth: Int = 512) {
        core = JSONStreamScanner(maxDepth: maxDepth, valueCapacity: 512)
    }

    /// For the tests that compare the deep fast path with the byte-by-byte scanner.
    init(maxDepth: Int = 512, usesDeepPath: Bool) {
        core = JSONStreamScanner(maxDepth: maxDepth, valueCapacity: 512, usesDeepPath: usesDeepPath)
    }

    /// Starts a new document; invalidates values read from the previous one.
    public func reset() { core.reset() }

    /// Scans the next piece of the document. Pieces of any size, including 0. After an error,
    /// further pieces are ignored (cheaply). Calling it after `finish()` without `reset()` is a
    /// programming error (asserts in debug builds; ignored otherwise).
    public func feed(_ piece: UnsafeRawBufferPointer) { core.feed(piece) }

    /// Ends the document. Returns nil when the whole input was valid JSON, else the first error
    /// (`.unexpectedEnd` when the input stopped inside a value or held none). Idempotent.
    public func finish() -> JSONScanError? { core.finish() }

    /// The first error seen so far (nil while the input is a valid prefix).
    public var error: JSONScanError? { core.error }

    /// Bytes fed since the last `reset()`.
    public var bytesScanned: Int { core.consumed }

    /// The value of `field` as bytes (UTF-8 with escapes resolved; for a number, its literal
    /// text), or nil when absent. The pointer is valid only inside `body` and must not escape.
    public func withField<R>(_ field: ConnectField, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        switch field {
        case .event: return core.fields.withValue(.event, body)
        case .configurationId: return core.fields.withValue(.configurationId, body)
        case .generatedDateTime: return core.fields.withValue(.generatedDateTime, body)
        case .envelopeId:
            let slot: CaptureBuffers.Slot = core.fields.isPresent(.dataEnvelopeId) ? .dataEnvelopeId : .envelopeId
            return core.fields.withValue(slot, body)
        }
    }

    /// All four fields at once, in `ConnectField` order (event, configurationId, envelopeId,
    /// generatedDateTime), with the same meaning and lifetime rules as `withField`.
    public func withFields<R>(
        _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?) -> R
    ) -> R {
        withField(.event) { event in
            withField(.configurationId) { configurationId in
                withField(.envelopeId) { envelopeId in
                    withField(.generatedDateTime) { generatedDateTime in
                        body(event, configurationId, envelopeId, generatedDateTime)
                    }
                }
            }
        }
    }

    /// The document offsets of the top-level `retryCount` member's value (from its first byte to
    /// one past its last; a string's quotes and a container's brackets included), or nil when the
    /// top-level object has no such member, or its value was cut by an error or by the end of the
    /// input. Several `retryCount` members: the last one. Any JSON type counts. The message id
    /// leaves these bytes out of a body (see IngestDedup's MessageIdentity), because DocuSign's
    /// redeliveries of a message differ only there. Valid until the next `reset()`.
    public var retryCountValueRange: Range<Int>? { core.retryCountRange }

    /// A copy of `withField`'s bytes (allocates; for tools and tests).
    public func fieldBytes(_ field: ConnectField) -> [UInt8]? {
        withField(field) { $0.map { Array($0) } }
    }

    /// Convenience for whole documents: `reset()`, `feed(_:)`, `finish()`.
    @discardableResult
    public func scan(_ document: UnsafeRawBufferPointer) -> JSONScanError? {
        reset()
        feed(document)
        return finish()
    }
}
