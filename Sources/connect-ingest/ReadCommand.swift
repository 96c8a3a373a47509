import Foundation
import IngestHMAC
import IngestLog
import IngestSystem
import Synchronization

/// `connect-ingest read --log-dir DIR [--from SEQ] [--follow] [--format jsonl|raw]
///                      [--event NAME] [--configuration-id ID] [--envelope-id ID]
///                      [--account-id GUID] [--unique]`
///
/// Prints the valid records of a log in sequence order.
/// - `jsonl` (default): one JSON object per line with `seq`, `receivedAt` (RFC 3339 UTC,
///   microseconds), `event`, `configurationId`, `envelopeId`, `generatedDateTime`, `accountId`
///   (strings, or `null` when absent), `format` (`"json"` or `"xml"`: how the body was scanned),
///   `messageId` (32 hex digits, or `null`), `duplicateOf` (the first copy's `seq` for a record
///   flagged duplicate, else `null`), `flags` (an array of flag names, e.g. `["signatureVerified",
///   "jsonWellFormed","hasEvent"]`; unknown bits as `"bitN"`), and `body`: the exact body bytes
///   as a JSON string, or `bodyBase64` (standard base64) instead when the bytes are not valid UTF-8.
///   Field values that are not valid UTF-8 are printed with U+FFFD replacements. Keys are only
///   ever added to this object; an existing key never changes meaning.
/// - `raw`: the body bytes alone, byte-exact, each followed by a newline.
/// Filters compare the stored field bytes exactly (the account id as a GUID, in either case); a
/// record without the field does not match. `--unique` leaves out records flagged duplicate.
/// `--follow` keeps printing as records are appended (polling every 20 ms when idle), across
/// segments, until SIGINT or SIGTERM, or until stdout is closed (EPIPE); all three exit 0.
/// Damage met on the way is reported on stderr (use `verify` for a full check).
/// Exit status: 0 done, 1 the log could not be read, 2 usage error.
func runRead(arguments: [String]) -> Int32 {
    if arguments.contains("--help") || arguments.contains("-h") {
        print(ReadCommandOptions.help, terminator: "")
        return 0
    }
    let options: ReadCommandOptions
    do { options = try ReadCommandOptions(arguments) } catch {
        LogCLI.errorLine("connect-ingest read: \(error)\n\(ReadCommandOptions.usage)")
        return 2
    }
    let stop = LogCLIStopSignals()
    let output = LogCLIOutput()
    do {
        let reader = try LogReader(directory: options.directory, fromSequence: options.from, releasingPassedSegments: true)
        var reportedDamage = 0
        while !stop.requested {
            guard let record = try reader.next() else {
                for line in reader.damage.dropFirst(reportedDamage) { LogCLI.errorLine("damage: \(line)") }
                reportedDamage = reader.damage.count
                try output.flush()
                if !options.follow { break }
                // While idle, notice a reader that went away (`read --follow | head -1`) without
                // waiting for the next record: a pipe whose read end closed polls as POLLERR.
                var out = pollfd(fd: 1, events: Int16(POLLOUT), revents: 0)
                if poll(&out, 1, 0) > 0 && (out.revents & Int16(POLLERR | POLLHUP)) != 0 { return 0 }
                usleep(20_000)
                continue
            }
            guard options.matches(record, onlyCopy: reader.standsInForFirstCopy(record)) else { continue }
            switch options.format {
            case .jsonl: LogRecordJSON.append(record, to: &output.bytes)
            case .raw:
                output.bytes += record.body
                output.bytes.append(0x0A)
            }
            if output.bytes.count >= 64 << 10 { try output.flush() }
        }
        try output.flush()
        return 0
    } catch let error as Errno where error == .brokenPipe {
        return 0
    } catch {
        LogCLI.errorLine("connect-ingest read: \(error)")
        return 1
    }
}

/// The parsed command line of `read`.
struct ReadCommandOptions {
    enum Format { case jsonl, raw }
    var directory = "./connect-log"
    var from: UInt64 = 0
    var follow = false
    var format = Format.jsonl
    var event: [UInt8]?
    var configurationId: [UInt8]?
    var envelopeId: [UInt8]?
    var accountId: AccountID?
    var unique = false

    static let usage = "usage: connect-ingest read --log-dir DIR [--from SEQ] [--follow] [--format jsonl|raw] "
        + "[--event NAME] [--configuration-id ID] [--envelope-id ID] [--account-id GUID] [--unique]"

