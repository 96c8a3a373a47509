import IngestLog

/// Reads every trusted record's body from a log folder.
struct IngestLogReaderShim {
    let directory: String
    init(directory: String) throws { self.directory = directory }
    func allBodies() throws -> [[UInt8]] {
        let reader = try LogReader(directory: directory)
        var bodies: [[UInt8]] = []
        while let record = try reader.next() { bodies.append(record.body) }
        return bodies
    }
}
