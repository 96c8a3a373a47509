/// Which keys name the four fields, and the duplicate-key rule.
///
/// A key counts only at an exact path: a key of the top-level object (depth 1), or a key of the
/// object that is the value of the top-level `data` key (depth 2). Keys are compared by their
/// decoded bytes, so `"ev\u0065nt"` is `event`; comparison is byte-exact (no Unicode
/// normalisation, which can only matter for non-ASCII keys, and ours are ASCII).
///
/// Duplicate keys: the last occurrence wins, as in Foundation's `JSONSerialization` (and
/// JavaScript, Python): each time a field's key is read its earlier value is forgotten, and the
/// new value is kept if it has an accepted type. A repeated `data` key forgets `data.envelopeId`
/// likewise. So the reported fields are always those of the object a last-wins parser would build.
extension JSONStreamScanner {
    /// The current key (copied into the key slot) just ended: which field does it name?
    /// Forgets that field's earlier value (last occurrence wins).
    mutating func matchKey() -> KeyRole {
        let atDataLevel = depth == 2
        let role: KeyRole = fields.withCurrentBytes(.key) { key in
            guard let key else { return .none }  // longer than any name we look for
            if atDataLevel { return Self.equal(key, "envelopeId") ? .dataEnvelopeId : .none }
            switch key.count {
            case 4: return Self.equal(key, "data") ? .data : .none
            case 5: return Self.equal(key, "event") ? .event : .none
            case 10:
                if Self.equal(key, "envelopeId") { return .envelopeId }
                return Self.equal(key, "retryCount") ? .retryCount : .none
            case 15: return Self.equal(key, "configurationId") ? .configurationId : .none
            case 17: return Self.equal(key, "generatedDateTime") ? .generatedDateTime : .none
            default: return .none
            }
        }
        switch role {
        case .none: break
        case .data: fields.clear(.dataEnvelopeId)
        case .retryCount: forgetRetryCount()
        default: fields.clear(role.slot!)
        }
        return role
    }

    @inline(__always)
    static func equal(_ key: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for index in 0..<key.count where key[index] != expected[index] { return false }
        return true
    }
}

extension JSONStreamScanner.KeyRole {
    /// The slot this key's value is kept in (nil for `data` and `none`).
    var slot: CaptureBuffers.Slot? {
        switch self {
        case .none, .data, .retryCount: nil
        case .event: .event
        case .configurationId: .configurationId
        case .envelopeId: .envelopeId
        case .generatedDateTime: .generatedDateTime
        case .dataEnvelopeId: .dataEnvelopeId
        }
    }

    /// Where a string value for this key goes: every field accepts a string.
    @inline(__always)
    var stringSlot: CaptureBuffers.Slot? { slot }
}

/// The position of the top-level `retryCount` value, which the message id leaves out of a body
/// (DocuSign's redeliveries differ from the first delivery only there). Only its document offsets
/// are kept, never its bytes: any JSON type counts (Connect sends a number or a string), and the
/// range runs from the value's first byte to its last (a string's quotes included; a container's
/// brackets included). Same rules as the fields: a key at another depth does not count, the last
/// occurrence wins, and a value cut by an error is absent.
extension JSONStreamScanner {
    /// The value of a top-level `retryCount` key starts at piece index `i`.
    @inline(__always)
    mutating func beginRetryCountValue(at i: Int) {
        retryCountStart = consumed &+ i
        retryCountEnd = -1
        retryCountOpen = true
    }

    /// It ended before piece index `end`.
    @inline(never)
    mutating func endRetryCountValue(at end: Int) {
        retryCountEnd = consumed &+ end
        retryCountOpen = false
    }

    mutating func forgetRetryCount() {
        retryCountStart = -1
        retryCountEnd = -1
        retryCountOpen = false
    }

    /// The complete top-level `retryCount` value's document range, if any.
    var retryCountRange: Range<Int>? {
        retryCountOpen || retryCountStart < 0 || retryCountEnd < retryCountStart ? nil : retryCountStart..<retryCountEnd
    }
}
