/// The resumable RFC 8259 validator and field extractor behind `ConnectFieldScanner`.
///
/// Design: a byte-driven state machine whose whole state is in this value, so a piece boundary
/// can fall anywhere (inside a `\u` escape, a UTF-8 sequence, a number, a literal, a key) and the
/// next `feed` continues exactly there. It never buffers or copies the input; it copies only the
/// bytes of the values it extracts (and of keys at the two levels where keys are matched) into
/// `CaptureBuffers`. Strings, the bulk of every body, are skipped with `PlainStringRun` (long runs,
/// 64 bytes per step) and `NonPlainWindow` (short strings, a few per 64-byte window).
///
/// Speed: `feed` dispatches on `mode` once per token at most; the common `"key":"value",` run is
/// handled without going back to the dispatcher (`endString`), since one hard-to-predict indirect
/// branch per token was the largest cost on envelope-summary bodies. Inside containers where
/// nothing is captured (most of an envelope summary), `scanDeep` validates 64 bytes at a time
/// from bit masks instead (JSONStreamScanner+Deep.swift).
///
/// Validation is complete: after `finish()` with no error the input was exactly one RFC 8259 JSON
/// text in UTF-8 (no BOM, no comments, no trailing commas, no NaN, `\u` surrogates paired) with at
/// most `maxDepth` nested containers. Numbers are checked against the grammar only: their
/// magnitude is not limited (`1e400` is valid JSON).
///
/// This file holds the structural states; strings, numbers/literals and key matching live in the
/// `+Strings`, `+Numbers` and `+Fields` extensions. Not thread-safe.
struct JSONStreamScanner: ~Copyable {
    /// What the next byte must be.
    enum Mode: UInt8 {
        /// A value (document start, after `:`, after `,` in an array).
        case valueStart
        /// After `[`: a value or `]`.
        case arrayFirst
        /// After `{`: a key or `}`.
        case objectFirst
        /// After `,` in an object: a key.
        case keyStart
        /// After a key: `:`.
        case colon
        /// After a value inside a container: `,` or the container's closing bracket.
        case afterValue
        /// After the top-level value: whitespace only.
        case topDone
        /// Inside a string (key or value); `stringSub` says where exactly.
        case string
        /// Inside a number; `numberState` says where exactly.
        case number
        /// Inside `true`, `false` or `null`.
        case literal
        /// An error was found; `error` holds it and further input is ignored.
        case failed
        /// `finish()` was called on a valid document.
        case finished
    }

    /// Position inside a string, for what cannot be decided one byte at a time.
    enum StringSub: UInt8 {
        case plain
        /// After `\`.
        case escape
        /// Inside the four hex digits of a `\u` escape (`hexCount` read so far).
        case hex
        /// After a high-surrogate escape: its low half's `\`, then `u`, then four hex digits.
        case lowBackslash, lowU, lowHex
        /// Inside a multi-byte UTF-8 sequence (`utf8Remaining` continuation bytes to come).
        case utf8
    }

    enum NumberState: UInt8 {
        case start, sign, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits
    }

    /// Which extracted value, if any, the current key names. `retryCount` is not captured: only
    /// its value's position is kept (see `retryCountRange`).
    enum KeyRole: UInt8 {
        case none, event, configurationId, envelopeId, generatedDateTime, data, dataEnvelopeId, retryCount
    }

    let maxDepth: Int
    /// Whether `feed` hands deep containers to `scanDeep` (always, except in the tests that
    /// compare the two paths).
    let usesDeepPath: Bool
    var mode: Mode = .valueStart
    /// Bytes fed before the current piece: piece index + `consumed` = document offset.
    var consumed = 0
    var depth = 0
    /// Kind of the innermost open container (meaningless when `depth == 0`).
    var inObject = false
    let containers: ContainerStack

    var stringIsKey = false
    var stringSub: StringSub = .plain
    var hexValue: UInt32 = 0
    var hexCount: UInt8 = 0
    var highSurrogate: UInt32 = 0
    var utf8Remaining: UInt8 = 0
    var utf8Lower: UInt8 = 0x80
    var utf8Upper: UInt8 = 0xBF

