import Foundation

/// The shared corpus of real DocuSign Connect bodies, beside the project at `../shared/corpus/`.
public enum Corpus {
    /// The folder, beside the project root.
    public static var directory: URL {
        ProjectPaths.root.deletingLastPathComponent().appendingPathComponent("shared/corpus")
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
