import Foundation
import IngestTestSupport
import IngestXML
import XCTest

/// Generated Connect-like XML documents and their mutants, each checked three ways: against the
/// generator's own record of the fields, against Foundation's `XMLParser` (well-formedness and
/// fields; its known deviations are listed in `XMLFoundationOracle` and counted, never silently
/// skipped), and against itself (every cutting gives the same outcome; an error's offset is
/// exactly where the input stopped being a valid beginning). Fixed seeds; every failure message
/// starts with the seed.
final class XMLDifferentialTests: XCTestCase {
    static let documentCount: UInt64 = 800
    static let mutantsPerDocument = 3

    private struct Tally {
        var documents = 0, mutants = 0, wellFormedMutants = 0
        var endsEarly = 0, doctypes = 0, encodings = 0, versions = 0, namespaceNames = 0, reservedTargets = 0, notGivenToFoundation = 0, invalidUTF8 = 0
        var reasons: [XMLScanError.Reason: Int] = [:]
        var fieldsPresent: [ConnectXMLField: Int] = [:]
        var failures = 0
    }

    func testGeneratedDocumentsAndMutantsAgainstModelFoundationAndSplits() {
        let harness = XMLScanHarness()
        var tally = Tally()
        for seed in 1...Self.documentCount {
            guard tally.failures < 10 else { XCTFail("stopping after 10 failures"); break }
            var generator = XMLDocumentGenerator(seed: seed)
            let document = generator.document()
            let context = XMLFailureContext("seed \(seed)", document)
            tally.documents += 1

            let outcome = harness.scan(document)
            if outcome != generator.expected {
                fail(&tally, "\(context)\n  generator expects \(generator.expected)\n  scanner gives     \(outcome)")
            }
            for field in ConnectXMLField.allCases where outcome[field] != nil { tally.fieldsPresent[field, default: 0] += 1 }
            compareWithFoundation(document, outcome, context, &tally)
            var cuttings = Cuttings.randomPoints(document, count: 2, seed: seed)
            if seed % 16 == 0 && document.count <= 4096 { cuttings.append(Cuttings.byteByByte(document)) }
            if let mismatch = harness.splitMismatch(document, cuttings) {
                fail(&tally, "\(context)\n  cutting \(mismatch)")
            }

            var mutator = XMLMutator(seed: seed &* 0x9E37_79B9)
            for index in 0..<Self.mutantsPerDocument {
                let (mutant, what) = mutator.mutate(document)
                let mutantContext = XMLFailureContext("seed \(seed) mutant \(index) (\(what))", mutant)
                tally.mutants += 1
                let mutantOutcome = harness.scan(mutant)
                if let error = mutantOutcome.error { tally.reasons[error.reason, default: 0] += 1 } else { tally.wellFormedMutants += 1 }
                compareWithFoundation(mutant, mutantOutcome, mutantContext, &tally)
                checkErrorOffset(mutant, mutantOutcome, mutantContext, harness, &tally)
                if let mismatch = harness.splitMismatch(mutant, Cuttings.randomPoints(mutant, count: 1, seed: seed &+ UInt64(index))) {
                    fail(&tally, "\(mutantContext)\n  cutting \(mismatch)")
                }
            }
        }
        print("xml differential: \(tally.documents) documents, \(tally.mutants) mutants (\(tally.wellFormedMutants) still well-formed); "
              + "Foundation deviations: \(tally.endsEarly) ends early, \(tally.doctypes) DOCTYPEs, \(tally.encodings) encodings, "
              + "\(tally.versions) versions, \(tally.namespaceNames) namespace names, \(tally.reservedTargets) xml-PI targets, \(tally.notGivenToFoundation) not given to it (PI without data), "
              + "\(tally.invalidUTF8) not UTF-8 (checked against the standard library's decoder); "
              + "errors: \(tally.reasons.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key)=\($0.value)" })")
        // The generator and mutator must actually exercise what they claim to.
        let unreachableByMutation: Set<XMLScanError.Reason> = [.depthLimitExceeded, .nameTooLong, .tooManyAttributes]
        for reason in XMLScanError.Reason.allCases where !unreachableByMutation.contains(reason) {
            XCTAssertGreaterThan(tally.reasons[reason, default: 0], 0, "no mutant produced \(reason)")
        }
        for field in ConnectXMLField.allCases {
            XCTAssertGreaterThan(tally.fieldsPresent[field, default: 0], Int(Self.documentCount) / 2, "\(field) rarely present")
        }
        XCTAssertGreaterThan(tally.wellFormedMutants, tally.mutants / 30)
    }

    private func fail(_ tally: inout Tally, _ message: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        tally.failures += 1
        XCTFail(message(), file: file, line: line)
    }

    private func compareWithFoundation(_ bytes: [UInt8], _ outcome: XMLOutcome, _ context: XMLFailureContext, _ tally: inout Tally) {
        if let invalid = XMLFoundationOracle.firstInvalidUTF8(bytes) {
            // Not for Foundation (deviation 6): the scanner must fail by the end of the first
            // ill-formed sequence (at most 4 bytes), and an invalidUTF8 error must be inside it.
            tally.invalidUTF8 += 1
            guard let error = outcome.error, error.offset <= invalid + 3,
                  error.reason != .invalidUTF8 || error.offset >= invalid else {
                fail(&tally, "\(context)\n  not UTF-8 from byte \(invalid); scanner: \(String(describing: outcome.error))")
                return
            }
            return
        }
        guard XMLFoundationOracle.isSafeForFoundation(bytes) else {
            tally.notGivenToFoundation += 1
            return
        }
        switch XMLFoundationOracle.parse(bytes) {
        case .wellFormed(let fields):
            if let error = outcome.error {
                switch error.reason {
                case .unexpectedEnd: tally.endsEarly += 1
                case .doctypeNotAllowed: tally.doctypes += 1
                case .unsupportedEncoding: tally.encodings += 1
                default: fail(&tally, "\(context)\n  Foundation accepts; scanner rejects: \(error)")
                }
                return
            }
            if outcome.fieldsOnly != fields {
                fail(&tally, "\(context)\n  Foundation fields \(fields)\n  scanner fields    \(outcome.fieldsOnly)")
            }
        case .malformed(let codes):
            guard outcome.error == nil else { return }
            if XMLFoundationOracle.isWarningsOnly(codes) {
                if codes.contains(XMLFoundationOracle.versionWarning) { tally.versions += 1 }
                if codes.contains(XMLFoundationOracle.namespaceURIWarning) { tally.namespaceNames += 1 }
                if codes.contains(XMLFoundationOracle.reservedTargetWarning) { tally.reservedTargets += 1 }
            } else {
                fail(&tally, "\(context)\n  Foundation rejects (libxml2 codes \(codes)); scanner accepts")
            }
        }
    }

    /// The offset is the length of the longest valid beginning: the input up to the offset is
    /// still a valid beginning (or a whole document), and one more byte gives the same error.
    private func checkErrorOffset(_ bytes: [UInt8], _ outcome: XMLOutcome, _ context: XMLFailureContext,
                                  _ harness: XMLScanHarness, _ tally: inout Tally) {
        guard let error = outcome.error else { return }
        if error.reason == .unexpectedEnd {
            if error.offset != bytes.count { fail(&tally, "\(context)\n  unexpectedEnd at \(error.offset) of \(bytes.count)") }
            return
        }
        guard error.offset < bytes.count else {
            fail(&tally, "\(context)\n  \(error) beyond the end (\(bytes.count) bytes)")
            return
        }
        let before = harness.scan(Array(bytes[..<error.offset])).error
        if before != nil && before != XMLScanError(reason: .unexpectedEnd, offset: error.offset) {
            fail(&tally, "\(context)\n  \(error), but the prefix before it already fails: \(before!)")
        }
        let through = harness.scan(Array(bytes[...error.offset])).error
        if through != error {
            fail(&tally, "\(context)\n  \(error), but the prefix through it gives \(String(describing: through))")
        }
    }
}

/// What failed, printed only when something does (building the text for every input would cost
/// more than the test itself).
struct XMLFailureContext: CustomStringConvertible {
    let name: String
    let bytes: [UInt8]

    init(_ name: String, _ bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var description: String { "\(name): \(debugText(bytes))" }
}
