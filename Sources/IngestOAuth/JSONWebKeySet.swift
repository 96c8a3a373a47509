/// One usable key of a JWKS: its `kid` (if any), the key, and the one algorithm it is limited to
/// when the JWK names one (`alg`).
public struct JSONWebKey: Sendable {
    public let keyID: String?
    public let key: PublicKey
    public let algorithm: SignatureAlgorithm?

    /// Whether a token signed with `algorithm` may use this key.
    public func permits(_ algorithm: SignatureAlgorithm) -> Bool {
        algorithm.keyType == key.type && (self.algorithm == nil || self.algorithm == algorithm)
    }
}

/// The verification keys of an OAuth authorization server (RFC 7517 §5), from `--oauth-jwks`.
///
/// Accepted keys: `kty` `RSA` (`n`, `e`; 2048 bits or more) and `kty` `EC` with `crv` `P-256`
/// (`x`, `y`), with an optional `kid`, `alg` (one of ``SignatureAlgorithm``, matching the key
/// type), `use` (`sig`) and `key_ops` (including `verify`). Every other entry (symmetric `oct`
/// keys, other curves, encryption keys, malformed members) is skipped with a warning naming its
/// position and `kid`; loading fails only when the document is not a JWKS or no key is usable.
public struct JSONWebKeySet: Sendable {
    public let keys: [JSONWebKey]

    public init(keys: [JSONWebKey]) { self.keys = keys }

    public var rsaKeyCount: Int { keys.filter { $0.key.type == .rsa }.count }
    public var ecKeyCount: Int { keys.filter { $0.key.type == .ecP256 }.count }

    /// The largest JWKS file read (real ones are a few KB).
    public static let fileSizeLimit = 1 << 20

    /// Reads and parses the JWKS file at `path`.
    public static func load(path: String) throws(OAuthConfigurationError) -> (keySet: JSONWebKeySet, warnings: [String]) {
        let bytes: [UInt8]
        do {
            bytes = try ConfigurationFile.read(path: path, limit: fileSizeLimit)
        } catch {
            throw OAuthConfigurationError("JWKS file \(path): \(error)")
        }
        return try parse(bytes, source: "JWKS file \(path)")
    }

    /// Parses a JWKS document; `source` names it in errors and warnings.
    public static func parse(_ bytes: [UInt8], source: String) throws(OAuthConfigurationError) -> (keySet: JSONWebKeySet, warnings: [String]) {
        guard let document = JSONValue.parse(bytes), document.isObject else {
            throw OAuthConfigurationError("\(source) is not a JSON object (a JWKS is {\"keys\":[...]})")
        }
        guard let entries = document["keys"]?.arrayValue else {
            throw OAuthConfigurationError("\(source) has no \"keys\" array")
        }
        var keys: [JSONWebKey] = []
        var warnings: [String] = []
        var seenKeyIDs = Set<String>()
        for (position, entry) in entries.enumerated() {
            let kid = entry["kid"]?.stringValue
            let label = "\(source): key \(position + 1)" + (kid.map { " (kid \(quoted($0)))" } ?? "")
            do {
                guard let key = try JSONWebKeySet.key(from: entry) else { continue }
                if let kid, !seenKeyIDs.insert(kid).inserted {
                    warnings.append("\(label) repeats a kid used by an earlier key (skipped)")
                    continue
                }
                if kid == nil {
                    warnings.append("\(label) has no kid: only tokens without a kid header can use it")
                }
                if entry["d"] != nil || entry["p"] != nil {
                    warnings.append("\(label) contains private key members; a JWKS for verification should hold public keys only")
                }
                keys.append(key)
            } catch {
                warnings.append("\(label) skipped: \(error)")
            }
        }
        guard !keys.isEmpty else {
            throw OAuthConfigurationError("\(source) holds no usable key (RSA or EC P-256 signing keys)"
                + (warnings.isEmpty ? "" : ": " + warnings.joined(separator: "; ")))
        }
        return (JSONWebKeySet(keys: keys), warnings)
    }

    /// The key of one entry; nil (silently) for a key meant for encryption; throws why an entry
    /// meant for signing cannot be used.
    private static func key(from entry: JSONValue) throws(KeyImportError) -> JSONWebKey? {
        guard entry.isObject else { throw KeyImportError("not a JSON object") }
        if let use = entry["use"] {
            guard let text = use.stringValue else { throw KeyImportError("\"use\" is not a string") }
            if text != "sig" { return nil }
        }
        if let operations = entry["key_ops"] {
            guard let list = operations.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw KeyImportError("\"key_ops\" is not an array of strings")
            }
            if !list.contains(.string("verify")) { return nil }
        }
        guard let kty = entry["kty"]?.stringValue else { throw KeyImportError("no \"kty\"") }
        if let kid = entry["kid"], kid.stringValue == nil { throw KeyImportError("\"kid\" is not a string") }
        var algorithm: SignatureAlgorithm?
        if let alg = entry["alg"] {
            guard let text = alg.stringValue else { throw KeyImportError("\"alg\" is not a string") }
            guard let known = SignatureAlgorithm(rawValue: text) else {
                throw KeyImportError("alg \(quoted(text)) is not accepted (only \(SignatureAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            algorithm = known
        }
        let key: PublicKey
        switch kty {
        case "RSA":
            key = try .rsa(modulus: try member(entry, "n"), exponent: try member(entry, "e"))
        case "EC":
            guard let curve = entry["crv"]?.stringValue else { throw KeyImportError("EC key without \"crv\"") }
            guard curve == "P-256" else { throw KeyImportError("curve \(quoted(curve)) is not supported (only P-256)") }
            key = try .ecP256(x: try member(entry, "x"), y: try member(entry, "y"))
        case "oct":
            throw KeyImportError("symmetric keys (kty \"oct\") are never accepted for bearer tokens")
        default:
            throw KeyImportError("kty \(quoted(kty)) is not supported (only RSA and EC)")
        }
        if let algorithm, algorithm.keyType != key.type {
            throw KeyImportError("alg \(algorithm.rawValue) does not fit a \(key.type.rawValue) key")
        }
        return JSONWebKey(keyID: entry["kid"]?.stringValue, key: key, algorithm: algorithm)
    }

    /// A base64url member's bytes.
    private static func member(_ entry: JSONValue, _ name: String) throws(KeyImportError) -> [UInt8] {
        guard let text = entry[name]?.stringValue else { throw KeyImportError("no \"\(name)\" member") }
        guard let bytes = Base64URL.decode(text), !bytes.isEmpty else {
            throw KeyImportError("\"\(name)\" is not strict unpadded base64url")
        }
        return bytes
    }
}

/// Why the OAuth configuration (JWKS, issuer, audiences) cannot be used. Names files and
/// problems; never token bytes.
public struct OAuthConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A short, printable rendering of a value taken from a configuration document (kid, alg, kty):
/// quoted, at most 64 characters, control characters escaped.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars.prefix(64) {
        if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\"" || scalar == "\\" {
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out + (text.unicodeScalars.count > 64 ? "…\"" : "\"")
}
