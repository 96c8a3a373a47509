import Foundation

/// One command-line flag: `--name VALUE` (or `--name=VALUE`), or a switch `--name`.
/// Every flag can also come from the environment as `CONNECT_NAME` (dashes become
/// underscores); a flag on the command line wins over the environment.
struct FlagSpec {
    let name: String
    let valueName: String?        // nil for a switch
    let defaultText: String
    let help: String
    var repeatable = false
    /// How a repeatable flag's environment variable separates its values.
    var environmentSeparator: Character = ":"

    var environmentName: String { "CONNECT_" + name.uppercased().replacingOccurrences(of: "-", with: "_") }
}

/// Why parsing flags failed: one line naming the flag.
struct FlagError: Error, CustomStringConvertible {
    let description: String
}

/// The values given, by flag name. Later occurrences win, except for repeatable flags.
struct ParsedFlags {
    var values: [String: [String]] = [:]
    var sources: [String: String] = [:]   // "flag" or the environment variable, for error messages
    var positional: [String] = []

    func last(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func isSet(_ name: String) -> Bool { values[name] != nil }
    /// How to name the origin of a value in an error: "--port" or "CONNECT_PORT".
    func origin(_ name: String) -> String { sources[name] ?? "--\(name)" }
}

enum FlagParser {
    /// Parses `arguments` against `specs`, then fills unset flags from `environment`.
    static func parse(_ arguments: [String], specs: [FlagSpec], environment: [String: String]) throws -> ParsedFlags {
        var parsed = ParsedFlags()
        let byName = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                parsed.positional.append(argument)
                continue
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = byName[name] else { throw FlagError(description: "unknown flag --\(name) (see --help)") }
            let value: String
            if spec.valueName == nil {
                guard inlineValue == nil else { throw FlagError(description: "--\(name) takes no value") }
                value = "true"
            } else if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw FlagError(description: "--\(name) needs a value (\(spec.valueName!))") }
                value = arguments[index]
                index += 1
            }
            if spec.repeatable { parsed.values[name, default: []].append(value) } else { parsed.values[name] = [value] }
            parsed.sources[name] = "--\(name)"
        }
        for spec in specs where parsed.values[spec.name] == nil {
            if let value = environment[spec.environmentName] {
                if spec.valueName == nil {
                    guard ["1", "true", "yes"].contains(value.lowercased()) || ["0", "false", "no", ""].contains(value.lowercased()) else {
                        throw FlagError(description: "\(spec.environmentName)=\(value): expected true or false")
                    }
                    if ["1", "true", "yes"].contains(value.lowercased()) { parsed.values[spec.name] = ["true"] }
                } else {
                    parsed.values[spec.name] = spec.repeatable ? value.split(separator: spec.environmentSeparator).map(String.init) : [value]
                }
                parsed.sources[spec.name] = spec.environmentName
            }
        }
        return parsed
    }

    /// The `--help` text: one line per flag with its default and environment variable.
    static func help(usage: String, summary: String, specs: [FlagSpec]) -> String {
        var text = "usage: \(usage)\n\n\(summary)\n\nflags (each also settable as the environment variable shown; the flag wins):\n"
        for spec in specs {
            let left = "  --\(spec.name)" + (spec.valueName.map { " \($0)" } ?? "")
            let pad = String(repeating: " ", count: max(1, 30 - left.count))
            text += left + pad + spec.help
            text += spec.defaultText.isEmpty ? "" : " (default: \(spec.defaultText))"
            text += "  [\(spec.environmentName)]\n"
        }
        return text
    }
}

/// Parsing of the value forms flags take.
enum FlagValue {
    /// Sizes: plain bytes or with a suffix K/KiB/M/MiB/G/GiB (all powers of 1024).
    static func bytes(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                        ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let n = Int64(text.dropLast(suffix.count)), n >= 0 else { return nil }
            let (product, overflow) = n.multipliedReportingOverflow(by: scale)
            return overflow ? nil : product
        }
        guard let n = Int64(text), n >= 0 else { return nil }
        return n
    }

    /// Durations: plain seconds or with a suffix ms/s/m/h/d. Returns nanoseconds.
    static func duration(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n >= 0, n.isFinite else { return nil }
            return Int64(n * scale)
        }
        guard let n = Double(text), n >= 0, n.isFinite else { return nil }
        return Int64(n * 1e9)
    }
}
