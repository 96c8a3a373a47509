import Foundation
import IngestTestSupport
import XCTest

/// The project stands on its own: a fresh clone builds, tests and benchmarks with nothing beside
/// it. These tests fail when a tracked file names a place outside the project root, or when the
/// fixtures the tests read are missing from the project.
final class SelfContainedTests: XCTestCase {
    /// Substrings that point outside the project root. Spelled in pieces so that this file does
    /// not match itself.
    static let forbidden: [String] = [
        ".." + "/shared",
        "shared" + "/corpus",
        "shared" + "/CONNECT",
        "/" + "work/",
        "root" + ".deletingLastPathComponent",
    ]

    func testNoTrackedFileRefersOutsideTheProjectRoot() throws {
        let root = ProjectPaths.root
        let files = try trackedFiles(root)
        XCTAssertGreaterThan(files.count, 50, "the file list looks wrong: \(files.prefix(5))")
        var offenders: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path),
                  !data.contains(0) else { continue }   // missing (deleted in the work tree) or binary
            let text = String(decoding: data, as: UTF8.self)
            for (lineNumber, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for pattern in Self.forbidden where line.contains(pattern) {
                    offenders.append("\(file):\(lineNumber + 1): \(pattern)")
                }
            }
        }
        XCTAssertEqual(offenders, [], "tracked files refer to paths outside the project root")
    }

    func testCorpusFixturesAreInTheProject() throws {
        let folder = Corpus.directory
        XCTAssertTrue(folder.path.hasPrefix(ProjectPaths.root.path), "the corpus must live inside the project")
        let sources = String(decoding: try Corpus.bytes("SOURCES.md"), as: UTF8.self)
        let bodies = try Corpus.files(withExtension: "json").filter { $0 != "hmac-test-vectors.selfmade.json" }
            + Corpus.files(withExtension: "xml")
        XCTAssertGreaterThanOrEqual(bodies.count, 12)
        for body in bodies {
            XCTAssertTrue(sources.contains("`\(body)`"), "\(body) has no row in SOURCES.md")
        }
        let vectors = String(decoding: try Corpus.bytes("hmac-test-vectors.selfmade.json"), as: UTF8.self)
        for body in bodies {
            XCTAssertTrue(vectors.contains(body), "\(body) has no HMAC test vector")
        }
    }

    /// `git ls-files` when the project is a git checkout; otherwise every file under the root
    /// except build folders (a source archive has no .git).
    private func trackedFiles(_ root: URL) throws -> [String] {
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", root.path, "ls-files", "-z"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        var result: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let path = enumerator?.nextObject() as? String {
            let first = path.split(separator: "/").first.map(String.init) ?? path
            if first.hasPrefix(".build") || first == ".git" || first == ".swiftpm" {
                enumerator?.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                result.append(path)
            }
        }
        return result
    }
}
