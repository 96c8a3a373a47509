import IngestXML

// Micro-benchmarks of the IngestXML scanner (issue 11): throughput on the four legacy Connect XML
// corpus bodies (4-13 KB) and on a 1 MiB body whose bulk is one base64 `PDFBytes` element, as
// Connect sends it when the configuration includes documents. Each run checks the fields it
// extracted, so the work cannot be optimised away.

/// A 1 MiB legacy Connect XML message: the connect-node-listener-aws completed body's envelope
/// status, then `DocumentPDFs` with one document of deterministic base64 filler (not a real PDF).
private func documentBody(totalBytes: Int) -> [UInt8] {
    let head = #"<?xml version="1.0" encoding="utf-8"?><DocuSignEnvelopeInformation xmlns:xsd="http://www.w3.org/2001/XMLSchema" "# +
        #"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.docusign.net/API/3.0"><EnvelopeStatus>"# +
        #"<TimeGenerated>2020-03-28T23:57:15.1085476</TimeGenerated><EnvelopeID>08740f95-2187-4b01-9a69-452ae3140752</EnvelopeID>"# +
        #"<Subject>Please sign this document</Subject><Status>Completed</Status></EnvelopeStatus><DocumentPDFs><DocumentPDF>"# +
        #"<Name>contract.pdf</Name><PDFBytes>"#
    let tail = #"</PDFBytes><DocumentType>CONTENT</DocumentType></DocumentPDF></DocumentPDFs></DocuSignEnvelopeInformation>"#
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var body = Array(head.utf8)
    let base64Count = (totalBytes - body.count - tail.utf8.count) / 4 * 4
    var state: UInt64 = 0x1234_5678_9ABC_DEF0
    for _ in 0..<base64Count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        body.append(alphabet[Int(state >> 58)])
    }
    body.append(contentsOf: Array(tail.utf8))
    body.append(contentsOf: [UInt8](repeating: 0x0A, count: totalBytes - body.count))
    return body
}

private struct ExpectedXML {
    var event: String
    var envelopeId: String
    var generatedDateTime: String
}

private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// Scans `body` in pieces of `pieceSize` bytes, `batch` times per measured call, and checks the
/// answer after the timing. Five rounds, the fastest reported (the machines are shared).
private func benchmark(_ name: String, _ body: [UInt8], pieceSize: Int, batch: Int, expected: ExpectedXML,
                       minimumSeconds: Double) -> MicroResult? {
    if let filter = microNameFilter, !name.contains(filter) { return nil }
    let scanner = ConnectXMLScanner()
    var lengths = 0
    let rounds = 5
    let timing = body.withUnsafeBytes { raw in
        fastestRound(minimumSeconds: minimumSeconds, batch: batch, rounds: rounds) {
            for _ in 0..<batch {
                scanner.reset()
                feedInPieces(raw, pieceSize: pieceSize) { scanner.feed($0) }
                precondition(scanner.finish() == nil, "\(name): benchmark body is not well-formed")
                lengths &+= scanner.withField(.envelopeId) { $0?.count ?? -1 }
            }
        }
    }
    blackHole(lengths)
    func text(_ field: ConnectXMLField) -> String? { scanner.fieldBytes(field).map { String(decoding: $0, as: UTF8.self) } }
    precondition(text(.event) == expected.event, "\(name): event \(String(describing: text(.event)))")
    precondition(text(.envelopeId) == expected.envelopeId, "\(name): envelopeId")
    precondition(text(.generatedDateTime) == expected.generatedDateTime, "\(name): generatedDateTime")
    precondition(lengths > 0 && lengths % 36 == 0, "\(name): envelopeId length")
    return MicroResult(name: name, bytesPerOperation: body.count, operations: timing.operations,
                       nanoseconds: timing.nanoseconds, note: "best of \(rounds) rounds; fields checked")
}

/// The scanner on each legacy XML corpus body and on a 1 MiB base64-dominated body (whole, and
/// in 64 KiB pieces as a socket would deliver it).
func runXMLMicro(minimumSeconds: Double) -> [MicroResult] {
    let expectations: [String: ExpectedXML] = [
        "legacy-xml-envelope-completed.connect-node-listener-aws.xml": ExpectedXML(
            event: "envelope-completed", envelopeId: "08740f95-2187-4b01-9a69-452ae3140752",
            generatedDateTime: "2020-03-28T23:57:15.1085476"),
        "legacy-xml-envelope-sent.connect-node-listener-aws.xml": ExpectedXML(
            event: "envelope-sent", envelopeId: "08740f95-2187-4b01-9a69-111111111111",
            generatedDateTime: "2020-03-28T23:56:53.9678325"),
        "legacy-xml-envelope-completed.formdata.easycla.xml": ExpectedXML(
            event: "envelope-completed", envelopeId: "c5c02f0b-d66b-4ad5-950d-0319ed3e1473",
            generatedDateTime: "2020-12-21T08:30:37.9661043"),
        "legacy-xml-envelope-completed.ccla.easycla.xml": ExpectedXML(
            event: "envelope-completed", envelopeId: "c915984a-f761-4c28-ac2c-767253ba3362",
            generatedDateTime: "2020-12-17T07:44:53.0177631"),
    ]
    var results: [MicroResult?] = []
    for sample in xmlCorpusBodies {
        let bytes = Array(sample.body.utf8)
        precondition(bytes.count == sample.length && fnv1a(bytes) == sample.fnv, "\(sample.name): copy differs from the corpus")
        // "legacy-xml-envelope-completed.formdata.easycla.xml" -> "formdata completed"
        let parts = sample.name.split(separator: ".")
        let source = parts[1] == "connect-node-listener-aws" ? "aws" : String(parts[1])
        let label = "\(source) \(parts[0].replacingOccurrences(of: "legacy-xml-envelope-", with: ""))"
        let kilobytes = (bytes.count + 50) / 100
        results.append(benchmark("xml scanner \(kilobytes / 10).\(kilobytes % 10) KB \(label)", bytes,
                                 pieceSize: .max, batch: 100, expected: expectations[sample.name]!, minimumSeconds: minimumSeconds))
    }
    let document = ExpectedXML(event: "envelope-completed", envelopeId: "08740f95-2187-4b01-9a69-452ae3140752",
                               generatedDateTime: "2020-03-28T23:57:15.1085476")
    let big = documentBody(totalBytes: 1 << 20)
    results.append(benchmark("xml scanner 1 MiB PDFBytes document", big, pieceSize: .max, batch: 1,
                             expected: document, minimumSeconds: minimumSeconds))
    results.append(benchmark("xml scanner 1 MiB PDFBytes in 64 KiB pieces", big, pieceSize: 64 * 1024, batch: 1,
                             expected: document, minimumSeconds: minimumSeconds))
    return results.compactMap { $0 }
}
