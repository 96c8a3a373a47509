internal import Glibc

/// Reads a whole small configuration file (keys, credentials) at start-up.
///
/// Plain `open`/`read`/`close` rather than Foundation, which this module does not link. Never
/// used after start-up.
enum SmallFile {
    /// The largest file accepted. Credential files hold a few lines; anything bigger is almost
    /// certainly the wrong path (and `/dev/zero` must not be read forever).
    static let limit = 1 << 20

    /// The bytes of the file at `path`.
    /// Throws ``CredentialFileError/Code/unreadable`` (with errno) or ``CredentialFileError/Code/tooLarge``.
    static func read(path: String, role: String) throws(CredentialFileError) -> [UInt8] {
        let descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw CredentialFileError(.unreadable, path: path, role: role, systemError: errno) }
        defer { _ = close(descriptor) }

        var contents: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let count = retryingOnInterrupt { Glibc.read(descriptor, chunk.baseAddress, chunk.count) }
            if count < 0 { throw CredentialFileError(.unreadable, path: path, role: role, systemError: errno) }
            if count == 0 { break }
            contents.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            if contents.count > limit { throw CredentialFileError(.tooLarge, path: path, role: role) }
        }
        return contents
    }

    /// Repeats `call` while it fails with `EINTR`.
    private static func retryingOnInterrupt<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}