    var numberState: NumberState = .start
    /// The literal's remaining bytes, first in the low byte, and how many there are.
    var literalExpected: UInt32 = 0
    var literalRemaining: UInt8 = 0

    /// Where the bytes of the current string or number go, if anywhere.
    var captureSlot: CaptureBuffers.Slot? = nil
    /// Role of the key just read, applied when its value starts.
    var pendingRole: KeyRole = .none
    /// The depth-2 container is the object value of a top-level `data` key.
    var dataObjectOpen = false
    let fields: CaptureBuffers

    /// Document offsets of the top-level `retryCount` value (first byte, one past the last), -1
    /// when there is none; `retryCountOpen` while the value is being read.
    var retryCountStart = -1
    var retryCountEnd = -1
    var retryCountOpen = false

    var error: JSONScanError? = nil
    /// Where strings end in the current piece (rebuilt for every piece).
    var window = NonPlainWindow()

    init(maxDepth: Int, valueCapacity: Int, usesDeepPath: Bool = true) {
        precondition(maxDepth >= 0, "maxDepth must not be negative")
        self.maxDepth = maxDepth
        self.usesDeepPath = usesDeepPath
        containers = ContainerStack(capacity: maxDepth)
        fields = CaptureBuffers(valueCapacity: valueCapacity)
    }

    /// Forgets the document: ready for a new one. Allocates nothing (it may free an oversized
    /// value buffer).
    mutating func reset() {
        mode = .valueStart
        consumed = 0
        depth = 0
        inObject = false
        stringSub = .plain
        captureSlot = nil
        pendingRole = .none
        dataObjectOpen = false
        retryCountStart = -1
        retryCountEnd = -1
        retryCountOpen = false
        error = nil
        fields.resetAll()
    }

    /// Scans one piece. Any size, including 0. After an error, or after `finish()`, it does nothing.
    mutating func feed(_ piece: UnsafeRawBufferPointer) {
        guard mode != .failed, mode != .finished, let base = piece.baseAddress else {
            assert(mode != .finished || piece.isEmpty, "feed after finish without reset")
            return
        }
        let count = piece.count
        var i = 0
        window = NonPlainWindow()
        while i < count {
            if isDeep && usesDeepPath {
                let next = scanDeep(base, i, count)
                if next != i {
                    i = next
                    continue
                }
            }
            switch mode {
            case .string: i = scanString(base, i, count)
            case .number: i = scanNumber(base, i, count)
            case .literal: i = scanLiteral(base, i, count)
            default: i = scanStructure(base, i, count)
            }
        }
        consumed &+= count
    }

    /// Ends the document: nil when it was valid JSON, else the first error.
    mutating func finish() -> JSONScanError? {
        switch mode {
        case .failed, .finished:
            return error
        case .topDone:
            break
        case .number where depth == 0 && numberState.canEnd:
            break
        default:
            // Values still open: the input stopped early. Nothing half-read is committed.
            recordError(.unexpectedEnd, at: consumed)
            return error
        }
        mode = .finished
        return nil
    }

    /// Records the first error and stops: `mode` becomes `.failed`, nothing half-read is kept.
    @inline(never)
    mutating func recordError(_ reason: JSONScanError.Reason, at documentOffset: Int) {
        error = JSONScanError(reason: reason, offset: documentOffset)
        mode = .failed
        captureSlot = nil
        if retryCountOpen { forgetRetryCount() }
    }

    /// Fails at index `i` of the current piece of `count` bytes. Returns `count`, so a handler can
    /// `return fail(...)` to end the piece.
    @inline(__always)
    mutating func fail(_ reason: JSONScanError.Reason, _ i: Int, _ count: Int) -> Int {
        recordError(reason, at: consumed &+ i)
        return count
    }

    // MARK: Structure

