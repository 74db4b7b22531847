import Foundation
import OtklikTestSupport

/// ../shared/data relative to the package root, found from this file's path.
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let data = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static let tsplib = data.appendingPathComponent("tsplib")
    static let gpxSchema = data.appendingPathComponent("schemas/gpx-1.1.xsd")

    static var available: Bool { FileManager.default.fileExists(atPath: tsplib.appendingPathComponent("optimal_lengths.csv").path) }
    static var schemaAvailable: Bool { FileManager.default.fileExists(atPath: gpxSchema.path) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: data.appendingPathComponent(relative), encoding: .utf8)
    }

    /// name → optimal length from optimal_lengths.csv.
    static func optima() throws -> [String: Double] {
        var result: [String: Double] = [:]
        for line in try text("tsplib/optimal_lengths.csv").split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f.count >= 4, let v = Double(f[3]) { result[String(f[0])] = v }
        }
        return result
    }
}

enum Fixture {
    static func text(_ name: String, _ ext: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

/// Runs a program found on PATH; nil when it is not installed.
enum Tool {
    static func path(_ name: String) -> String? { ExternalProcess.path(name) }

    static func run(_ name: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try ExternalProcess.run(name, args)
    }

    static func temporaryFile(_ name: String, contents: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-inspection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