    static let help = usage + """


        Prints the log's valid records in sequence order (damage is reported on stderr and skipped).
          --log-dir DIR            the log directory (default ./connect-log)
          --from SEQ               start at the first record with sequence number >= SEQ
          --follow                 keep printing records as they are appended; stop with SIGINT/SIGTERM
          --format jsonl|raw       jsonl (default): one object per record with seq, receivedAt, event,
                                   configurationId, envelopeId, generatedDateTime, accountId (null when
                                   absent), format (json|xml), messageId (hex or null), duplicateOf
                                   (seq of the first copy, or null), flags (array of names) and body
                                   (exact bytes as a JSON string) or bodyBase64 (when not UTF-8);
                                   raw: the bodies, one per line
          --event NAME, --configuration-id ID, --envelope-id ID, --account-id GUID
                                   only records whose field equals the value
          --unique                 leave out records flagged duplicate (redeliveries of a message
                                   already in the log)

        """

    struct UsageError: Error, CustomStringConvertible { let description: String }

    init(_ arguments: [String]) throws {
        var parser = LogCLIFlagParser(arguments)
        while let flag = try parser.nextFlag() {
            switch flag {
            case "--log-dir": directory = try parser.value(for: flag)
            case "--from":
                guard let value = UInt64(try parser.value(for: flag)) else { throw UsageError(description: "--from needs a sequence number") }
                from = value
            case "--follow": follow = true
            case "--format":
                switch try parser.value(for: flag) {
                case "jsonl": format = .jsonl
                case "raw": format = .raw
                case let other: throw UsageError(description: "unknown format \(other)")
                }
            case "--event": event = Array(try parser.value(for: flag).utf8)
            case "--configuration-id": configurationId = Array(try parser.value(for: flag).utf8)
            case "--envelope-id": envelopeId = Array(try parser.value(for: flag).utf8)
            case "--account-id":
                let text = try parser.value(for: flag)
                guard let id = AccountID(text) else { throw UsageError(description: "--account-id needs a GUID, got \(text)") }
                accountId = id
            case "--unique": unique = true
            default: throw UsageError(description: "unknown option \(flag)")
            }
        }
    }

    /// `onlyCopy`: the record is flagged duplicate but its first copy is not in the log (see
    /// `LogReader.standsInForFirstCopy`), so `--unique` keeps it.
    func matches(_ record: LogRecord, onlyCopy: Bool = false) -> Bool {
        if let event, record.event != event { return false }
        if let configurationId, record.configurationId != configurationId { return false }
        if let envelopeId, record.envelopeId != envelopeId { return false }
        if let accountId {
            guard let stored = record.accountId,
                  stored.withUnsafeBytes({ AccountID(text: $0) }) == accountId else { return false }
        }
        if unique && record.isDuplicate && !onlyCopy { return false }
        return true
    }
}

/// `--flag value` and `--flag=value` parsing shared by `read` and `verify`.
struct LogCLIFlagParser {
    private var arguments: ArraySlice<String>
    private var pendingValue: String?

    init(_ arguments: [String]) { self.arguments = arguments[...] }

    mutating func nextFlag() throws -> String? {
        guard let argument = arguments.popFirst() else { return nil }
        guard argument.hasPrefix("--") else { throw ReadCommandOptions.UsageError(description: "unexpected argument \(argument)") }
        if let equals = argument.firstIndex(of: "=") {
            pendingValue = String(argument[argument.index(after: equals)...])
            return String(argument[..<equals])
        }
        pendingValue = nil
        return argument
    }

    mutating func value(for flag: String) throws -> String {
        if let value = pendingValue { pendingValue = nil; return value }
        guard let value = arguments.popFirst() else { throw ReadCommandOptions.UsageError(description: "\(flag) needs a value") }
        return value
    }
}

/// Collects output and writes it to stdout in large pieces. EPIPE surfaces as `Errno.brokenPipe`.
final class LogCLIOutput {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(80 << 10) }
    func flush() throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try LogCLI.standardOutput.writeAll($0) }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// SIGINT and SIGTERM set a flag the main loop checks; SIGPIPE is ignored so that a closed
/// stdout shows up as EPIPE from write and ends the command cleanly.
///
/// The stop signals are blocked in the calling thread, the main thread before the command starts
/// any other, and so in every thread after, before `init` returns; a thread of its own collects
/// them with `sigwait`. A signal that comes at any moment after `init` stays pending until it is
/// collected: never lost. (A Dispatch signal source is set up asynchronously on Dispatch's
/// manager thread; with the signals ignored until then, a SIGTERM right after start-up was
/// discarded and the command ran on until SIGKILL.)
final class LogCLIStopSignals: @unchecked Sendable {
    private final class Flag: Sendable { let value = Atomic<Bool>(false) }
    private let flag = Flag()