    /// Whitespace and the structural bytes between values. Returns at the start of a string,
    /// number or literal (with `mode` set for it), at the end of the piece, or on error.
    mutating func scanStructure(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        var i = start
        while i < count {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                i &+= 1
                continue
            }
            switch mode {
            case .afterValue:
                if b == UInt8(ascii: ",") {
                    mode = inObject ? .keyStart : .valueStart
                } else if b == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    closeContainer(at: i)
                } else {
                    return fail(.unexpectedByte, i, count)
                }
                i &+= 1
            case .valueStart, .arrayFirst:
                let next = beginValue(b, i, count)
                if mode == .string { return scanString(p, next, count) }
                if mode == .objectFirst || mode == .arrayFirst {
                    if isDeep && usesDeepPath { return next }   // feed hands deep containers to scanDeep
                    i = next
                    continue
                }
                return next
            case .objectFirst, .keyStart:
                if b == UInt8(ascii: "\"") {
                    beginKey()
                    return scanString(p, i &+ 1, count)
                }
                guard b == UInt8(ascii: "}"), mode == .objectFirst else { return fail(.unexpectedByte, i, count) }
                closeContainer(at: i)
                i &+= 1
            case .colon:
                guard b == UInt8(ascii: ":") else { return fail(.unexpectedByte, i, count) }
                mode = .valueStart
                i &+= 1
            case .topDone:
                return fail(.trailingContent, i, count)
            default:
                preconditionFailure("scanStructure in mode \(mode)")
            }
        }
        return i
    }

    /// `b`, at piece index `i`, starts a value.
    @inline(__always)
    mutating func beginValue(_ b: UInt8, _ i: Int, _ count: Int) -> Int {
        let role = pendingRole
        pendingRole = .none
        if role == .retryCount { beginRetryCountValue(at: i) }
        switch b {
        case UInt8(ascii: "\""):
            beginValueString(role: role)
            return i &+ 1
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { return fail(.depthLimitExceeded, i, count) }
            openContainer(isObject: true)
            if role == .data { dataObjectOpen = true }
            mode = .objectFirst
            return i &+ 1
        case UInt8(ascii: "["):
            guard depth < maxDepth else { return fail(.depthLimitExceeded, i, count) }
            openContainer(isObject: false)
            mode = .arrayFirst
            return i &+ 1
        case UInt8(ascii: "]") where mode == .arrayFirst:
            closeContainer(at: i)
            return i &+ 1
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            beginNumber(role: role)
            return i
        case UInt8(ascii: "t"):
            beginLiteral(expected: 0x65_75_72, length: 3)  // "rue"
            return i &+ 1
        case UInt8(ascii: "f"):
            beginLiteral(expected: 0x65_73_6C_61, length: 4)  // "alse"
            return i &+ 1
        case UInt8(ascii: "n"):
            beginLiteral(expected: 0x6C_6C_75, length: 3)  // "ull"
            return i &+ 1
        case UInt8(ascii: "+"), UInt8(ascii: "."):
            return fail(.invalidNumber, i, count)
        default:
            return fail(.unexpectedByte, i, count)
        }
    }

    @inline(__always)
    mutating func openContainer(isObject: Bool) {
        containers.set(depth, isObject: isObject)
        depth &+= 1
        inObject = isObject
    }

    /// The closing bracket is at piece index `i`.
    @inline(__always)
    mutating func closeContainer(at i: Int) {
        depth &-= 1
        if depth == 1 { dataObjectOpen = false }
        if depth > 0 { inObject = containers.isObject(depth &- 1) }
        endValue(at: i &+ 1)
    }

    /// A value just ended before piece index `end`: what comes next depends on where it was.
    @inline(__always)
    mutating func endValue(at end: Int) {
        if retryCountOpen && depth == 1 { endRetryCountValue(at: end) }
        mode = depth == 0 ? .topDone : .afterValue
    }
}

extension JSONStreamScanner.NumberState {
    /// A number may end here (the next byte can be a delimiter).
    var canEnd: Bool {
        switch self {
        case .zero, .integer, .fraction, .exponentDigits: true
        default: false
        }
    }
}
