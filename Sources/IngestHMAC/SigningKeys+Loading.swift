/// Loading of HMAC keys from `--hmac-key-file` files and `CONNECT_HMAC_KEYS`, at start-up and on
/// every credentials reload.
extension SigningKeys {
    /// The environment variable that may hold keys, comma-separated.
    public static let environmentVariable = "CONNECT_HMAC_KEYS"

    /// Loads keys from key files and from the value of ``environmentVariable``, in that order.
    ///
    /// Key files hold one entry per line; blank lines and lines starting with `#` are ignored, and
    /// surrounding whitespace (including a Windows `\r` and a leading UTF-8 byte-order mark) is
    /// trimmed. The environment value is split at commas, each part trimmed, empty parts ignored.
    /// An entry is either `KEY`, a key for every account, or `ACCOUNT-GUID KEY` (separated by
    /// spaces or tabs), a key tried only for messages whose `X-DocuSign-AccountId` names that
    /// account. A key given twice for the same scope is used once; an account entry repeating a
    /// key for every account adds nothing and is dropped.
    ///
    /// Malformed entries are skipped with a warning, never guessed at: an entry with whitespace
    /// inside whose first word is not a GUID (a mistyped account id must not turn an account's key
    /// into a key for every account), an account entry whose key has whitespace inside, and an
    /// entry holding only a GUID. Other warnings flag keys that are probably wrong but cannot be
    /// rejected for sure: one that looks like a DocuSign key copied without its trailing `=`
    /// (43 base64 characters), a duplicate, and an environment value holding no key. Warnings and
    /// errors name the source ("key 2 from /etc/keys (line 4)") and lengths, never key bytes.
    ///
    /// Throws when a file cannot be read, is implausibly large, or contributes no usable key (a
    /// file given on purpose must contribute one; an empty one is a deployment mistake).
    public static func load(keyFiles: [String], environmentValue: String?) throws(CredentialFileError) -> (keys: SigningKeys, warnings: [String]) {
        var collector = KeyCollector()
        for path in keyFiles {
            var contents = try SmallFile.read(path: path, role: "HMAC key file")
            if contents.starts(with: [0xEF, 0xBB, 0xBF]) { contents.removeFirst(3) }
            var entriesInFile = 0
            var usableInFile = 0
            var lineNumber = 0
            for line in contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                let entry = KeyCollector.trimmed(line)
                if entry.isEmpty || entry.first == UInt8(ascii: "#") { continue }
                entriesInFile += 1
                if collector.add(entry, label: "key \(entriesInFile) from \(path) (line \(lineNumber))") { usableInFile += 1 }
            }
            if entriesInFile == 0 { throw CredentialFileError(.noKey, path: path, role: "HMAC key file") }
            if usableInFile == 0 { throw CredentialFileError(.noUsableKey, path: path, role: "HMAC key file") }
        }
        if let environmentValue {
            var entriesInVariable = 0
            for part in Array(environmentValue.utf8).split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let entry = KeyCollector.trimmed(part)
                if entry.isEmpty { continue }
                entriesInVariable += 1
                collector.add(entry, label: "key \(entriesInVariable) from \(environmentVariable)")
            }
            if entriesInVariable == 0 {
                collector.warnings.append("\(environmentVariable) is set but holds no key")
            }
        }
        return (collector.keys(), collector.warnings)
    }
}

/// Gathers keys from all sources, sorts them by scope, de-duplicates them and writes the warnings.
private struct KeyCollector {
    var globalSecrets: [[UInt8]] = []
    var globalLabels: [String] = []
    /// Account keys in the order given: (account, secret, label).
    var accountEntries: [(account: AccountID, secret: [UInt8], label: String)] = []
    var warnings: [String] = []

    /// DocuSign HMAC keys are 32 random bytes in base64: 43 alphabet characters and one `=`.
    static let docuSignKeyLength = 44

    /// Adds one trimmed, non-empty entry; false when it was malformed and skipped.
    @discardableResult
    mutating func add(_ entry: ArraySlice<UInt8>, label: String) -> Bool {
        guard let split = entry.firstIndex(where: KeyCollector.isWhitespace) else {
            if KeyCollector.accountID(entry) != nil {
                warnings.append("\(label) is an account id without a key; expected KEY or ACCOUNT-GUID KEY (skipped)")
                return false
            }
            addGlobal(Array(entry), label: label)
            return true
        }
        guard let account = KeyCollector.accountID(entry[entry.startIndex..<split]) else {
            warnings.append("\(label) is malformed: expected KEY or ACCOUNT-GUID KEY, but the first of its "
                + "words is not an account GUID (8-4-4-4-12 hex digits) and keys have no whitespace inside (skipped)")
            return false
        }
        let secret = KeyCollector.trimmed(entry[split...])
        if secret.contains(where: KeyCollector.isWhitespace) {
            warnings.append("\(label) is malformed: the key after the account id has whitespace inside (skipped)")
            return false
        }
        addAccount(account, Array(secret), label: "\(label), account \(account)")
        return true
    }

    private mutating func addGlobal(_ secret: [UInt8], label: String) {
        if let earlier = globalSecrets.firstIndex(of: secret) {
            warnings.append("\(label) repeats \(globalLabels[earlier]); it is used once")
            return
        }
        checkPlausible(secret, label: label)
        globalSecrets.append(secret)
        globalLabels.append(label)
    }

    private mutating func addAccount(_ account: AccountID, _ secret: [UInt8], label: String) {
        if let earlier = accountEntries.first(where: { $0.account == account && $0.secret == secret }) {
            warnings.append("\(label) repeats \(earlier.label); it is used once")
            return
        }
        checkPlausible(secret, label: label)
        accountEntries.append((account, secret, label))
    }

    private mutating func checkPlausible(_ secret: [UInt8], label: String) {
        if secret.count == KeyCollector.docuSignKeyLength - 1 && secret.allSatisfy(Base64.isAlphabetCharacter) {
            warnings.append("\(label) looks truncated (\(secret.count) characters, no trailing '='); "
                + "DocuSign keys are \(KeyCollector.docuSignKeyLength) characters ending in '='")
        }
    }

    /// The keys, once every source is in. An account key that is also a key for every account is
    /// dropped here (whatever the order they were given in): it would only be hashed twice.
    mutating func keys() -> SigningKeys {
        var accounts: [(account: AccountID, secrets: [[UInt8]])] = []
        for entry in accountEntries {
            if let global = globalSecrets.firstIndex(of: entry.secret) {
                warnings.append("\(entry.label) is also \(globalLabels[global]), a key for every account; the account entry adds nothing")
                continue
            }
            accounts.append((entry.account, [entry.secret]))
        }
        return SigningKeys(global: globalSecrets, accounts: accounts)
    }

    static func accountID(_ word: ArraySlice<UInt8>) -> AccountID? {
        guard word.count == AccountID.textLength else { return nil }
        return word.withUnsafeBytes { AccountID(text: $0) }
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
