/// Start-up loading of HMAC keys from `--hmac-key-file` files and `CONNECT_HMAC_KEYS`.
extension SigningKeys {
    /// The environment variable that may hold keys, comma-separated.
    public static let environmentVariable = "CONNECT_HMAC_KEYS"

    /// Loads keys from key files and from the value of ``environmentVariable``, in that order.
    ///
    /// Key files hold one key per line; blank lines and lines starting with `#` are ignored, and
    /// surrounding whitespace (including a Windows `\r` and a leading UTF-8 byte-order mark) is
    /// trimmed. The environment value is split at commas, each part trimmed, empty parts ignored.
    /// A key given twice is used once.
    ///
    /// Returns warnings for keys that are probably wrong but cannot be rejected for sure: one that
    /// looks like a DocuSign key copied without its trailing `=` (43 base64 characters), one with
    /// whitespace inside, a duplicate, and an environment value holding no key. Warnings and errors
    /// name the source ("key 2 from /etc/keys", "line 4") and lengths, never key bytes.
    ///
    /// Throws when a file cannot be read, is implausibly large, or holds no key at all (a file
    /// given on purpose must contribute a key; an empty one is a deployment mistake).
    public static func load(keyFiles: [String], environmentValue: String?) throws(CredentialFileError) -> (keys: SigningKeys, warnings: [String]) {
        var collector = KeyCollector()
        for path in keyFiles {
            var contents = try SmallFile.read(path: path, role: "HMAC key file")
            if contents.starts(with: [0xEF, 0xBB, 0xBF]) { contents.removeFirst(3) }
            var keysInFile = 0
            var lineNumber = 0
            for line in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                let key = KeyCollector.trimmed(line)
                if key.isEmpty || key.first == UInt8(ascii: "#") { continue }
                keysInFile += 1
                collector.add(key, label: "key \(keysInFile) from \(path) (line \(lineNumber))")
            }
            if keysInFile == 0 { throw CredentialFileError(.noKey, path: path, role: "HMAC key file") }
        }
        if let environmentValue {
            var keysInVariable = 0
            for part in Array(environmentValue.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let key = KeyCollector.trimmed(part)
                if key.isEmpty { continue }
                keysInVariable += 1
                collector.add(key, label: "key \(keysInVariable) from \(environmentVariable)")
            }
            if keysInVariable == 0 {
                collector.warnings.append("\(environmentVariable) is set but holds no key")
            }
        }
        return (SigningKeys(secrets: collector.secrets), collector.warnings)
    }
}

/// Gathers keys from all sources, de-duplicates them and writes the warnings.
private struct KeyCollector {
    var secrets: [[UInt8]] = []
    var labels: [String] = []
    var warnings: [String] = []

    /// DocuSign HMAC keys are 32 random bytes in base64: 43 alphabet characters and one `=`.
    static let docuSignKeyLength = 44

    mutating func add(_ key: ArraySlice<UInt8>, label: String) {
        let secret = Array(key)
        if let earlier = secrets.firstIndex(of: secret) {
            warnings.append("\(label) repeats \(labels[earlier]); it is used once")
            return
        }
        if secret.count == KeyCollector.docuSignKeyLength - 1 && secret.allSatisfy(Base64.isAlphabetCharacter) {
            warnings.append("\(label) looks truncated (\(secret.count) characters, no trailing '='); "
                + "DocuSign keys are \(KeyCollector.docuSignKeyLength) characters ending in '='")
        }
        if secret.contains(where: KeyCollector.isWhitespace) {
            warnings.append("\(label) contains whitespace; keys are one per line, or comma-separated in \(SigningKeys.environmentVariable)")
        }
        secrets.append(secret)
        labels.append(label)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isWhitespace($0) }) else { return bytes[bytes.startIndex..<bytes.startIndex] }
        return bytes[first...last]
    }
}
