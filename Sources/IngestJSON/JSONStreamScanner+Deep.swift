/// The fast path for the parts of a document where nothing is captured: validation only, with
/// the state in a local number and the common token sequences taken in one step.
///
/// Where: inside any container deeper than the top-level object and `data` (`isDeep`), which in
/// an envelope-summary body is nine tenths of the bytes. Keys there are never matched and no
/// value is kept, so a token needs only the structural transition the byte-by-byte scanner
/// would make for it.
///
/// How: a string's end is the next non-plain byte (`NonPlainWindow`, one bit per byte of a
/// 64-byte window); the three bytes from there are compared at once with `":"` (after a key) or
/// `","` (after a value), the `"key":"value",` rhythm of a compact body, so most strings cost a
/// bit scan, one load and one compare. Anything else outside strings goes one
/// byte at a time through a transition table (`DeepTables`) over the same states.
///
/// The contract that keeps it exact: it stops, returning the index of the byte it did not take,
/// at anything it does not handle itself: a backslash, a control byte or a byte >= 0x80 in a
/// string, a number or literal, any byte the grammar does not allow next, the depth limit, or a
/// container closing back to where fields are captured. The scanner's state is then exactly what
/// the byte-by-byte scanner would have reached at that byte, so it carries on from there (and
/// reports errors with the same reason and offset).
extension JSONStreamScanner {
    /// No key or value can be captured at the current depth: neither the top-level object nor
    /// the top-level `data` object is the innermost open container.
    @inline(__always)
    var isDeep: Bool { depth >= 3 || (depth == 2 && !dataObjectOpen) }

    /// Validates from piece index `start` while `isDeep` holds. Returns where it stopped (`start`
    /// when it could not begin).
    mutating func scanDeep(_ p: UnsafeRawPointer, _ start: Int, _ count: Int) -> Int {
        guard var state = deepState() else { return start }
        let step = DeepTables.step
        // `":"` and `","` as the low three bytes of a little-endian 32-bit load see them.
        let quote = UInt32(UInt8(ascii: "\""))
        let quoteColonQuote = quote | UInt32(UInt8(ascii: ":")) &<< 8 | quote &<< 16
        let quoteCommaQuote = quote | UInt32(UInt8(ascii: ",")) &<< 8 | quote &<< 16
        var i = start
        // The window in a local for the loop (in registers rather than behind `self`).
        var w = window
        defer { window = w }
        let last = count &- 4   // where the last four-byte load may start
        scanning: while i < count {
            if state >= DeepState.keyString && state != DeepState.valueStartInArray {
                // Inside a string. `end` is always the first non-plain byte at or after `i`
                // (the end of the string whose state is `state`, unless an escape, UTF-8 or
                // control byte comes first). The closing quote and the two bytes after it are
                // compared in one load: `":"` after a key, `","` after a value, and the next
                // string has begun; the state is only written where the rhythm breaks.
                var end = w.firstNonPlainClearingBelow(p, from: i, to: count)
                if state == DeepState.valueStringInArray {
                    while end <= last && Self.threeBytes(p, end) == quoteCommaQuote {
                        w.consumeLowest()   // the closing quote
                        w.consumeLowest()   // the next string's opening quote
                        i = end &+ 3
                        end = w.nextNonPlain(p, from: i, to: count)
                    }
                } else {
                    // The object rhythm, a key-value pair per turn: `key":"value","`.
                    if state == DeepState.keyString && end <= last && Self.threeBytes(p, end) == quoteColonQuote {
                        w.consumeLowest()
                        w.consumeLowest()
                        i = end &+ 3
                        state = DeepState.valueStringInObject
                        end = w.nextNonPlain(p, from: i, to: count)
                    }
                    while state == DeepState.valueStringInObject && end <= last && Self.threeBytes(p, end) == quoteCommaQuote {
                        w.consumeLowest()
                        w.consumeLowest()
                        i = end &+ 3
                        end = w.nextNonPlain(p, from: i, to: count)
                        guard end <= last && Self.threeBytes(p, end) == quoteColonQuote else {
                            state = DeepState.keyString
                            break
                        }
                        w.consumeLowest()
                        w.consumeLowest()
                        i = end &+ 3
                        end = w.nextNonPlain(p, from: i, to: count)
                    }
                }
                guard end < count, p.load(fromByteOffset: end, as: UInt8.self) == UInt8(ascii: "\"") else {
                    i = end   // the piece ended, or an escape, UTF-8 or control byte: not ours
                    break scanning
                }
                w.consumeLowest()
                i = end &+ 1
                switch state {
                case DeepState.keyString: state = DeepState.colon
                case DeepState.valueStringInObject: state = DeepState.afterValueInObject
                default: state = DeepState.afterValueInArray
                }
                continue
            }
            // Between tokens: one byte through the table (whitespace keeps the state).
            let action = step[Int(state) &<< 8 | Int(p.load(fromByteOffset: i, as: UInt8.self))]
            if action < DeepState.pushObject {
                state = action
                i &+= 1
                continue
            }
            switch action {
            case DeepState.pushObject, DeepState.pushArray:
                guard depth < maxDepth else { break scanning }
                let isObject = action == DeepState.pushObject
                openContainer(isObject: isObject)
                state = isObject ? DeepState.objectFirst : DeepState.arrayFirst
                i &+= 1
            case DeepState.pop:
                closeContainer(at: i)
                state = inObject ? DeepState.afterValueInObject : DeepState.afterValueInArray
                i &+= 1
                if !isDeep { break scanning }
            default:
                // A number, a literal, or a byte the grammar does not allow here: the
                // byte-by-byte scanner's.
                break scanning
            }
        }
        leaveDeep(state)
        return i
    }

