import Foundation

/// The shared corpus of real DocuSign Connect bodies, beside the project at `../shared/corpus/`.
public enum Corpus {
    /// The folder, found by walking up from this source file to the project root.
    public static var directory: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.deletingLastPathComponent().appendingPathComponent("shared/corpus")
            }
        }
        fatalError("project root not found above \(#filePath)")
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
