import COpenSSL

/// ALPN on the server: `http/1.1` is chosen when the client offers it. A client that offers only
/// other protocols (say `h2`) gets no ALPN answer rather than an alert, and may then speak
/// HTTP/1.1 or leave; this listener speaks nothing else.
func tlsSelectApplicationProtocol(_ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                  _ outLength: UnsafeMutablePointer<UInt8>?, _ offered: UnsafePointer<UInt8>?,
                                  _ offeredLength: UInt32, _ argument: UnsafeMutableRawPointer?) -> Int32 {
    ProtocolSelection.select(out, outLength, offered, offeredLength)
}

enum ProtocolSelection {
    static func select(_ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
                       _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32) -> Int32 {
        guard let out, let outLength, let offered else { return SSL_TLSEXT_ERR_NOACK }
        // `offered` is a list of length-prefixed names; the answer points into it (libssl keeps it).
        var index = 0
        let count = Int(offeredLength)
        while index < count {
            let length = Int(offered[index])
            let start = index + 1
            guard start + length <= count else { break }
            if length == http11.count && (0..<length).allSatisfy({ offered[start + $0] == http11[$0] }) {
                out.pointee = offered + start
                outLength.pointee = UInt8(length)
                return SSL_TLSEXT_ERR_OK
            }
            index = start + length
        }
        return SSL_TLSEXT_ERR_NOACK
    }

    static let http11: [UInt8] = Array("http/1.1".utf8)

    /// The client side's offer: one length-prefixed `http/1.1`.
    static let clientOffer: [UInt8] = [UInt8(http11.count)] + http11
}
