import COpenSSL

/// A failure reported by libssl or libcrypto while building a TLS context or loading PEM files.
/// `description` is one line: what was being done, then the library's own reason.
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// `what`, followed by the reasons libssl queued on this thread (the queue is drained).
    static func fromQueue(_ what: String) -> TLSError {
        let reasons = OpenSSLErrorQueue.drainText()
        return TLSError(reasons.isEmpty ? what : "\(what): \(reasons)")
    }
}

/// The calling thread's OpenSSL error queue.
///
/// Invariant kept by every caller in this module: after a libssl call fails, the queue is drained
/// before the thread makes its next libssl call, so `SSL_get_error` always sees only the current
/// failure (OpenSSL requires an empty queue before each I/O call; draining after failures instead
/// of clearing before every call keeps the success path free of that work).
enum OpenSSLErrorQueue {
    /// The first queued error's reason code (`ERR_GET_REASON`) and library, or nil when the queue is
    /// empty; the whole queue is emptied.
    static func drainFirst() -> (library: Int32, reason: Int32)? {
        let first = ERR_get_error()
        guard first != 0 else { return nil }
        ERR_clear_error()
        return (ci_ERR_GET_LIB(first), ci_ERR_GET_REASON(first))
    }

    /// Every queued error as text ("reason; reason"), emptying the queue.
    static func drainText() -> String {
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // "error:0A000086:SSL routines::certificate verify failed" -> keep the reason part.
            let reason = text.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? text
            if !parts.contains(reason) { parts.append(reason) }
        }
        return parts.joined(separator: "; ")
    }

    static func clear() { ERR_clear_error() }
}
