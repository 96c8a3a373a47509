/// A message delivered to the client's inbox, copied out of the receive buffer (used for
/// JetStream API replies and consumer deliveries, never per published record).
public struct NATSMessage: Sendable, Equatable {
    public var subject: [UInt8]
    public var replyTo: [UInt8]?
    /// The status from a header block (`NATS/1.0 503`), if any.
    public var status: Int?
    /// The raw header block (`NATS/1.0...\r\n\r\n`), if the message had one.
    public var headerBlock: [UInt8]?
    public var payload: [UInt8]

    public init(subject: [UInt8], replyTo: [UInt8]?, status: Int?, headerBlock: [UInt8]?, payload: [UInt8]) {
        self.subject = subject
        self.replyTo = replyTo
        self.status = status
        self.headerBlock = headerBlock
        self.payload = payload
    }

    /// The value of header `name` (ASCII case ignored), or nil.
    public func header(_ name: String) -> String? {
        guard let headerBlock else { return nil }
        let text = String(decoding: headerBlock, as: UTF8.self)
        for line in text.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return String(line[line.index(after: colon)...]).trimmingBlanks()
            }
        }
        return nil
    }

    public var subjectText: String { String(decoding: subject, as: UTF8.self) }
}

extension String {
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
