import IngestSystem
import Synchronization

/// Deletes the oldest whole segments when the log is over its byte budget (`--retain-bytes`)
/// or when their newest record is older than `--retain-age`.
///
/// Never deletes the active segment or anything after it, and never a segment that is not
/// settled (one that still has a streaming record in flight): deletion stops at the first
/// segment that must stay, so what remains is always a contiguous run of the newest segments.
/// Readers that have a deleted segment mapped keep reading it (the inode lives until unmapped).
///
/// When it runs: at open, on the log's background queue after each segment roll-over, and at
/// most once a second from the interval syncer. With sync `none`/`batch` and no new segments,
/// age-based deletion waits for the next roll-over (or the next open).
final class Retention: @unchecked Sendable {
    let directory: String
    let retainBytes: Int64?
    let retainAgeSeconds: Int64?
    private let due = Atomic<Bool>(true)

    init(directory: String, retainBytes: Int64?, retainAgeSeconds: Int64?) {
        self.directory = directory
        self.retainBytes = retainBytes
        self.retainAgeSeconds = retainAgeSeconds
    }

    var isConfigured: Bool { retainBytes != nil || retainAgeSeconds != nil }
    var isDue: Bool { isConfigured && due.load(ordering: .relaxed) }
    func noteRoll() { due.store(true, ordering: .relaxed) }
    /// True for exactly one caller after each roll-over (whoever schedules the run).
    func takeDue() -> Bool { isConfigured && due.exchange(false, ordering: .relaxed) }

    /// Deletes what the policy says; returns the deleted paths. Errors leave files in place.
    @discardableResult
    func apply(activeBase: UInt64, now: Int64 = wallClockNanoseconds()) -> [String] {
        due.store(false, ordering: .relaxed)
        guard isConfigured, let segments = try? SegmentDirectory.list(directory) else { return [] }
        var infos: [SegmentFileInfo] = []
        for segment in segments {
            guard let info = try? SegmentFileInfo.read(path: segment.path, base: segment.base) else { continue }
            infos.append(info)
        }
        var total = infos.reduce(Int64(0)) { $0 + $1.fileSize }
        let ageLimit = retainAgeSeconds.map { now - $0 * 1_000_000_000 }
        var deleted: [String] = []
        for info in infos where info.base < activeBase {
            guard info.isSettledAndWhole, let hints = info.hints else { break }
            let overBytes = retainBytes.map { total > $0 } ?? false
            let tooOld = ageLimit.map { hints.newestReceivedAt < $0 } ?? false
            guard overBytes || tooOld else { break }
            do { try Directory.unlink(info.path) } catch { break }
            total -= info.fileSize
            deleted.append(info.path)
        }
        return deleted
    }
}
