/// Bytes that look like a one-page PDF: a real header, objects and trailer around a
/// pseudo-random (incompressible, like deflate output) content stream.
enum PDFLikeContent {
    static func make(byteCount: Int, seed: UInt64) -> [UInt8] {
        let head = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n4 0 obj\n<< /Filter /FlateDecode >>\nstream\n".utf8)
        let tail = Array("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 5 >>\n%%EOF\n".utf8)
        var out = [UInt8]()
        out.reserveCapacity(byteCount)
        out.append(contentsOf: head.prefix(byteCount))
        var state = seed ^ 0x0DDF_00D
        while out.count < byteCount - tail.count {
            state = ConnectIdentifiers.mix(state)
            var word = state
            for _ in 0..<8 where out.count < byteCount - tail.count {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        out.append(contentsOf: tail.prefix(byteCount - out.count))
        return out
    }
}