    /// The byte at piece index `i` and the two after it, as the low three bytes of a
    /// little-endian word (the caller checked that four bytes are there).
    @inline(__always)
    static func threeBytes(_ p: UnsafeRawPointer, _ i: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) & 0xFF_FFFF
    }

    /// The current state as a `DeepState`, or nil where `scanDeep` cannot start (inside an
    /// escape, a UTF-8 sequence, a number or a literal; a captured string).
    @inline(__always)
    func deepState() -> UInt8? {
        switch mode {
        case .valueStart: return inObject ? DeepState.valueStartInObject : DeepState.valueStartInArray
        case .arrayFirst: return DeepState.arrayFirst
        case .objectFirst: return DeepState.objectFirst
        case .keyStart: return DeepState.keyStart
        case .colon: return DeepState.colon
        case .afterValue: return inObject ? DeepState.afterValueInObject : DeepState.afterValueInArray
        case .string:
            guard stringSub == .plain, captureSlot == nil else { return nil }
            if stringIsKey { return DeepState.keyString }
            return inObject ? DeepState.valueStringInObject : DeepState.valueStringInArray
        default: return nil
        }
    }

    /// Writes `state` back as the byte-by-byte scanner's state (nothing is captured or pending
    /// in a deep container).
    @inline(__always)
    mutating func leaveDeep(_ state: UInt8) {
        switch state {
        case DeepState.valueStartInObject, DeepState.valueStartInArray: mode = .valueStart
        case DeepState.arrayFirst: mode = .arrayFirst
        case DeepState.objectFirst: mode = .objectFirst
        case DeepState.keyStart: mode = .keyStart
        case DeepState.colon: mode = .colon
        case DeepState.afterValueInObject, DeepState.afterValueInArray: mode = .afterValue
        default:
            mode = .string
            stringIsKey = state == DeepState.keyString
        }
        stringSub = .plain
        captureSlot = nil
        pendingRole = .none
    }
}

/// `scanDeep`'s states: `JSONStreamScanner.Mode` with the kind of the enclosing container folded
/// in where the next state depends on it, so that a transition is one table lookup. The string
/// states are 7, 8 and 10.
enum DeepState {
    /// After `:` in an object.
    static let valueStartInObject: UInt8 = 0
    static let arrayFirst: UInt8 = 1
    static let objectFirst: UInt8 = 2
    static let keyStart: UInt8 = 3
    static let colon: UInt8 = 4
    static let afterValueInObject: UInt8 = 5
    static let afterValueInArray: UInt8 = 6
    static let keyString: UInt8 = 7
    static let valueStringInObject: UInt8 = 8
    /// After `,` in an array.
    static let valueStartInArray: UInt8 = 9
    static let valueStringInArray: UInt8 = 10
    // Actions (transition table values above the states).
    static let pushObject: UInt8 = 11
    static let pushArray: UInt8 = 12
    static let pop: UInt8 = 13
    static let stop: UInt8 = 14
}

