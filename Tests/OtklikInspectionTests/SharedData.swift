import Foundation
import OtklikTestSupport

/// The TSPLIB instances and the GPX schema in ../shared/data.
enum SharedData {
    static let optimaFile = "tsplib/optimal_lengths.csv"
    static let gpxSchemaFile = "schemas/gpx-1.1.xsd"
    static let tsplib = SharedDataFolder.file("tsplib")
    static let gpxSchema = SharedDataFolder.file(gpxSchemaFile)

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: SharedDataFolder.file(relative), encoding: .utf8)
    }

    /// name → optimal length from optimal_lengths.csv.
    static func optima() throws -> [String: Double] {
        var result: [String: Double] = [:]
        for line in try text(optimaFile).split(separator: "\n").dropFirst() {
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

/// Files for the peers to read.
enum Tool {
    static func temporaryFile(_ name: String, contents: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("otklik-inspection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
