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
            case 10: return Self.equal(key, "envelopeId") ? .envelopeId : .none
            case 15: return Self.equal(key, "configurationId") ? .configurationId : .none
            case 17: return Self.equal(key, "generatedDateTime") ? .generatedDateTime : .none
            default: return .none
            }
        }
        switch role {
        case .none: break
        case .data: fields.clear(.dataEnvelopeId)
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
        case .none, .data: nil
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