    init() {
        let signals = [SIGINT, SIGTERM]
        Signals.block(signals)
        let flag = self.flag
        do {
            _ = try OSThread.start(name: "stop-signals") {
                while true {
                    _ = Signals.wait(for: signals)
                    flag.value.store(true, ordering: .relaxed)
                }
            }
        } catch {
            // Without the collecting thread the signals would stay blocked forever: let them
            // stop the process the default way instead.
            var set = sigset_t()
            sigemptyset(&set)
            for number in signals { sigaddset(&set, number) }
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
        }
    }

    var requested: Bool { flag.value.load(ordering: .relaxed) }
}

/// The standard streams, for the log subcommands (names kept apart from the rest of the CLI).
enum LogCLI {
    static let standardOutput = FileDescriptor(rawValue: 1)
    static let standardError = FileDescriptor(rawValue: 2)

    /// Writes one line to stderr, ignoring failures (nowhere left to report them).
    static func errorLine(_ text: String) {
        var line = Array(text.utf8)
        line.append(0x0A)
        _ = try? line.withUnsafeBytes { try standardError.writeAll($0) }
    }
}

/// The `jsonl` line of one record (format in `runRead`'s documentation).
enum LogRecordJSON {
    static func append(_ record: LogRecord, to out: inout [UInt8]) {
        out += Array("{\"seq\":\(record.sequence),\"receivedAt\":\"".utf8)
        out += Array(rfc3339(nanoseconds: record.receivedAtNanoseconds).utf8)
        out += Array("\",\"event\":".utf8)
        appendField(record.event, to: &out)
        out += Array(",\"configurationId\":".utf8)
        appendField(record.configurationId, to: &out)
        out += Array(",\"envelopeId\":".utf8)
        appendField(record.envelopeId, to: &out)
        out += Array(",\"generatedDateTime\":".utf8)
        appendField(record.generatedDateTime, to: &out)
        out += Array(",\"accountId\":".utf8)
        appendField(record.accountId, to: &out)
        out += Array((record.isXML ? ",\"format\":\"xml\"" : ",\"format\":\"json\"").utf8)
        out += Array(",\"messageId\":".utf8)
        out += Array((record.messageId.map { "\"\($0.hex)\"" } ?? "null").utf8)
        out += Array(",\"duplicateOf\":".utf8)
        out += Array((record.duplicateOf.map { "\($0)" } ?? "null").utf8)
        out += Array(",\"flags\":[".utf8)
        for (index, name) in record.flags.nameList.enumerated() {
            if index > 0 { out.append(0x2C) }
            appendString(Array(name.utf8), to: &out)
        }
        out.append(0x5D)
        if String(validating: record.body, as: UTF8.self) != nil {
            out += Array(",\"body\":".utf8)
            appendString(record.body, to: &out)
        } else {
            out += Array(",\"bodyBase64\":\"".utf8)
            out += Array(Data(record.body).base64EncodedString().utf8)
            out.append(0x22)
        }
        out += Array("}\n".utf8)
    }

    /// A JSON string, or `null` for an absent field. Invalid UTF-8 becomes U+FFFD.
    static func appendField(_ bytes: [UInt8]?, to out: inout [UInt8]) {
        guard let bytes else { out += Array("null".utf8); return }
        if String(validating: bytes, as: UTF8.self) != nil {
            appendString(bytes, to: &out)
        } else {
            appendString(Array(String(decoding: bytes, as: UTF8.self).utf8), to: &out)
        }
    }

    /// Quotes valid UTF-8 as a JSON string: escapes `"`, `\\` and control characters; every
    /// other byte is copied, so the string decodes to exactly these bytes.
    static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(0x22)
        for byte in bytes {
            switch byte {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0..<0x20: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// `2024-05-01T12:34:56.789012Z`: UTC, microseconds (truncated toward the past).
    static func rfc3339(nanoseconds: Int64) -> String {
        let (seconds, fraction) = floorDivide(nanoseconds, 1_000_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let date = CivilDate.date(daysSinceEpoch: Int(days))
        let (year, month, day) = (Int64(date.year), Int64(date.month), Int64(date.day))
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let micro = String(fraction / 1000)
        let micros = String(repeating: "0", count: 6 - micro.count) + micro
        let yearText = year >= 0 && year < 10000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):"
            + "\(two(secondOfDay % 60)).\(micros)Z"
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }
}
