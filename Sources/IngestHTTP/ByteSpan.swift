/// A byte range inside the bytes passed to the `parse` call that returned `.head`.
///
/// 32-bit because a head is at most `HTTPLimits.maxHeaderBytes` (<= Int32.max) long; this keeps
/// a header slot at 16 bytes.
public struct ByteSpan: Sendable, Equatable {
    public var offset: Int32
    public var length: Int32

    public init(offset: Int32 = 0, length: Int32 = 0) {
        self.offset = offset
        self.length = length
    }

    /// The span [start, end). Callers guarantee 0 <= start <= end <= Int32.max.
    @inline(__always)
    init(from start: Int, to end: Int) {
        self.offset = Int32(truncatingIfNeeded: start)
        self.length = Int32(truncatingIfNeeded: end &- start)
    }

    public var lowerBound: Int { Int(offset) }
    public var upperBound: Int { Int(offset) + Int(length) }
    public var range: Range<Int> { lowerBound..<upperBound }
    public var isEmpty: Bool { length == 0 }
}

/// ASCII case-insensitive comparison of a span of `bytes` with a lowercase literal, e.g. "content-type".
///
/// `literal` must be lowercase ASCII (uppercase letters in it never match). Crashes if the span
/// is not inside `bytes` (a caller bug: spans are only valid for the bytes of their `.head` call).
/// Inlinable so the server's per-header checks compile to a length test and a short loop.
@inlinable
public func spanEquals(_ span: ByteSpan, in bytes: UnsafeRawBufferPointer, lowercase literal: StaticString) -> Bool {
    if literal.hasPointerRepresentation {
        let lit = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        return ASCII.spanMatches(span, bytes, lit, prefix: false)
    }
    return literal.withUTF8Buffer { ASCII.spanMatches(span, bytes, $0, prefix: false) }
}

/// True when the span starts with the lowercase literal (ASCII case-insensitive), e.g.
/// `spanHasPrefix(name, in: bytes, lowercase: "x-docusign-signature-")`. Same rules as `spanEquals`.
@inlinable
public func spanHasPrefix(_ span: ByteSpan, in bytes: UnsafeRawBufferPointer, lowercase literal: StaticString) -> Bool {
    if literal.hasPointerRepresentation {
        let lit = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        return ASCII.spanMatches(span, bytes, lit, prefix: true)
    }
    return literal.withUTF8Buffer { ASCII.spanMatches(span, bytes, $0, prefix: true) }
}

/// The path part of a request-target: the span up to (not including) the first `?` or `#`.
public func pathSpan(of target: ByteSpan, in bytes: UnsafeRawBufferPointer) -> ByteSpan {
    precondition(target.offset >= 0 && target.length >= 0 && target.upperBound <= bytes.count, "span outside the bytes")
    var i = target.lowerBound
    while i < target.upperBound {
        let b = bytes[i]
        if b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { break }
        i += 1
    }
    return ByteSpan(from: target.lowerBound, to: i)
}
