import ArgumentParser
import Foundation
import OtklikCore
import OtklikDemo
import OtklikGeo
import OtklikHTTP
import OtklikStore

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the demo database: Smolensk Oblast districts and settlements, and a synthetic two-year complaint history with planted recurring hotspots.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Random seed; the same seed and end date give the same database.") var seed: UInt64 = 42
    @Option(help: "Number of incidents.") var count = 200_000
    @Option(help: "Last day of the history (YYYY-MM-DD, UTC); default today.") var end: String?
    @Flag(help: "Replace an existing database.") var force = false

    func run() async throws {
        let path = global.databasePath
        if FileManager.default.fileExists(atPath: path) {
            guard force else { throw CLIError("\(path) already exists; pass --force to rebuild it") }
            // With the file goes its journal: a hot rollback journal left by a killed load would be played
            // into the new file.
            for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        guard (1...5_000_000).contains(count) else { throw CLIError("--count must be between 1 and 5000000") }
        let endDate: Date
        if let end {
            endDate = try Timestamp.parse(end, field: "--end", assumeUTC: true)
        } else {
            let day = Int(Date().timeIntervalSince1970 / 86_400)
            endDate = Date(timeIntervalSince1970: Double(day) * 86_400)
        }
        let started = Date()
        let progress = ProgressLine(label: "demo")
        let store = try global.openStore(mustExist: false)
        func load(_ name: String, _ level: AreaLevel) throws -> [Area] {
            let file = global.dataPath + "/" + name
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            return try Area.fromGeoJSON(data, level: level)
        }
        let districts = try load("districts.geojson", .district)
        let settlements = try load("settlements.geojson", .settlement)
        _ = try await store.replaceAreas(districts, level: .district)
        _ = try await store.replaceAreas(settlements, level: .settlement)
        progress.update(fraction: 0.05, detail: "areas loaded: \(districts.count) districts, \(settlements.count) settlements")
        let locator = AreaLocator(districts: districts, settlements: settlements, metric: Geodesic.wgs84Metric)
        let gen = DemoGenerator(seed: seed, count: count, end: endDate, taxonomy: store.taxonomy,
                                settlements: settlements, locator: locator)
        let out = try gen.generate()
        progress.update(fraction: 0.15, detail: "generated \(formatCount(out.incidents.count)) incidents")
        try await Self.load(out.incidents, into: store, progress: progress)
        let truthPath = global.databaseFolder + "/demo-truth.json"
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try enc.encode(out.truth).write(to: URL(fileURLWithPath: truthPath))
        let keysPath = global.databaseFolder + "/api-keys.json"
        let key = try Self.writeDemoKey(to: keysPath)
        progress.finish("demo database \(path): \(formatCount(out.incidents.count)) incidents, \(out.truth.hotspots.count) planted hotspots (ground truth in \(truthPath)) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print("demo operator API key (stored hashed in \(keysPath)): \(key)")
        print("  curl -H 'Authorization: Bearer \(key)' -X PATCH http://127.0.0.1:8080/api/v1/incidents/1 -d '{\"status\":\"in_progress\"}'")
    }

    /// Writes the generated history through the bulk-load port, as `otklik import` does.
    static func load(_ incidents: [Incident], into store: some BulkIncidentLoading, progress: ProgressLine) async throws {
        let total = Double(incidents.count)
        _ = try await store.withBulkLoad(BulkLoadOptions(actor: "demo")) { loader in
            try await loader.load(all: incidents) { done in
                progress.update(fraction: 0.15 + 0.75 * Double(done) / total, detail: "\(formatCount(done)) written")
            }
            _ = try await loader.finishWriting()
            progress.update(fraction: 0.95, detail: "building the spatial index…")
        }
    }

    /// A fresh random operator key; only its SHA-256 is written, the key itself is printed once.
    static func writeDemoKey(to path: String) throws -> String {
        var rng = SystemRandomNumberGenerator()
        let key = "otk_" + (0..<32).map { _ in String(UInt8.random(in: 0...15, using: &rng), radix: 16) }.joined()
        let file: [String: Any] = ["keys": [["name": "demo-operator", "role": "operator", "sha256": APIKeys.digest(key)]]]
        let data = try JSONSerialization.data(withJSONObject: file, options: [.prettyPrinted, .sortedKeys])
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path)")
        }
        return key
    }
}
