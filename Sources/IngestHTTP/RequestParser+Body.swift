/// The body state machine: Content-Length bodies, chunked framing and trailers.
///
/// Unlike the head, body bytes are consumed as soon as they are scanned: data is handed out as
/// `.body` spans, framing bytes (chunk-size lines, CRLFs, trailers) are counted and dropped, so
/// the caller never has to hold more than one read of a body.
extension RequestParser {
    func parseBody(_ bytes: UnsafeRawBufferPointer) -> ParseStep {
        let count = bytes.count
        var i = 0
        while true {
            switch state {
            case .fixedBody:
                if bodyRemaining == 0 { return finishRequest(consumed: i) }
                let n = Swift.min(bodyRemaining, count &- i)
                if n == 0 { return .needMore(consumed: i) }
                bodyRemaining &-= n
                return .body(offset: i, count: n, consumed: i &+ n)

            case .chunkData:
                let n = Swift.min(bodyRemaining, count &- i)
                if n == 0 { return .needMore(consumed: i) }
                bodyRemaining &-= n
                if bodyRemaining == 0 { state = .chunkDataCR }
                return .body(offset: i, count: n, consumed: i &+ n)

            default:
                guard i < count, let base = bytes.baseAddress else { return .needMore(consumed: i) }
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                if let error = framingByte(b) { return fail(error) }
                if state == .start { return finishRequest(consumed: i) }
            }
        }
    }

    /// Advances the framing states by one byte. Sets `state = .start` when the trailer section
    /// (and so the request) is complete.
    @inline(__always)
    private func framingByte(_ b: UInt8) -> HTTPParseError? {
        switch state {
        case .chunkSizeStart:
            let digit = ASCII.hexValue(b)
            if digit < 0 { return .invalidChunk }
            chunkSize = digit
            chunkLineBytes = 1
            state = .chunkSize

        case .chunkSize, .chunkSizeBWS, .chunkExtension:
            chunkLineBytes &+= 1
            if chunkLineBytes > RequestParser.maxChunkLineBytes { return .invalidChunk }
            if b == ASCII.cr { state = .chunkSizeLF; return nil }
            if state == .chunkExtension {
                // Extensions are skipped; only control bytes (bare LF, NUL, ...) are refused.
                if (b < 0x20 && b != ASCII.htab) || b == ASCII.del { return .invalidChunk }
                return nil
            }
            if b == ASCII.semicolon { state = .chunkExtension; return nil }
            if ASCII.isWhitespace(b) { state = .chunkSizeBWS; return nil }
            if state == .chunkSizeBWS { return .invalidChunk }
            let digit = ASCII.hexValue(b)
            if digit < 0 { return .invalidChunk }
            if chunkSize > (Int.max &>> 4) { return .invalidChunk }
            chunkSize = chunkSize &<< 4 | digit

        case .chunkSizeLF:
            if b != ASCII.lf { return .invalidChunk }
            if chunkSize == 0 {
                state = .trailerStart
            } else {
                if chunkSize > limits.maxBodyBytes &- bodyTotal { return .bodyTooLarge }
                bodyTotal &+= chunkSize
                bodyRemaining = chunkSize
                state = .chunkData
            }

        case .chunkDataCR:
            if b != ASCII.cr { return .invalidChunk }
            state = .chunkDataLF

        case .chunkDataLF:
            if b != ASCII.lf { return .invalidChunk }
            state = .chunkSizeStart

        default:
            return trailerByte(b)
        }
        return nil
    }

    /// Trailer lines are checked like header lines and then forgotten; they count against the
    /// header limits together with the head.
    @inline(__always)
    private func trailerByte(_ b: UInt8) -> HTTPParseError? {
        sectionBytes &+= 1
        if sectionBytes > limits.maxHeaderBytes { return .headerSectionTooLarge }
        switch state {
        case .trailerStart:
            if ASCII.isTchar(b) {
                if headerCount >= limits.maxHeaderCount { return .tooManyHeaders }
                headerCount &+= 1
                state = .trailerName
            } else if b == ASCII.cr {
                state = .trailerFinalLF
            } else if ASCII.isWhitespace(b) {
                return .obsoleteLineFolding
            } else {
                return .invalidHeader
            }

        case .trailerName:
            if b == ASCII.colon { state = .trailerValue } else if !ASCII.isTchar(b) { return .invalidHeader }

        case .trailerValue:
            if b == ASCII.cr { state = .trailerLF } else if (b < 0x20 && b != ASCII.htab) || b == ASCII.del { return .invalidHeader }

        case .trailerLF:
            if b != ASCII.lf { return .bareCarriageReturn }
            state = .trailerStart

        case .trailerFinalLF:
            if b != ASCII.lf { return .bareCarriageReturn }
            state = .start

        default:
            preconditionFailure("body scan in state \(state)")
        }
        return nil
    }

    /// The request is complete: ready for the next one on the same connection.
    private func finishRequest(consumed: Int) -> ParseStep {
        resetRequest()
        state = .start
        return .end(consumed: consumed)
    }
}
