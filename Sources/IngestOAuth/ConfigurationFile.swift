import IngestSystem

/// Reads a whole small configuration file (a JWKS) at start-up or reload, never per request.
enum ConfigurationFile {
    /// The bytes of the file at `path`; throws when it cannot be read or exceeds `limit` bytes.
    static func read(path: String, limit: Int) throws(ConfigurationFileError) -> [UInt8] {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(path, .readOnly)
        } catch {
            throw ConfigurationFileError(description: "cannot open: \(error)")
        }
        defer { descriptor.close() }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count: Int?
            do {
                count = try chunk.withUnsafeMutableBytes { buffer throws(Errno) in try descriptor.read(into: buffer) }
            } catch {
                throw ConfigurationFileError(description: "cannot read: \(error)")
            }
            guard let count, count > 0 else { break }
            contents.append(contentsOf: chunk[0..<count])
            if contents.count > limit { throw ConfigurationFileError(description: "larger than \(limit) bytes; is it the right file?") }
        }
        return contents
    }
}

struct ConfigurationFileError: Error, CustomStringConvertible {
    let description: String
}
