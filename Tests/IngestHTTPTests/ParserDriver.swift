import Foundation
import IngestHTTP
import IngestTestSupport
import XCTest

/// What a parser made of one input, normalised so that different cuttings can be compared:
/// heads with their header strings copied out at `.head` time, each request's body concatenated,
/// the error, and where the parser stood when the input ran out.
struct Transcript: Equatable, CustomStringConvertible {
    struct Head: Equatable {
        var method: HTTPMethod
        var methodText: String
        var target: String
        var version: HTTPVersion
        var contentLength: Int?
        var isChunked: Bool
        var keepAlive: Bool
        var expectsContinue: Bool
        var headers: [[String]]
    }
    enum Event: Equatable {
        case head(Head)
        /// End of a request, with its whole body.
        case end(body: [UInt8])
        case error(HTTPParseError)
    }
    var events: [Event] = []
    /// Body bytes of a request that had not ended when the input ran out.
    var pendingBody: [UInt8] = []
    /// Bytes the parser had not consumed when the input ran out, not counting leading empty lines.
    var leftover = 0
    var idle = true
    var inBody = false
    /// Contract or invariant breaches seen while driving (must stay empty).
    var violations: [String] = []

    var heads: [Head] { events.compactMap { if case .head(let h) = $0 { return h } else { return nil } } }
    var bodies: [[UInt8]] { events.compactMap { if case .end(let b) = $0 { return b } else { return nil } } }
    var error: HTTPParseError? { events.compactMap { if case .error(let e) = $0 { return e } else { return nil } }.first }
    var endCount: Int { bodies.count }

    var description: String {
        var lines = events.map { event -> String in
            switch event {
            case .head(let h):
                return "head \(h.methodText) \(h.target) \(h.version) cl=\(String(describing: h.contentLength)) chunked=\(h.isChunked) keepAlive=\(h.keepAlive) expect=\(h.expectsContinue) headers=\(h.headers)"
            case .end(let body): return "end body=\(body.count)B"
            case .error(let e): return "error \(e)"
            }
        }
        lines.append("pending=\(pendingBody.count)B leftover=\(leftover) idle=\(idle) inBody=\(inBody)")
        if !violations.isEmpty { lines.append("VIOLATIONS: \(violations)") }
        return lines.joined(separator: "\n")
    }
}

