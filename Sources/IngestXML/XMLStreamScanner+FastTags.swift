/// The fast path for the tags that make up nearly all of a Connect XML message: `<Name>`,
/// `<Name/>` and `</Name>` with plain ASCII names of at most 15 bytes, whole inside the current
/// piece with 16 bytes to spare after the `<` (so names are found, copied and compared with one
/// 16-byte vector each: `NameRun`). They are read
/// in one go from the character-data loop, with none of the per-byte mode bookkeeping of the
/// general path (which costs several hundred instructions per tag).
///
/// Invariant: the fast path changes nothing unless it handles the whole tag, and it handles a
/// tag only when the general path would accept it with exactly the same effect; anything else
/// (attributes, prefixes, non-ASCII names, white space before `>`, a mismatched end tag, a tag
/// cut by the end of the piece, any limit reached) returns nil and the general path reads the
/// tag from its `<`, so every error is still found and reported by the general path, at the
/// same offset.
extension XMLStreamScanner {
    /// Reads the tag whose `<` is at `lessThan` if it is a simple one; returns the index after its
    /// `>`, or nil (nothing changed).
    @inline(__always)
    mutating func fastTag(_ p: UnsafeRawPointer, _ lessThan: Int, _ count: Int) -> Int? {
        let j = lessThan &+ 1
        // 16 readable bytes after `<` for the vector loads: a tag near the end of the piece goes
        // the general way.
        guard count &- j > 16 else { return nil }
        let first = byte(p, j)
        if first == UInt8(ascii: "/") {
            let nameStart = j &+ 1
            let length = Int(names.innermost.nameLength)
            guard length <= 15, names.innermostNameStarts(p + nameStart, length: length),
                  byte(p, nameStart &+ length) == UInt8(ascii: ">") else { return nil }
            return endTagClosed(nameStart &+ length)
        }
        guard classes[Int(first)] & ByteClass.nameStart != 0, first != UInt8(ascii: ":"), names.depth < maxDepth,
              XMLLimits.openNameBytes &- names.pendingNameStart >= 16 else { return nil }
        // The first byte is a plain name byte too (a letter or `_`): one vector probe from it.
        let k = NameRun.end(in: p, from: j, to: j &+ 16)
        guard k < j &+ 16 else { return nil }  // 16 bytes or more: the general path
        let terminator = byte(p, k)
        let empty: Bool
        if terminator == UInt8(ascii: ">") {
            empty = false
        } else if terminator == UInt8(ascii: "/") && byte(p, k &+ 1) == UInt8(ascii: ">") {
            empty = true
        } else {
            return nil
        }
        // A child element: the field element being read has no plain text value.
        captureSlot = nil
        let start = names.pendingNameStart
        names.appendShort(p + j, k &- j)
        names.push(nameStart: start, prefixLength: 0)
        noteElementStart()
        if empty { return emptyElementClosed(k &+ 1) }
        if let slot = pendingCapture {
            fields.begin(slot)
            captureSlot = slot
            pendingCapture = nil
        }
        return k &+ 1
    }
}
