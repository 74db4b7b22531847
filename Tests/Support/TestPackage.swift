public import Foundation
public import Testing

/// The package the tests run in: its folder, the programs the build made, and ../shared/data beside it.
public enum TestPackage {
    /// The package root, found from this file's path (Tests/Support/TestPackage.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The package's data folder (categories.json, the demo gazetteer).
    public static let data = root.appendingPathComponent("data")

    /// The folder the build wrote the test bundle and the executables into, as swift-argument-parser's
    /// `AssertExecuteCommand` finds it: beside the running test bundle (whatever the configuration or build
    /// path), else .build/debug.
    public static let products: URL = {
        #if os(macOS)
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        #endif
        let beside = Bundle.main.bundleURL
        if FileManager.default.fileExists(atPath: beside.appendingPathComponent("otklik").path) { return beside }
        return root.appendingPathComponent(".build/debug")
    }()

    /// A product the build made (`otklik`). Not a peer: `swift build` (which `make test` runs first) and
    /// `swift test` both build it, so its absence is a broken build and always a failure.
    public static func executable(_ name: String) throws -> String {
        let path = products.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw ProductMissing(path: path) }
        return path
    }

    public struct ProductMissing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "no executable at \(path); run `swift build` first" }
    }
}

/// ../shared/data beside the package: real data sets the project does not commit (311 complaints, TSPLIB, the
/// GPX schema). Not a peer: a test that reads it skips with a message when it is absent, even in CI.
public enum SharedDataFolder {
    public static let url = TestPackage.root.deletingLastPathComponent().appendingPathComponent("shared/data")

    public static func file(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// True when every one of these files or folders is there.
    public static func has(_ relative: [String]) -> Bool {
        relative.allSatisfy { FileManager.default.fileExists(atPath: file($0).path) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when these files of ../shared/data are there, else skips it saying which is absent.
    public static func requiresSharedData(_ relative: String..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: SharedDataFolder.has(relative),
                 Comment(rawValue: "../shared/data is absent (needs \(relative.joined(separator: ", ")))"),
                 sourceLocation: sourceLocation)
    }
}
