import Foundation
import XCTest

/// What the page cache holds of a file, for the tests of the writer's and readers' cache release.
enum PageCache {
    /// Whether the longest mount point in /proc/mounts that contains `path` is a tmpfs.
    static func isTmpfs(_ path: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return false }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var best: (length: Int, type: String) = (-1, "")
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = String(fields[1])
            let inside = resolved == point || resolved.hasPrefix(point == "/" ? "/" : point + "/")
            if inside && point.count > best.length { best = (point.count, String(fields[2])) }
        }
        return best.type == "tmpfs"
    }

    /// How many of the file's pages are in the page cache (`mincore` over a fresh read-only
    /// mapping, which does not bring any in).
    static func residentPages(_ path: String) throws -> (resident: Int, pages: Int, headerResident: Bool) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let length = Int(st.st_size)
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else {
            throw POSIXError(.ENOMEM)
        }
        defer { munmap(map, length) }
        let pages = (length + 4095) / 4096
        var vector = [UInt8](repeating: 0, count: pages)
        XCTAssertEqual(mincore(map, length, &vector), 0)
        return (vector.filter { $0 & 1 != 0 }.count, pages, vector[0] & 1 != 0)
    }
}
