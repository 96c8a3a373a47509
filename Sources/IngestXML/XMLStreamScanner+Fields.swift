/// Which elements give the fields: `/DocuSignEnvelopeInformation/EnvelopeStatus/{EnvelopeID,
/// TimeGenerated, Status}`, matched on local names (the part after a prefix, whatever namespace
/// it is bound to), at exactly that depth: the same names elsewhere (`RecipientStatus/Status`,
/// `TabStatus/Status`) never count.
///
/// A field's value is its element's character data (references decoded, CDATA sections
/// included, comments and processing instructions skipped, line ends normalised), kept as sent:
/// no white space is trimmed. An element with child elements has no value (the field is absent);
/// an empty one has an empty value (`event` is then `envelope-`). When the path occurs more than
/// once, the last complete element wins, as the last duplicate key does in JSON: an element
/// replaces the earlier value once its start tag is complete.
extension XMLStreamScanner {
    /// A start tag's name was read and pushed: update the path and see whether it names a field.
    @inline(__always)
    mutating func noteElementStart() {
        pendingCapture = nil
        let level = names.depth
        guard level <= 3 else { return }
        noteElementStartNearTop(level)
    }

    private mutating func noteElementStartNearTop(_ level: Int) {
        let element = names.innermost
        let localStart = Int(element.nameStart) &+ (element.prefixLength == 0 ? 0 : Int(element.prefixLength) &+ 1)
        let localLength = Int(element.nameLength) &- (localStart &- Int(element.nameStart))
        switch level {
        case 1:
            pathDepth = names.bytesEqual(localStart, localLength, "DocuSignEnvelopeInformation") ? 1 : 0
        case 2:
            if pathDepth >= 1 { pathDepth = names.bytesEqual(localStart, localLength, "EnvelopeStatus") ? 2 : 1 }
        default:
            guard pathDepth == 2 else { return }
            if names.bytesEqual(localStart, localLength, "EnvelopeID") {
                pendingCapture = .envelopeId
            } else if names.bytesEqual(localStart, localLength, "TimeGenerated") {
                pendingCapture = .generatedDateTime
            } else if names.bytesEqual(localStart, localLength, "Status") {
                pendingCapture = .event
            }
        }
    }
}
