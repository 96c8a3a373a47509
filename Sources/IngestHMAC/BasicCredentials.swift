/// The one `user:password` pair accepted with HTTP Basic authentication (`--basic-auth-file`).
///
/// Only the SHA-256 of the expected token (`base64(user:password)`) is kept. ``matches(authorizationValue:)``
/// hashes the offered token and compares the two digests with `CRYPTO_memcmp`: the comparison
/// takes the same time wherever the tokens differ and whatever their lengths, so neither the
/// password nor its length leaks through timing. The description never shows the credentials.
public struct BasicCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let expectedTokenDigest: Digest

    /// The credentials `user:password` as bytes (precondition: they contain a `:`; user names
    /// cannot contain one, passwords can). ``load(file:)`` checks this and throws instead.
    public init(userColonPassword: [UInt8]) {
        precondition(userColonPassword.contains(UInt8(ascii: ":")), "Basic credentials must be user:password")
        let token = Base64.encode(userColonPassword)
        expectedTokenDigest = token.withUnsafeBytes { SHA256State.hash($0) }
    }

    /// Reads `user:password` from `file`, dropping trailing line breaks (`\n`, `\r\n`).
    /// Throws ``CredentialFileError/Code/unreadable``, ``CredentialFileError/Code/tooLarge`` or
    /// ``CredentialFileError/Code/noColon``; the error never contains the file's contents.
    public static func load(file: String) throws(CredentialFileError) -> BasicCredentials {
        let role = "Basic authentication file"
        var contents = try SmallFile.read(path: file, role: role)
        while let last = contents.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            contents.removeLast()
        }
        guard contents.contains(UInt8(ascii: ":")) else { throw CredentialFileError(.noColon, path: file, role: role) }
        return BasicCredentials(userColonPassword: contents)
    }

    /// True when `authorizationValue` (an `Authorization` header value) is `Basic <token>` with the
    /// scheme in any case, one or more spaces, and exactly the expected base64 token. Surrounding
    /// spaces and tabs are ignored. Anything else, including another scheme (`Bearer`), a token in
    /// another spelling or invalid base64, is a mismatch. Allocation-free.
    public func matches(authorizationValue: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        var end = authorizationValue.count
        while start < end, BasicCredentials.isBlank(authorizationValue[start]) { start += 1 }
        while end > start, BasicCredentials.isBlank(authorizationValue[end - 1]) { end -= 1 }
        let scheme = "basic".utf8
        guard end - start > scheme.count else { return false }
        for (offset, expected) in scheme.enumerated() where authorizationValue[start + offset] | 0x20 != expected {
            return false
        }
        var tokenStart = start + scheme.count
        guard BasicCredentials.isBlank(authorizationValue[tokenStart]) else { return false }
        while tokenStart < end, BasicCredentials.isBlank(authorizationValue[tokenStart]) { tokenStart += 1 }
        guard tokenStart < end else { return false }
        let token = UnsafeRawBufferPointer(rebasing: authorizationValue[tokenStart..<end])
        return ConstantTime.equals(SHA256State.hash(token), expectedTokenDigest)
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    public var description: String { "BasicCredentials(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

