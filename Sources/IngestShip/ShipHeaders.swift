import IngestLog

/// The NATS header block of a shipped record, written into a reused buffer:
///
///     NATS/1.0
///     Nats-Msg-Id: <message id as 32 hex digits, or <instance>-<seq>>
///     Connect-Instance: <instance>
///     Connect-Seq: <sequence in that instance's log>
///     Connect-Received-At: <receive time, ns since the Unix epoch>
///     Connect-Format: json | xml
///     Connect-Event / Connect-Configuration-Id / Connect-Envelope-Id /
///     Connect-Generated-Date-Time / Connect-Account-Id: <the field>   (each only when present)
///     Connect-Message-Id: <32 hex digits>                              (when the record has one)
///     Connect-Duplicate-Of: <seq of the first copy in the same log>    (when flagged duplicate)
///
/// Field values are copied byte for byte except control bytes (0x00-0x1F, 0x7F: CR and LF
/// would end the header), which become `?`.
public enum ShipHeaders {
    /// How `Nats-Msg-Id` is chosen.
    public enum MessageIDSource: String, Sendable {
        /// The record's message id where it has one (so copies of one Connect message received
        /// by different listeners are stored once), else `<instance>-<seq>`.
        case message
        /// Always `<instance>-<seq>` (every record is its own message).
        case record
    }

    public static func write(_ record: LogRecord, instance: [UInt8], source: MessageIDSource, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        append("NATS/1.0\r\nNats-Msg-Id: ", to: &out)
        if source == .message, let id = record.messageId {
            appendHex(id, to: &out)
        } else {
            appendValue(instance, to: &out)
            out.append(UInt8(ascii: "-"))
            appendDecimal(record.sequence, to: &out)
        }
        append("\r\nConnect-Instance: ", to: &out)
        appendValue(instance, to: &out)
        append("\r\nConnect-Seq: ", to: &out)
        appendDecimal(record.sequence, to: &out)
        append("\r\nConnect-Received-At: ", to: &out)
        if record.receivedAtNanoseconds < 0 { out.append(UInt8(ascii: "-")) }
        appendDecimal(record.receivedAtNanoseconds.magnitude, to: &out)
        append(record.isXML ? "\r\nConnect-Format: xml" : "\r\nConnect-Format: json", to: &out)
        field("\r\nConnect-Event: ", record.event, &out)
        field("\r\nConnect-Configuration-Id: ", record.configurationId, &out)
        field("\r\nConnect-Envelope-Id: ", record.envelopeId, &out)
        field("\r\nConnect-Generated-Date-Time: ", record.generatedDateTime, &out)
        field("\r\nConnect-Account-Id: ", record.accountId, &out)
        if let id = record.messageId {
            append("\r\nConnect-Message-Id: ", to: &out)
            appendHex(id, to: &out)
        }
        if let first = record.duplicateOf {
            append("\r\nConnect-Duplicate-Of: ", to: &out)
            appendDecimal(first, to: &out)
        }
        append("\r\n\r\n", to: &out)
    }

    private static func field(_ name: StaticString, _ value: [UInt8]?, _ out: inout [UInt8]) {
        guard let value else { return }
        append(name, to: &out)
        appendValue(value, to: &out)
    }

    static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func appendValue(_ value: [UInt8], to out: inout [UInt8]) {
        for byte in value { out.append(byte < 0x20 || byte == 0x7F ? UInt8(ascii: "?") : byte) }
    }

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: rest / divisor) + 0x30)
            rest %= divisor
            divisor /= 10
        }
    }

    /// 32 lower-case hex digits, high word first (as `MessageID.hex`, without a String).
    static func appendHex(_ id: MessageID, to out: inout [UInt8]) {
        appendHex(id.high, to: &out)
        appendHex(id.low, to: &out)
    }

    private static func appendHex(_ word: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: (word >> UInt64(shift)) & 15)
            out.append(nibble < 10 ? nibble + 0x30 : nibble + 0x57)
        }
    }
}
