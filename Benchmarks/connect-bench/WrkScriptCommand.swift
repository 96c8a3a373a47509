import BenchSupport
import Foundation

/// `connect-bench wrk-script --payload small|summary [--min-bytes N] [--recipients N] [--seed S] --hmac-key K`:
/// prints a self-contained wrk Lua script that POSTs one signed Connect body, for the wrk
/// cross-check in perf/run-suite.sh (a second generator, so a result does not rest on
/// connect-bench alone).
///
/// The body is the first one the load generator would build for the payload and seed whose size
/// is at least `--min-bytes`, so wrk sends the same kind of bytes connect-bench does; with
/// `--recipients N` every envelope has N signers (`--payload summary --recipients 5 --min-bytes
/// 6000` gives the ~6.4 KB envelope-completed summary of the perf suite). The script carries the body as a Lua
/// string with every byte outside printable ASCII escaped, and its `X-DocuSign-Signature-1`.
/// One fixed body: every request is the same message (the server stores each copy).
func runWrkScriptCommand(_ arguments: [String]) -> Int32 {
    var payload = PayloadKind.small
    var minimumBytes = 0
    var seed: UInt64 = 1
    var recipients: Int?
    var key: String?
    var i = 0
    func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("connect-bench wrk-script: \(message)\n".utf8))
        return 2
    }
    while i < arguments.count {
        let flag = arguments[i]
        i += 1
        let value: String? = i < arguments.count ? arguments[i] : nil
        switch flag {
        case "--payload":
            guard let value, let kind = PayloadKind.parse(value), kind == .small || kind == .summary || kind == .mix else {
                return fail("--payload: expected small, summary or mix")
            }
            payload = kind
        case "--min-bytes":
            guard let value, let n = Int(value), n >= 0 else { return fail("--min-bytes: expected a byte count") }
            minimumBytes = n
        case "--recipients":
            guard let value, let n = Int(value), n >= 1, n <= 50 else { return fail("--recipients: expected 1 to 50") }
            recipients = n
        case "--seed":
            guard let value, let s = UInt64(value) else { return fail("--seed: expected an unsigned integer") }
            seed = s
        case "--hmac-key":
            guard let value, !value.isEmpty else { return fail("--hmac-key: expected the key") }
            key = value
        default:
            return fail("\(flag): unknown flag (flags: --payload, --min-bytes, --recipients, --seed, --hmac-key)")
        }
        i += 1
    }
    guard let key else { return fail("--hmac-key is required") }

    var settings = PayloadSettings(kind: payload, seed: seed)
    settings.recipients = recipients
    var generator = PayloadGenerator(settings: settings, firstIndex: 0)
    var body: [UInt8] = []
    var tries = 0
    repeat {
        generator.next(into: &body)
        tries += 1
    } while body.count < minimumBytes && tries < 100_000
    guard body.count >= minimumBytes else { return fail("no \(payload.name) body of \(minimumBytes) bytes or more") }
    let signature = String(decoding: RequestSigner(key: key).signature(of: body), as: UTF8.self)

    print("-- Written by `connect-bench wrk-script`: one signed \(payload.name) body of \(body.count) bytes (seed \(seed)).")
    print("wrk.method = \"POST\"")
    print("wrk.headers[\"Content-Type\"] = \"application/json\"")
    print("wrk.headers[\"X-DocuSign-Signature-1\"] = \"\(signature)\"")
    print("wrk.body = \"\(luaEscaped(body))\"")
    return 0
}

/// The bytes as the inside of a double-quoted Lua string: printable ASCII as it is, except `"`
/// and `\`, everything else as a three-digit decimal escape (Lua has no other portable form).
private func luaEscaped(_ bytes: [UInt8]) -> String {
    var out = ""
    out.reserveCapacity(bytes.count + bytes.count / 8)
    for b in bytes {
        if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
            out.unicodeScalars.append(Unicode.Scalar(b))
        } else {
            let digits = String(b)
            out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
    }
    return out
}
