import Foundation

/// The project's copy of real DocuSign Connect bodies, byte-exact, in `Tests/Fixtures/corpus/`
/// (where each came from: `SOURCES.md` there). Tests read nothing outside the project root.
public enum Corpus {
    /// The folder inside the project.
    public static var directory: URL {
        ProjectPaths.root.appendingPathComponent("Tests/Fixtures/corpus")
    }

    /// The exact bytes of one corpus file.
    public static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The names of the corpus files with the given extension, sorted.
    public static func files(withExtension ext: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix("." + ext) }.sorted()
    }
}
