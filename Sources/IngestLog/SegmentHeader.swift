import IngestSystem

/// The immutable part of a segment header (bytes 0..<48, see RecordFormat.swift).
struct SegmentHeader: Equatable {
    /// The format version: 1 or 2 when read; new segments are written with `LogFormat.version`.
    var version: UInt16 = LogFormat.version
    var base: UInt64
    var capacity: Int
    var isOversized: Bool
    var createdAt: Int64

    /// Decodes and checks magic, version, header length and CRC; nil if any is wrong.
    static func decode(_ bytes: RawBytes) -> SegmentHeader? {
        guard bytes.count >= LogFormat.segmentHeaderLength,
              bytes.load(0, as: UInt64.self) == LogFormat.segmentMagic,
              LogFormat.readableVersions.contains(bytes.load(8, as: UInt16.self)),
              bytes.load(12, as: UInt32.self) == UInt32(LogFormat.segmentHeaderLength),
              bytes.crc32c(0, LogFormat.segmentChecksummedLength)
                == bytes.load(LogFormat.segmentChecksumOffset, as: UInt32.self)
        else { return nil }
        let capacity = bytes.load(24, as: UInt64.self)
        guard capacity >= UInt64(LogFormat.segmentHeaderLength), capacity <= UInt64(Int.max) else { return nil }
        return SegmentHeader(version: bytes.load(8, as: UInt16.self), base: bytes.load(16, as: UInt64.self),
                             capacity: Int(capacity),
                             isOversized: bytes.load(10, as: UInt16.self) & LogFormat.oversizedFlag != 0,
                             createdAt: bytes.load(32, as: Int64.self))
    }

    /// Writes all 128 header bytes: the immutable part with its CRC, and zero hints.
    func encode(into bytes: RawBytes) {
        bytes.zero(0, LogFormat.segmentHeaderLength)
        bytes.store(LogFormat.segmentMagic, at: 0)
        bytes.store(version, at: 8)
        bytes.store(isOversized ? LogFormat.oversizedFlag : 0, at: 10)
        bytes.store(UInt32(LogFormat.segmentHeaderLength), at: 12)
        bytes.store(base, at: 16)
        bytes.store(UInt64(capacity), at: 24)
        bytes.store(createdAt, at: 32)
        bytes.store(bytes.crc32c(0, LogFormat.segmentChecksummedLength), at: LogFormat.segmentChecksumOffset)
    }
}

/// The mutable hints of a segment header (bytes 64..<104). Readers use `sealedEnd` only when its
/// complement agrees and it is 8-aligned and inside the segment (else: not sealed); recovery
/// trusts `settled` segments enough to skip walking them, nothing more.
struct SegmentHints: Equatable {
    var sealedEnd: Int
    var settled: Bool
    var nextSequence: UInt64
    var newestReceivedAt: Int64

    static func load(_ bytes: RawBytes) -> SegmentHints {
        // Acquire on the sealed end first: its complement was stored before it.
        let sealed = bytes.loadWord(LogFormat.sealedEndOffset)
        let complement = bytes.loadWord(LogFormat.sealedEndComplementOffset)
        return SegmentHints(sealedEnd: sealed != 0 && complement == ~sealed ? Int(truncatingIfNeeded: sealed) : 0,
                            settled: bytes.loadWord(LogFormat.settledOffset) == LogFormat.settledMarker,
                            nextSequence: bytes.loadWord(LogFormat.nextSequenceOffset),
                            newestReceivedAt: Int64(bitPattern: bytes.loadWord(LogFormat.newestReceivedAtOffset)))
    }

    /// `sealedEnd` if the segment is sealed and the value is a plausible end for a segment of
    /// `capacity` bytes, else nil.
    func validSealedEnd(capacity: Int) -> Int? {
        guard sealedEnd >= LogFormat.segmentHeaderLength, sealedEnd <= capacity, sealedEnd & 7 == 0 else { return nil }
        return sealedEnd
    }
}

/// A segment file's header read with `pread`, without mapping it: for recovery and retention,
/// which look at many segments and map few.
struct SegmentFileInfo {
    let path: String
    let base: UInt64
    let fileSize: Int64
    let header: SegmentHeader?
    let hints: SegmentHints?

    /// True when the segment is sealed and settled, its header intact and its file whole.
    var isSettledAndWhole: Bool {
        guard let header, let hints, hints.settled, header.base == base,
              Int64(header.capacity) == fileSize, hints.validSealedEnd(capacity: header.capacity) != nil else { return false }
        return true
    }

    static func read(path: String, base: UInt64) throws(LogError) -> SegmentFileInfo {
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(path, .readOnly) } catch { throw LogError.io("open", path, error) }
        defer { fd.close() }
        let size: Int64
        do { size = try fd.size() } catch { throw LogError.io("fstat", path, error) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LogFormat.segmentHeaderLength, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let got: Int
        do { got = try fd.read(into: buffer, at: 0) } catch { throw LogError.io("pread", path, error) }
        guard got == LogFormat.segmentHeaderLength else {
            return SegmentFileInfo(path: path, base: base, fileSize: size, header: nil, hints: nil)
        }
        let bytes = RawBytes(base: buffer.baseAddress!, count: buffer.count)
        return SegmentFileInfo(path: path, base: base, fileSize: size, header: SegmentHeader.decode(bytes),
                               hints: SegmentHints.load(bytes))
    }
}

/// The segment files of a log directory, sorted by base sequence.
enum SegmentDirectory {
    static func list(_ directory: String) throws(LogError) -> [(base: UInt64, path: String)] {
        let names: [String]
        do { names = try Directory.entries(directory) } catch { throw LogError.io("opendir", directory, error) }
        return names.compactMap { name in
            LogFormat.base(ofSegmentName: name).map { (base: $0, path: directory + "/" + name) }
        }.sorted { $0.base < $1.base }
    }

    static func path(_ directory: String, base: UInt64) -> String {
        directory + "/" + LogFormat.segmentName(base: base)
    }
}
