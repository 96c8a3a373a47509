/// The head state machine: request line and header lines, resumable at any byte.
///
/// Every head byte is examined once, in order, and every decision depends only on bytes at or
/// before the current position, so the answer is the same for every way of cutting the input.
/// The size limit is a position too: bytes at or beyond `maxHeaderBytes` are never examined, and
/// if the head is still incomplete when such a byte exists the answer is 431.
extension RequestParser {
    func parseHead(_ bytes: UnsafeRawBufferPointer) -> ParseStep {
        let count = bytes.count
        var i = scanOffset
        precondition(i <= count, "parse called with \(count) bytes after \(i) were scanned: unconsumed head bytes were dropped")
        guard i < count, let base = bytes.baseAddress else { return .needMore(consumed: 0) }
        let budget = limits.maxHeaderBytes &- consumedHeadBytes
        let end = Swift.min(count, budget)
        let firstExamined = i
        var state = self.state
        defer { examinedHeadBytes &+= i &- firstExamined }

        // The cases are in stream order and a completed part falls through into the next one,
        // so a well-formed line costs one dispatch, not one per part. A case entered with no
        // bytes left leaves through `continue scan` with `state` already naming it.
        scan: while i < end {
            switch state {
            case .blankLF:
                if base.load(fromByteOffset: i, as: UInt8.self) != ASCII.lf { return fail(.bareCarriageReturn) }
                i &+= 1
                state = .start
                continue scan

            case .start:
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                if b == ASCII.cr {
                    state = .blankLF
                    i &+= 1
                    continue scan
                }
                if b == ASCII.lf { return fail(.invalidRequestLine) }
                methodStart = i
                state = .method
                fallthrough

            case .method:
                method: while i < end {
                    let b = base.load(fromByteOffset: i, as: UInt8.self)
                    if ASCII.isTchar(b) { i &+= 1; continue }
                    if b == ASCII.sp && i > methodStart {
                        methodEnd = i
                        method = RequestParser.classifyMethod(base, methodStart, i)
                        i &+= 1
                        targetStart = i
                        state = .target
                        break method
                    }
                    if b == ASCII.cr { pendingError = .invalidRequestLine; state = .strayCR; i &+= 1; continue scan }
                    return fail(.invalidRequestLine)
                }
                if state != .target { continue scan }
                fallthrough

            case .target:
                i = ByteScan.firstNonVisible(base, from: i, end: end)
                if i == end { continue scan }
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                if b == ASCII.sp && i > targetStart {
                    targetEnd = i
                    i &+= 1
                    tokenStart = i
                    state = .version
                } else if b == ASCII.cr {
                    pendingError = .invalidRequestLine; state = .strayCR; i &+= 1; continue scan
                } else {
                    return fail(.invalidRequestLine)
                }
                fallthrough

            case .version:
                version: while i < end {
                    let b = base.load(fromByteOffset: i, as: UInt8.self)
                    let expected: Bool
                    switch i &- tokenStart {
                    case 0: expected = b == UInt8(ascii: "H")
                    case 1, 2: expected = b == UInt8(ascii: "T")
                    case 3: expected = b == UInt8(ascii: "P")
                    case 4: expected = b == UInt8(ascii: "/")
                    case 5, 7: expected = b &- 0x30 < 10
                    case 6: expected = b == UInt8(ascii: ".")
                    case 8:
                        if b == ASCII.cr { i &+= 1; state = .requestLineLF; break version }
                        expected = false
                    default: expected = false
                    }
                    if expected { i &+= 1; continue }
                    if b == ASCII.cr { pendingError = .invalidRequestLine; state = .strayCR; i &+= 1; continue scan }
                    return fail(.invalidRequestLine)
                }
                if state != .requestLineLF { continue scan }
                fallthrough

            case .requestLineLF:
                if i == end { continue scan }
                if base.load(fromByteOffset: i, as: UInt8.self) != ASCII.lf { return fail(.bareCarriageReturn) }
                let major = base.load(fromByteOffset: tokenStart &+ 5, as: UInt8.self)
                let minor = base.load(fromByteOffset: tokenStart &+ 7, as: UInt8.self)
                if major == UInt8(ascii: "1") && minor == UInt8(ascii: "1") {
                    version = .http11
                } else if major == UInt8(ascii: "1") && minor == UInt8(ascii: "0") {
                    version = .http10
                } else {
                    return fail(.unsupportedVersion)
                }
                i &+= 1
                state = .lineStart
                continue scan

            case .lineStart:
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                if b == ASCII.cr {
                    i &+= 1
                    state = .finalLF
                    continue scan
                }
                if !ASCII.isTchar(b) {
                    // Whitespace before the first field line is not obs-fold but is refused the same way (RFC 9112 section 2.2).
                    if ASCII.isWhitespace(b) { return fail(headerCount == 0 ? .invalidHeader : .obsoleteLineFolding) }
                    return fail(.invalidHeader)
                }
                if headerCount >= limits.maxHeaderCount { return fail(.tooManyHeaders) }
                nameStart = i
                i &+= 1
                state = .name
                fallthrough

            case .name:
                name: while i < end {
                    let b = base.load(fromByteOffset: i, as: UInt8.self)
                    if ASCII.isTchar(b) { i &+= 1; continue }
                    if b == ASCII.colon {
                        nameEnd = i
                        i &+= 1
                        state = .valueOWS
                        break name
                    }
                    if b == ASCII.cr { pendingError = .invalidHeader; state = .strayCR; i &+= 1; continue scan }
                    return fail(.invalidHeader)
                }
                if state != .valueOWS { continue scan }
                fallthrough

            case .valueOWS:
                while i < end && ASCII.isWhitespace(base.load(fromByteOffset: i, as: UInt8.self)) { i &+= 1 }
                if i == end { continue scan }
                tokenStart = i
                state = .value
                fallthrough

            case .value:
                value: while true {
                    i = ByteScan.firstControl(base, from: i, end: end)
                    if i == end { continue scan }
                    let b = base.load(fromByteOffset: i, as: UInt8.self)
                    if b == ASCII.htab { i &+= 1; continue }
                    if b != ASCII.cr { return fail(.invalidHeader) }
                    var e = i
                    while e > tokenStart && ASCII.isWhitespace(base.load(fromByteOffset: e &- 1, as: UInt8.self)) {
                        e &-= 1
                    }
                    examinedHeadBytes &+= i &- e
                    valueEnd = e
                    i &+= 1
                    state = .headerLF
                    break value
                }
                fallthrough

            case .headerLF:
                if i == end { continue scan }
                if base.load(fromByteOffset: i, as: UInt8.self) != ASCII.lf { return fail(.bareCarriageReturn) }
                i &+= 1
                if let error = commitHeader(base) { return fail(error) }
                state = .lineStart
                continue scan

            case .finalLF:
                if base.load(fromByteOffset: i, as: UInt8.self) != ASCII.lf { return fail(.bareCarriageReturn) }
                i &+= 1
                return finishHead(consumed: i)

            case .strayCR:
                return fail(base.load(fromByteOffset: i, as: UInt8.self) == ASCII.lf ? pendingError : .bareCarriageReturn)

            default:
                preconditionFailure("head scan in body state \(state)")
            }
        }

        if end < count { return fail(.headerSectionTooLarge) }
        self.state = state
        if state == .start || state == .blankLF {
            // Only complete empty lines so far: drop them so an idle connection keeps no bytes.
            let blank = state == .start ? i : i &- 1
            consumedHeadBytes &+= blank
            scanOffset = i &- blank
            return .needMore(consumed: blank)
        }
        scanOffset = i
        return .needMore(consumed: 0)
    }

    /// The head ended at `consumed`: apply the whole-head rules, publish `head`, enter the body.
    private func finishHead(consumed: Int) -> ParseStep {
        if version == .http11 && hostCount == 0 { return fail(.missingHost) }
        if transferEncodingSeen && (version == .http10 || contentLength >= 0) { return fail(.conflictingFraming) }
        if contentLength > limits.maxBodyBytes { return fail(.bodyTooLarge) }

        let keepAlive = version == .http11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        currentHead = RequestHead(
            method: method,
            methodSpan: ByteSpan(from: methodStart, to: methodEnd),
            target: ByteSpan(from: targetStart, to: targetEnd),
            version: version,
            contentLength: contentLength >= 0 ? contentLength : nil,
            isChunked: chunked,
            keepAlive: keepAlive,
            expectsContinue: expectContinue && version == .http11,
            headerCount: headerCount)
        sectionBytes = consumedHeadBytes &+ consumed
        scanOffset = 0
        consumedHeadBytes = 0
        if chunked {
            state = .chunkSizeStart
        } else {
            state = .fixedBody
            bodyRemaining = Swift.max(0, contentLength)
        }
        return .head(consumed: consumed)
    }
}
