import BenchSupport
import Foundation
import IngestJSON

// Micro-benchmarks of the IngestJSON scanner (issue 3): throughput on the three body shapes the
// listener sees. Each run checks the fields it extracted, so the work cannot be optimised away.

/// A ~450-byte Connect 2.0 event without envelope summary (corpus:
/// envelope-completed.v2.min.GLE-curl-2022-09.json, byte-exact).
private let eventBody = #"{  "event": "envelope-completed",  "apiVersion": "v2.1",  "uri": "/restapi/v2.1/accounts/8b411bfe-54f5-47fc-bbf2-55d9a71a200f/envelopes/f826722d-0cc8-4ad0-a4ef-bdb128502a61",  "retryCount": 0,  "configurationId": 10343415,  "generatedDateTime": "2022-09-21T13:58:43.9115721Z",  "data": {    "accountId": "8b411bfe-54f5-47fc-bbf2-55d9a71a200f",    "userId": "4214323f-c281-4a0e-80f7-37b3ea7d8665",    "envelopeId": "f826722d-0cc8-4ad0-a4ef-bdb128502a61"  }}"#

/// A ~4 KB Connect 2.0 event with envelope summary (corpus:
/// envelope-completed.v2.envelopeSummary.laravel-2022-09.json, byte-exact).
private let summaryBody = #"{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/ebeffd2b-d050-4e1a-beae-787ac2aab843/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38","retryCount":0,"configurationId":10055427,"generatedDateTime":"2022-09-22T15:22:53.4580747Z","data":{"accountId":"ebeffd2b-d050-4e1a-beae-787ac2aab843","userId":"93ed758b-0830-4012-bef6-1a9391a01b9c","envelopeId":"7a5f1e05-6b6b-445e-9ec0-b8531bacca38","envelopeSummary":{"status":"completed","documentsUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/documents","recipientsUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/recipients","attachmentsUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/attachments","envelopeUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38","emailSubject":"Please DocuSign: 1661781086_CE TEMPLATE 01.pdf","envelopeId":"7a5f1e05-6b6b-445e-9ec0-b8531bacca38","signingLocation":"online","customFieldsUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/custom_fields","notificationUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/notification","enableWetSign":"true","allowMarkup":"false","allowReassign":"true","createdDateTime":"2022-09-22T15:19:24.5Z","lastModifiedDateTime":"2022-09-22T15:19:40.403Z","deliveredDateTime":"2022-09-22T15:22:50.543Z","initialSentDateTime":"2022-09-22T15:19:41.09Z","sentDateTime":"2022-09-22T15:19:41.09Z","completedDateTime":"2022-09-22T15:22:52.92Z","statusChangedDateTime":"2022-09-22T15:22:52.92Z","documentsCombinedUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/documents/combined","certificateUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/documents/certificate","templatesUri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/templates","expireEnabled":"true","expireDateTime":"2023-01-20T15:19:41.09Z","expireAfter":"120","sender":{"userName":"Joshua Saubon","userId":"93ed758b-0830-4012-bef6-1a9391a01b9c","accountId":"ebeffd2b-d050-4e1a-beae-787ac2aab843","email":"joshuabsaubon+atctest4@gmail.com"},"recipients":{"signers":[{"creationReason":"sender","canSignOffline":"false","isBulkRecipient":"false","requireUploadSignature":"false","name":"Joshua Saubon","email":"joshuabsaubon+atctest4@gmail.com","recipientId":"98969862","recipientIdGuid":"4cf8e55c-b611-4ab5-bddd-9bc640bfc911","requireIdLookup":"false","userId":"93ed758b-0830-4012-bef6-1a9391a01b9c","routingOrder":"1","note":"","status":"completed","completedCount":"1","signedDateTime":"2022-09-22T15:22:52.92Z","deliveredDateTime":"2022-09-22T15:22:50.373Z","sentDateTime":"2022-09-22T15:19:41.043Z","deliveryMethod":"email","recipientType":"signer"}],"agents":[],"editors":[],"intermediaries":[],"carbonCopies":[],"certifiedDeliveries":[],"inPersonSigners":[],"seals":[],"witnesses":[],"notaries":[],"recipientCount":"1","currentRoutingOrder":"1"},"envelopeDocuments":[{"documentId":"1","documentIdGuid":"6883476d-fd11-46ba-aea6-1026abed1c92","name":"1661781086_CE TEMPLATE 01.pdf","type":"content","uri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/documents/1","order":"1","pages":[{"pageId":"46635e9e-1ec3-44c5-84f1-0ce976c05215","sequence":"1","height":"842","width":"595","dpi":"72"}],"display":"inline","includeInDownload":"true","signerMustAcknowledge":"no_interaction","templateRequired":"false","authoritativeCopy":"false"},{"documentId":"certificate","documentIdGuid":"5710c854-4901-417d-9def-543cb867359c","name":"Summary","type":"summary","uri":"/envelopes/7a5f1e05-6b6b-445e-9ec0-b8531bacca38/documents/certificate","order":"999","display":"inline","includeInDownload":"true","signerMustAcknowledge":"no_interaction","templateRequired":"false","authoritativeCopy":"false"}],"purgeState":"unpurged","envelopeIdStamping":"true","is21CFRPart11":"false","signerCanSignOnMobile":"true","autoNavigation":"true","isSignatureProviderEnvelope":"false","hasFormDataChanged":"false","allowComments":"true","hasComments":"false","allowViewHistory":"true","disableResponsiveDocument":"false","envelopeMetadata":{"allowAdvancedCorrect":"true","enableSignWithNotary":"false","allowCorrect":"true"},"anySigner":null,"envelopeLocation":"current_site","isDynamicEnvelope":"false"}}}"#

