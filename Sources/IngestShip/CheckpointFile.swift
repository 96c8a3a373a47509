#if canImport(Glibc)
import Glibc
#endif
import IngestSystem

/// The shipper's durable position: the sequence number below which every record of the log was
/// acknowledged by the stream (or filtered out). A restart resumes reading there.
///
/// Stored as one line of decimal digits. Written atomically: a temporary file in the same
/// folder is written and fsynced, renamed over the old one, and the folder fsynced, so after a
/// crash the file holds either the old or the new value, never a torn one.
public struct CheckpointFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct CheckpointError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The stored sequence, or nil when the file does not exist.
    public func load() throws(CheckpointError) -> UInt64? {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, .readOnly) } catch {
            if error == .noSuchFile { return nil }
            throw CheckpointError(description: "cannot open checkpoint \(path): \(error)")
        }
        defer { fd.close() }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { raw in Glibc.pread(fd.rawValue, raw.baseAddress, raw.count, 0) }
        guard n >= 0 else { throw CheckpointError(description: "cannot read checkpoint \(path): \(Errno.current)") }
        var text = buffer[0..<n]
        while let last = text.last, last == 0x0A || last == 0x0D || last == 0x20 { text = text.dropLast() }
        guard let value = UInt64(String(decoding: text, as: UTF8.self)) else {
            throw CheckpointError(description: "checkpoint \(path) does not hold a sequence number")
        }
        return value
    }

    /// Replaces the stored value durably (see the type's documentation).
    public func store(_ sequence: UInt64) throws(CheckpointError) {
        let temporary = path + ".tmp"
        let bytes = Array("\(sequence)\n".utf8)
        do {
            let fd = try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate], mode: 0o640)
            do {
                let written = bytes.withUnsafeBytes { raw in Glibc.write(fd.rawValue, raw.baseAddress, raw.count) }
                if written != bytes.count { throw written < 0 ? Errno.current : Errno.noSpace }
                try fd.synchronize()
            } catch {
                fd.close()
                throw error
            }
            fd.close()
            try Directory.rename(temporary, to: path)
            try Directory.synchronize(folder)
        } catch {
            throw CheckpointError(description: "cannot write checkpoint \(path): \(error)")
        }
    }

    var folder: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}
