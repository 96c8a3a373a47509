import BenchSupport
import Foundation

/// `connect-bench micro [--seconds S] [--only NAME] [--match TEXT] [--iterations N] [--json]`: the
/// modules' micro-benchmarks. `--iterations` runs a fixed amount of work instead of a time (for
/// instruction counts under callgrind); `--match` picks benchmarks by name (JSON suite).
///
/// Each module owner provides `Micro/<Module>Micro.swift` with `run<Module>Micro(minimumSeconds:)`;
/// each benchmark checks its own answer, so the optimizer cannot skip the work.
func runMicroCommand(_ arguments: [String]) -> Int32 {
    var seconds = 1.0
    var only: String?
    var json = false
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--seconds":
            i += 1
            guard i < arguments.count, let s = Double(arguments[i]), s > 0 else {
                FileHandle.standardError.write(Data("--seconds: expected a positive number\n".utf8))
                return 2
            }
            seconds = s
        case "--only":
            i += 1
            guard i < arguments.count, ["http", "json", "xml", "hmac", "oauth", "log", "dedup"].contains(arguments[i]) else {
                FileHandle.standardError.write(Data("--only: expected http, json, xml, hmac, oauth, log or dedup\n".utf8))
                return 2
            }
            only = arguments[i]
        case "--iterations":
            i += 1
            guard i < arguments.count, let n = Int(arguments[i]), n > 0 else {
                FileHandle.standardError.write(Data("--iterations: expected a positive integer\n".utf8))
                return 2
            }
            microFixedIterations = n
        case "--match":
            i += 1
            guard i < arguments.count else {
                FileHandle.standardError.write(Data("--match: expected text\n".utf8))
                return 2
            }
            microNameFilter = arguments[i]
        case "--json":
            json = true
        case "--help", "-h":
            print(BenchOptions.helpText)
            return 0
        default:
            FileHandle.standardError.write(Data("\(arguments[i]): unknown flag for micro (see --help)\n".utf8))
            return 2
        }
        i += 1
    }
    let suites: [(name: String, run: (Double) -> [MicroResult])] = [
        ("http", { runHTTPMicro(minimumSeconds: $0) }),
        ("json", { runJSONMicro(minimumSeconds: $0) }),
        ("xml", { runXMLMicro(minimumSeconds: $0) }),
        ("hmac", { runHMACMicro(minimumSeconds: $0) }),
        ("oauth", { runOAuthMicro(minimumSeconds: $0) }),
        ("log", { runLogMicro(minimumSeconds: $0) }),
        ("dedup", { runDedupMicro(minimumSeconds: $0) }),
    ]
    for suite in suites where only == nil || only == suite.name {
        for result in suite.run(seconds) {
            if json {
                let object: [String: Any] = [
                    "suite": suite.name, "name": result.name, "operations": result.operations,
                    "nanosecondsPerOperation": result.nanosecondsPerOperation,
                    "operationsPerSecond": result.operationsPerSecond,
                    "bytesPerOperation": result.bytesPerOperation,
                    "gigabytesPerSecond": result.gigabytesPerSecond, "note": result.note,
                ]
                if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                    print(String(decoding: data, as: UTF8.self))
                }
            } else {
                var line = "\(suite.name)  \(result.name.padding(toLength: 36, withPad: " ", startingAt: 0))"
                line += String(format: " %12.1f ns/op %14.0f op/s", result.nanosecondsPerOperation, result.operationsPerSecond)
                if result.bytesPerOperation > 0 { line += String(format: " %8.3f GB/s", result.gigabytesPerSecond) }
                if !result.note.isEmpty { line += "  \(result.note)" }
                print(line)
            }
        }
    }
    return 0
}