/// A 1 MiB Connect 2.0 event whose bulk is one base64 string (a document's PDFBytes), as sent
/// when the configuration includes documents. Deterministic filler, not a real PDF.
private func documentBody(totalBytes: Int) -> [UInt8] {
    let head = #"{"event":"envelope-completed","apiVersion":"v2.1","retryCount":0,"configurationId":10363315,"# +
        #""generatedDateTime":"2022-12-09T18:32:13.2990000Z","data":{"accountId":"8b411bfe-54f5-47fc-bbf2-55d9a71a200f","# +
        #""envelopeId":"71799c95-8417-4b16-90d5-86ff24a91d09","envelopeSummary":{"status":"completed","# +
        #""envelopeDocuments":[{"documentId":"1","name":"contract.pdf","PDFBytes":""#
    let tail = #""}]}}}"#
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var body = Array(head.utf8)
    let base64Count = (totalBytes - body.count - tail.utf8.count) / 4 * 4
    var state: UInt64 = 0x1234_5678_9ABC_DEF0
    for _ in 0..<base64Count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        body.append(alphabet[Int(state >> 58)])
    }
    body.append(contentsOf: Array(tail.utf8))
    body.append(contentsOf: [UInt8](repeating: 0x20, count: totalBytes - body.count))
    return body
}

/// A ~6.4 KB envelope-completed body with a six-signer envelope summary, as the load generator
/// builds it (`connect-bench --payload summary --recipients 6`, the perf suite's summary case),
/// with its four fields read by Foundation's JSONSerialization.
private func sixSignerSummary() -> (body: [UInt8], expected: Expected) {
    var settings = PayloadSettings(kind: .summary, seed: 1)
    settings.recipients = 6
    var generator = PayloadGenerator(settings: settings, firstIndex: 0)
    var body: [UInt8] = []
    repeat { generator.next(into: &body) } while body.count < 6300
    let object = try! JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
    let data = object["data"] as! [String: Any]
    let expected = Expected(event: object["event"] as! String, configurationId: "\(object["configurationId"] as! Int)",
                            envelopeId: data["envelopeId"] as! String, generatedDateTime: object["generatedDateTime"] as! String)
    return (body, expected)
}

private struct Expected {
    var event: String
    var configurationId: String
    var envelopeId: String
    var generatedDateTime: String
}