/// The tables behind `scanDeep`, as string literals so they are constant data (no
/// initialisation, no bounds checks): one ASCII character per entry.
enum DeepTables {
    /// The event class of each byte 0...127, as "0"+class: 0 `"`, 1 `:`, 2 `,`, 3 `{`, 4 `}`,
    /// 5 `[`, 6 `]`, 7 anything else (a number or literal byte, or an error). In 32-byte rows:
    ///   0x00-0x1F  77777777777777777777777777777777   (never events)
    ///   0x20-0x3F  77077777777727777777777777177777   `"` 0x22, `,` 0x2C, `:` 0x3A
    ///   0x40-0x5F  77777777777777777777777777757677   `[` 0x5B, `]` 0x5D
    ///   0x60-0x7F  77777777777777777777777777737477   `{` 0x7B, `}` 0x7D
    static let byteClass: StaticString = "77777777777777777777777777777777770777777777277777777777771777777777777777777777777777777775767777777777777777777777777777737477"

    /// The next state (or action) for state s and class c at index 8s + c, as "A"+value: A-K the
    /// states 0-10, L push an object, M push an array, N pop, O stop (not this path's). By state:
    ///                            "  :  ,  {  }  [  ]  other
    ///   0 valueStartInObject     I  O  O  L  O  M  O  O     string (8), push {, push [
    ///   1 arrayFirst             K  O  O  L  O  M  N  O     string (10), push {, push [, pop ]
    ///   2 objectFirst            H  O  O  O  N  O  O  O     key (7), pop }
    ///   3 keyStart               H  O  O  O  O  O  O  O     key (7)
    ///   4 colon                  O  A  O  O  O  O  O  O     valueStartInObject (0)
    ///   5 afterValueInObject     O  O  D  O  N  O  O  O     keyStart (3), pop }
    ///   6 afterValueInArray      O  O  J  O  O  O  N  O     valueStartInArray (9), pop ]
    ///   7 keyString              E  O  O  O  O  O  O  O     colon (4)
    ///   8 valueStringInObject    F  O  O  O  O  O  O  O     afterValueInObject (5)
    ///   9 valueStartInArray      K  O  O  L  O  M  O  O     string (10), push {, push [
    ///  10 valueStringInArray     G  O  O  O  O  O  O  O     afterValueInArray (6)
    /// (The string rows are used only by `DeepState` bookkeeping: scanDeep ends strings itself.)
    static let transition: StaticString = "IOOLOMOOKOOLOMNOHOOONOOOHOOOOOOOOAOOOOOOOODONOOOOOJOOONOEOOOOOOOFOOOOOOOKOOLOMOOGOOOOOOO"

    /// What `scanDeep` uses: the two tables above flattened into one step per (state, byte), at
    /// index `state << 8 | byte`, as the raw value (a state 0-10 or an action 11-14). Whitespace
    /// keeps the state; bytes >= 0x80 stop; the string states' rows stop (unused). One load per
    /// structural byte instead of a whitespace test, a sign test and two dependent loads.
    /// Built once per process (11 x 256 bytes, never freed): nothing is allocated per message.
    /// `nonisolated(unsafe)`: written only by the one-time initializer, read-only afterwards.
    nonisolated(unsafe) static let step: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 11 * 256)
        for state in 0..<11 {
            for byte in 0..<256 {
                table[state << 8 | byte] = stepValue(state: UInt8(state), byte: UInt8(byte))
            }
        }
        return UnsafePointer(table)
    }()

    /// One entry of `step`, from `byteClass` and `transition`.
    static func stepValue(state: UInt8, byte: UInt8) -> UInt8 {
        if state == DeepState.keyString || state == DeepState.valueStringInObject || state == DeepState.valueStringInArray {
            return DeepState.stop
        }
        if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { return state }
        guard byte < 0x80 else { return DeepState.stop }
        let byteClass = Int(Self.byteClass.utf8Start[Int(byte)] &- 0x30)
        return transition.utf8Start[Int(state) &* 8 &+ byteClass] &- 0x41
    }
}