/// Feeds pieces to a parser the way a server does: keeps the unconsumed bytes, appends the next
/// piece, calls `parse` until `.needMore`, and drops exactly what each step consumed.
enum ParserDriver {
    static func run(_ pieces: [ArraySlice<UInt8>], limits: HTTPLimits = HTTPLimits(),
                    parser existing: RequestParser? = nil) -> Transcript {
        let parser = existing ?? RequestParser(limits: limits)
        var transcript = Transcript()
        var storage: [UInt8] = []
        var start = 0
        var body: [UInt8] = []
        var failed = false

        pieceLoop: for piece in pieces {
            storage.append(contentsOf: piece)
            var stepsWithoutProgress = 0
            while true {
                let available = storage.count - start
                let step = storage.withUnsafeBytes { raw -> ParseStep in
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[start...])
                    let step = parser.parse(bytes)
                    if case .head(let consumed) = step {
                        transcript.events.append(.head(copyHead(parser, bytes, consumed: consumed, into: &transcript)))
                    }
                    return step
                }
                var consumed = 0
                switch step {
                case .needMore(let c):
                    consumed = c
                case .head(let c):
                    consumed = c
                    if c <= 0 { transcript.violations.append("head consumed \(c)") }
                    if !parser.isInBody { transcript.violations.append("not in body after head") }
                case .body(let offset, let count, let c):
                    consumed = c
                    if offset < 0 || count <= 0 || offset + count > c {
                        transcript.violations.append("body offset \(offset) count \(count) consumed \(c)")
                    } else if c <= available {
                        body.append(contentsOf: storage[(start + offset)..<(start + offset + count)])
                    }
                    if !parser.isInBody { transcript.violations.append("not in body during body") }
                case .end(let c):
                    consumed = c
                    transcript.events.append(.end(body: body))
                    body = []
                    if !parser.isIdle { transcript.violations.append("not idle after end") }
                case .error(let e):
                    transcript.events.append(.error(e))
                    if parser.parse(UnsafeRawBufferPointer(start: nil, count: 0)) != .error(e) {
                        transcript.violations.append("error not sticky")
                    }
                    failed = true
                    break pieceLoop
                }
                if consumed < 0 || consumed > available {
                    transcript.violations.append("consumed \(consumed) of \(available)")
                    failed = true
                    break pieceLoop
                }
                start += consumed
                if start > 4096 && start > storage.count / 2 {
                    storage.removeFirst(start)
                    start = 0
                }
                if case .needMore = step { break }
                stepsWithoutProgress = consumed == 0 ? stepsWithoutProgress + 1 : 0
                if stepsWithoutProgress > 2 {
                    transcript.violations.append("no progress: \(step)")
                    failed = true
                    break pieceLoop
                }
            }
        }
        transcript.pendingBody = body
        // Leading empty lines are consumed only when nothing else has arrived yet, so whether
        // they are still held depends on the cutting: they are not counted.
        var rest = start
        while rest + 1 < storage.count && storage[rest] == 13 && storage[rest + 1] == 10 { rest += 2 }
        transcript.leftover = failed ? 0 : storage.count - rest
        transcript.idle = parser.isIdle
        transcript.inBody = parser.isInBody
        return transcript
    }

    /// Copies the head out (the spans die when the caller drops the bytes) and checks the spans
    /// lie inside the head.
    private static func copyHead(_ parser: RequestParser, _ bytes: UnsafeRawBufferPointer, consumed: Int,
                                 into transcript: inout Transcript) -> Transcript.Head {
        func text(_ span: ByteSpan, _ what: String) -> String {
            guard span.offset >= 0, span.length >= 0, span.upperBound <= consumed else {
                transcript.violations.append("\(what) span \(span) outside head of \(consumed)")
                return "<bad span>"
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[span.range]), as: UTF8.self)
        }
        let head = parser.head
        var headers: [[String]] = []
        for index in 0..<head.headerCount {
            headers.append([text(parser.headerName(at: index), "name \(index)"),
                            text(parser.headerValue(at: index), "value \(index)")])
        }
        return Transcript.Head(method: head.method, methodText: text(head.methodSpan, "method"),
                               target: text(head.target, "target"), version: head.version,
                               contentLength: head.contentLength, isChunked: head.isChunked,
                               keepAlive: head.keepAlive, expectsContinue: head.expectsContinue,
                               headers: headers)
    }

    /// The transcript of `input` fed whole, after checking that byte-by-byte, every two-way split
    /// and `randomRounds` seeded random cuttings give the identical transcript.
    @discardableResult
    static func checkAllCuttings(_ input: [UInt8], limits: HTTPLimits = HTTPLimits(), maxExhaustive: Int = 2048,
                                 randomRounds: Int = 4, file: StaticString = #filePath, line: UInt = #line) -> Transcript {
        let whole = run([input[...]], limits: limits)
        XCTAssertEqual(whole.violations, [], "whole", file: file, line: line)
        for (name, pieces) in SplitFeeder.cuttings(of: input, maxExhaustive: maxExhaustive) {
            let other = run(pieces, limits: limits)
            if other != whole {
                XCTFail("cutting \(name) differs:\n--- whole\n\(whole)\n--- \(name)\n\(other)", file: file, line: line)
                return whole
            }
        }
        for round in 0..<randomRounds {
            let seed = UInt64(0xC0FFEE) &+ UInt64(round) &* 7919 &+ UInt64(input.count)
            var rng = SeededRandom(seed: seed)
            let maxPiece = [3, 17, 64, 1000][round % 4]
            let other = run(SplitFeeder.randomCutting(of: input, maxPiece: maxPiece, using: &rng), limits: limits)
            if other != whole {
                XCTFail("random cutting seed \(seed) maxPiece \(maxPiece) differs:\n--- whole\n\(whole)\n--- random\n\(other)",
                        file: file, line: line)
                return whole
            }
        }
        return whole
    }
}

extension Array where Element == UInt8 {
    /// The bytes of `text` with every "\n" written as CRLF, so test requests read naturally.
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }
}