/// Scans `body` in pieces of `pieceSize` bytes, `batch` times per measured call, and checks the
/// answer after the timing. The time is split into five rounds and the fastest round is
/// reported: the benchmark machines are shared, and the slower rounds measure the neighbours.
private func benchmark(_ name: String, _ body: [UInt8], pieceSize: Int, batch: Int, expected: Expected,
                       minimumSeconds: Double) -> MicroResult? {
    if let filter = microNameFilter, !name.contains(filter) { return nil }
    let scanner = ConnectFieldScanner()
    var lengths = 0
    let rounds = 5
    let timing = body.withUnsafeBytes { raw in
        fastestRound(minimumSeconds: minimumSeconds, batch: batch, rounds: rounds) {
            for _ in 0..<batch {
                scanner.reset()
                feedInPieces(raw, pieceSize: pieceSize) { scanner.feed($0) }
                precondition(scanner.finish() == nil, "benchmark body is invalid")
                lengths &+= scanner.withField(.envelopeId) { $0?.count ?? -1 }
            }
        }
    }
    blackHole(lengths)
    func text(_ field: ConnectField) -> String? { scanner.fieldBytes(field).map { String(decoding: $0, as: UTF8.self) } }
    precondition(text(.event) == expected.event, "\(name): event \(String(describing: text(.event)))")
    precondition(text(.configurationId) == expected.configurationId, "\(name): configurationId")
    precondition(text(.envelopeId) == expected.envelopeId, "\(name): envelopeId")
    precondition(text(.generatedDateTime) == expected.generatedDateTime, "\(name): generatedDateTime")
    precondition(lengths > 0 && lengths % 36 == 0, "\(name): envelopeId length")
    return MicroResult(name: name, bytesPerOperation: body.count, operations: timing.operations,
                       nanoseconds: timing.nanoseconds, note: "best of \(rounds) rounds; fields checked")
}

/// The scanner on a ~450 B event, a ~4 KB envelope-summary body and a 1 MiB base64-dominated
/// body (whole, and in 64 KiB pieces as a socket would deliver it).
func runJSONMicro(minimumSeconds: Double) -> [MicroResult] {
    let event = Expected(event: "envelope-completed", configurationId: "10343415",
                         envelopeId: "f826722d-0cc8-4ad0-a4ef-bdb128502a61",
                         generatedDateTime: "2022-09-21T13:58:43.9115721Z")
    let summary = Expected(event: "envelope-completed", configurationId: "10055427",
                           envelopeId: "7a5f1e05-6b6b-445e-9ec0-b8531bacca38",
                           generatedDateTime: "2022-09-22T15:22:53.4580747Z")
    let document = Expected(event: "envelope-completed", configurationId: "10363315",
                            envelopeId: "71799c95-8417-4b16-90d5-86ff24a91d09",
                            generatedDateTime: "2022-12-09T18:32:13.2990000Z")
    let big = documentBody(totalBytes: 1 << 20)
    let sixSigner = sixSignerSummary()
    return [
        benchmark("json scanner 456 B event", Array(eventBody.utf8), pieceSize: .max, batch: 1000,
                  expected: event, minimumSeconds: minimumSeconds),
        benchmark("json scanner 4 KB summary", Array(summaryBody.utf8), pieceSize: .max, batch: 100,
                  expected: summary, minimumSeconds: minimumSeconds),
        benchmark("json scanner 6.4 KB summary (6 signers)", sixSigner.body, pieceSize: .max, batch: 100,
                  expected: sixSigner.expected, minimumSeconds: minimumSeconds),
        benchmark("json scanner 1 MiB base64 document", big, pieceSize: .max, batch: 1,
                  expected: document, minimumSeconds: minimumSeconds),
        benchmark("json scanner 1 MiB base64 in 64 KiB pieces", big, pieceSize: 64 * 1024, batch: 1,
                  expected: document, minimumSeconds: minimumSeconds),
    ].compactMap { $0 }
}
