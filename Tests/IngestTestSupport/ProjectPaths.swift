import Foundation

/// Where the built products are, so tests can start the real `connect-ingest` binary.
public enum ProjectPaths {
    /// The project root (the folder holding Package.swift).
    public static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("project root not found above \(#filePath)")
    }

    /// The folder with the built executables: the test bundle sits in the same build folder.
    public static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Bundle.main.bundleURL
    }

    /// The `connect-ingest` binary built alongside the tests.
    public static var connectIngest: URL { productsDirectory.appendingPathComponent("connect-ingest") }

    /// A fresh empty temporary folder (removed by the caller or left in /tmp for inspection).
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
