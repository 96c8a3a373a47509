import Foundation
import IngestLog
import IngestSystem

/// `connect-ingest verify --log-dir DIR`
///
/// Walks every record of every segment, checks every checksum, and prints the counts and one
/// line per piece of damage (`VerifyReport.description`). Read-only; safe while a server runs.
/// Exit status: 0 no damage, 1 damage found, 2 usage error or the log could not be read.
func runVerify(arguments: [String]) -> Int32 {
    if arguments.contains("--help") || arguments.contains("-h") {
        print("usage: connect-ingest verify --log-dir DIR\n\nWalks every record of every segment, checks every "
              + "checksum, prints counts and damage.\nExit status: 0 no damage, 1 damage, 2 usage or I/O error.")
        return 0
    }
    var directory = "./connect-log"
    var parser = LogCLIFlagParser(arguments)
    do {
        while let flag = try parser.nextFlag() {
            switch flag {
            case "--log-dir": directory = try parser.value(for: flag)
            default: throw ReadCommandOptions.UsageError(description: "unknown option \(flag)")
            }
        }
    } catch {
        LogCLI.errorLine("connect-ingest verify: \(error)\nusage: connect-ingest verify --log-dir DIR")
        return 2
    }
    let report: VerifyReport
    do { report = try verifyLog(directory: directory) } catch {
        LogCLI.errorLine("connect-ingest verify: \(error)")
        return 2
    }
    let text = Array(("log \(directory)\n" + report.description).utf8)
    _ = try? text.withUnsafeBytes { try LogCLI.standardOutput.writeAll($0) }
    return report.isClean ? 0 : 1
}
