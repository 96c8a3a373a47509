#if canImport(Glibc)
import Glibc
#endif
import IngestJSON
import IngestServer

// `connect-ingest inspect FILE...`: the operator's tool for "why did this payload look like
// that". Runs the same streaming scanners as the server over files (or standard input), chosen
// the same way, and prints one JSON line per file with the format, the verdict and the fields.

/// The usage text for `connect-ingest inspect --help`.
let inspectUsage = """
    usage: connect-ingest inspect FILE...
           connect-ingest inspect -          (read standard input)

    Scans each FILE with the ingest path's scanner and prints one JSON line per file:
      {"file":...,"format":"json"|"xml","valid":true|false,"error":"...","offset":N,"event":...,
       "configurationId":...,"envelopeId":...,"generatedDateTime":...}
    The format is XML for a name ending in .xml, JSON for one ending in .json, and otherwise (and
    for standard input) what the server does without a Content-Type: XML when the first byte that
    is not white space or a UTF-8 BOM is "<", JSON else. "error" (a stable reason name, e.g.
    "invalidEscape" or "mismatchedEndTag") and "offset" (the byte at which the input stopped being
    valid) appear only for invalid files; a file that cannot be read gets "error" only. Fields are
    JSON strings, or null when absent (configurationId is the literal text of a number, or the
    decoded string; always null for XML). For an invalid file the fields are those complete
    before the error.

    Exit status: 0 when every file is valid in its format, 1 otherwise, 2 for a usage error.
    """

/// Runs `inspect`. `arguments` are those after the subcommand name. Returns the exit status.
func runInspect(arguments: [String]) -> Int32 {
    if arguments.contains("--help") || arguments.contains("-h") {
        print(inspectUsage)
        return 0
    }
    let files = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
    if files.isEmpty || files.contains(where: { $0.hasPrefix("-") && $0 != "-" && arguments.first != "--" }) {
        writeStandardError("connect-ingest inspect: expected one or more files (or - for standard input)\n\n\(inspectUsage)\n")
        return 2
    }
    let scanner = BodyScanners()
    var allValid = true
    for file in files {
        let line: String
        switch inspectFile(file, scanner: scanner) {
        case .scanned(let error):
            if error != nil { allValid = false }
            line = inspectLine(file: file, error: error, scanner: scanner)
        case .unreadable(let message):
            allValid = false
            writeStandardError("connect-ingest inspect: \(file): \(message)\n")
            line = "{\"file\":\(jsonString(file)),\"format\":null,\"valid\":false,\"error\":\(jsonString("unreadable: \(message)"))"
                + ",\"event\":null,\"configurationId\":null,\"envelopeId\":null,\"generatedDateTime\":null}"
        }
        print(line)
    }
    return allValid ? 0 : 1
}

private enum InspectResult {
    case scanned(BodyScanError?)
    case unreadable(String)
}

/// Streams the file through the scanner in 64 KiB reads, as the server feeds socket reads.
private func inspectFile(_ path: String, scanner: BodyScanners) -> InspectResult {
    let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { return .unreadable(errnoText()) }
    defer { if fd != STDIN_FILENO { close(fd) } }
    let lowercased = path.lowercased()
    scanner.begin(declared: lowercased.hasSuffix(".xml") ? .xml : lowercased.hasSuffix(".json") ? .json : nil)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let got = read(fd, buffer.baseAddress, buffer.count)
        if got < 0 {
            if errno == EINTR { continue }
            return .unreadable(errnoText())
        }
        if got == 0 { break }
        scanner.feed(UnsafeRawBufferPointer(rebasing: buffer[..<got]))
    }
    return .scanned(scanner.finish())
}

private func inspectLine(file: String, error: BodyScanError?, scanner: BodyScanners) -> String {
    var line = "{\"file\":\(jsonString(file)),\"format\":\"\((scanner.format ?? .json).name)\",\"valid\":\(error == nil)"
    if let error {
        line += ",\"error\":\(jsonString(error.reasonName)),\"offset\":\(error.offset)"
    }
    scanner.withFields { event, configurationId, envelopeId, generatedDateTime in
        for (field, bytes) in zip(ConnectField.allCases, [event, configurationId, envelopeId, generatedDateTime]) {
            line += ",\"\(field.name)\":" + (bytes.map { jsonString(utf8: $0) } ?? "null")
        }
    }
    return line + "}"
}

/// `text` as a JSON string literal.
private func jsonString(_ text: String) -> String {
    var copy = text
    return copy.withUTF8 { jsonString(utf8: UnsafeRawBufferPointer($0)) }
}

/// UTF-8 bytes as a JSON string literal: `"` and `\` escaped, control characters, DEL and the
/// line/paragraph separators as `\uXXXX` (or their short forms), so a line never breaks or
/// garbles a terminal; everything else (including other non-ASCII UTF-8) as is. Bytes that
/// are not valid UTF-8 (possible only in file names) are replaced with U+FFFD so the line stays
/// valid JSON.
private func jsonString(utf8 bytes: UnsafeRawBufferPointer) -> String {
    let text = String(decoding: bytes, as: UTF8.self)  // repairs invalid UTF-8
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x00..<0x20, 0x7F, 0x2028, 0x2029:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

private func errnoText() -> String {
    let code = errno
    return String(cString: strerror(code)) + " (errno \(code))"
}

private func writeStandardError(_ text: String) {
    var copy = text
    copy.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
