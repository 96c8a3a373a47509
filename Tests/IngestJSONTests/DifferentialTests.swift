import Foundation
import IngestJSON
import IngestTestSupport
import XCTest

/// Thousands of generated Connect-like documents and their mutants, each checked three ways:
/// against the generator's own model (exact fields, including a number's literal text), against
/// Foundation's `JSONSerialization` (validity and fields; its known deviations from RFC 8259 are
/// listed in `FoundationOracle` and counted, never silently skipped), and against itself (every
/// cutting gives the same outcome; an error's offset is exactly where the input stopped being a
/// valid prefix). Fixed seeds; every failure message starts with the seed.
final class DifferentialTests: XCTestCase {
    static let documentCount: UInt64 = 2500
    static let mutantsPerDocument = 3

    private struct Tally {
        var documents = 0, mutants = 0, validMutants = 0
        var trailingCommas = 0, otherEncodings = 0, unrepresentableNumbers = 0
        var reasons: [JSONScanError.Reason: Int] = [:]
        var fieldsPresent: [ConnectField: Int] = [:]
        var numberConfigurationIds = 0
        var failures = 0
    }

    func testGeneratedDocumentsAndMutantsAgainstModelFoundationAndSplits() {
        let harness = ScanHarness()
        var tally = Tally()
        for seed in 1...Self.documentCount {
            guard tally.failures < 10 else { XCTFail("stopping after 10 failures"); break }
            var generator = ConnectDocumentGenerator(seed: seed)
            let model = generator.document()
            let document = generator.serialize(model)
            let context = "seed \(seed): \(debugText(document))"
            tally.documents += 1

            let outcome = harness.scan(document)
            if outcome != model.expectedFields {
                fail(&tally, "\(context)\n  model expects \(model.expectedFields)\n  scanner gives \(outcome)")
            }
            for field in ConnectField.allCases where outcome[field] != nil { tally.fieldsPresent[field, default: 0] += 1 }
            compareWithFoundation(document, outcome, context, &tally)
            var cuttings = Cuttings.randomPoints(document, count: 2, seed: seed)
            if seed % 8 == 0 && document.count <= 4096 { cuttings.append(Cuttings.byteByByte(document)) }
            if let mismatch = harness.splitMismatch(document, cuttings) {
                fail(&tally, "\(context)\n  cutting \(mismatch)")
            }

            var mutator = JSONMutator(seed: seed &* 0x9E37_79B9)
            for index in 0..<Self.mutantsPerDocument {
                let (mutant, what) = mutator.mutate(document)
                let mutantContext = "seed \(seed) mutant \(index) (\(what)): \(debugText(mutant))"
                tally.mutants += 1
                let mutantOutcome = harness.scan(mutant)
                if let error = mutantOutcome.error { tally.reasons[error.reason, default: 0] += 1 } else { tally.validMutants += 1 }
                compareWithFoundation(mutant, mutantOutcome, mutantContext, &tally)
                checkErrorOffset(mutant, mutantOutcome, mutantContext, harness, &tally)
                if let mismatch = harness.splitMismatch(mutant, Cuttings.randomPoints(mutant, count: 1, seed: seed &+ UInt64(index))) {
                    fail(&tally, "\(mutantContext)\n  cutting \(mismatch)")
                }
            }
        }
        print("differential: \(tally.documents) documents, \(tally.mutants) mutants (\(tally.validMutants) still valid); "
              + "Foundation deviations: \(tally.trailingCommas) trailing commas, \(tally.otherEncodings) other encodings, "
              + "\(tally.unrepresentableNumbers) unrepresentable numbers; number configurationIds: \(tally.numberConfigurationIds); "
              + "errors: \(tally.reasons.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key)=\($0.value)" })")
        // The generator must actually exercise what it claims to.
        for reason in JSONScanError.Reason.allCases where reason != .depthLimitExceeded {
            XCTAssertGreaterThan(tally.reasons[reason, default: 0], 0, "no mutant produced \(reason)")
        }
        for field in ConnectField.allCases {
            XCTAssertGreaterThan(tally.fieldsPresent[field, default: 0], Int(Self.documentCount) / 3, "\(field) rarely present")
        }
        XCTAssertGreaterThan(tally.validMutants, tally.mutants / 20)
        XCTAssertGreaterThan(tally.numberConfigurationIds, 100)
    }

    private func fail(_ tally: inout Tally, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        tally.failures += 1
        XCTFail(message, file: file, line: line)
    }

    private func compareWithFoundation(_ bytes: [UInt8], _ outcome: ScanOutcome, _ context: String, _ tally: inout Tally) {
        switch FoundationOracle.parse(bytes) {
        case .valid(let object):
            if let error = outcome.error {
                if FoundationOracle.foundationDetectsOtherEncoding(bytes) {
                    tally.otherEncodings += 1
                } else if FoundationOracle.isTrailingComma(error, in: bytes) {
                    tally.trailingCommas += 1
                } else {
                    fail(&tally, "\(context)\n  Foundation accepts; scanner rejects: \(error)")
                }
                return
            }
            let (expected, number) = FoundationOracle.fields(of: object)
            var ours = outcome
            if let number {
                tally.numberConfigurationIds += 1
                let text = ours.configurationId.map { String(decoding: $0, as: UTF8.self) }
                // Both sides parse the literal with a correctly rounded strtod; very long integers
                // come back from Foundation as NSDecimalNumber, whose doubleValue may differ in
                // the last bit, hence the relative tolerance.
                if let value = text.flatMap(Double.init), value == number || abs(value - number) <= abs(number) * 1e-15 {
                    ours.configurationId = nil
                } else {
                    fail(&tally, "\(context)\n  configurationId: Foundation number \(number), scanner \(String(describing: text))")
                }
            }
            if ours.fieldsOnly != expected {
                fail(&tally, "\(context)\n  Foundation fields \(expected)\n  scanner fields    \(ours.fieldsOnly)")
            }
        case .invalid(let message):
            guard outcome.error == nil else { return }
            if FoundationOracle.isUnrepresentableNumber(message) {
                tally.unrepresentableNumbers += 1
            } else {
                fail(&tally, "\(context)\n  Foundation rejects (\(message)); scanner accepts")
            }
        }
    }

    /// The offset is the length of the longest valid prefix: the input up to the offset is still
    /// a valid prefix (or a complete document), and one more byte gives the same error.
    private func checkErrorOffset(_ bytes: [UInt8], _ outcome: ScanOutcome, _ context: String,
                                  _ harness: ScanHarness, _ tally: inout Tally) {
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
        if before != nil && before != JSONScanError(reason: .unexpectedEnd, offset: error.offset) {
            fail(&tally, "\(context)\n  \(error), but the prefix before it already fails: \(before!)")
        }
        let through = harness.scan(Array(bytes[...error.offset])).error
        if through != error {
            fail(&tally, "\(context)\n  \(error), but the prefix through it gives \(String(describing: through))")
        }
    }
}
