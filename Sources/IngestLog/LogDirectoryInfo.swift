import IngestSystem

/// Facts about a log directory read from its segment headers alone: no writer lock, no mapping,
/// no recovery. For the duplicate index, which must know where a crash may have left work
/// unfinished (read it before `MessageLog.open`, whose recovery settles what it walks) and where
/// the records of a time window start.
public enum LogDirectoryInfo {
    /// The base sequence of the first segment recovery will walk: the first one that is not
    /// settled (a reservation in it may have been left unfinished by a crash), or else the last
    /// one (always walked). Every record a crashed writer had reserved but not yet published has
    /// a sequence number at or above it. 0 when the directory holds no segment (or does not exist).
    public static func unsettledFrom(directory: String) throws -> UInt64 {
        guard Directory.exists(directory) else { return 0 }
        let segments = try SegmentDirectory.list(directory)
        for (index, entry) in segments.enumerated() {
            if index == segments.count - 1 { return entry.base }
            let info = try SegmentFileInfo.read(path: entry.path, base: entry.base)
            if !info.isSettledAndWhole { return entry.base }
        }
        return 0
    }

    /// A sequence number no greater than that of any record received at or after `time`
    /// (nanoseconds since the epoch): the base of the first segment that is not settled or whose
    /// newest record is not older than `time`. Segments before it hold only older records.
    public static func firstSequence(receivedAtOrAfter time: Int64, directory: String) throws -> UInt64 {
        guard Directory.exists(directory) else { return 0 }
        let segments = try SegmentDirectory.list(directory)
        for entry in segments {
            let info = try SegmentFileInfo.read(path: entry.path, base: entry.base)
            guard info.isSettledAndWhole, let hints = info.hints, hints.newestReceivedAt < time else { return entry.base }
        }
        return segments.last.map { $0.base } ?? 0
    }
}
