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
    @Option(help: "Number of incidents: the planted hotspots' complaints (about 270, the number depends on the seed) and background complaints up to this number. A smaller number gives the planted complaints alone, since they are what the demo shows.")
    var count = 200_000
    @Option(help: "Last day of the history (YYYY-MM-DD, UTC); default today.") var end: String?
    @Flag(help: "Replace an existing database (a PostGIS database that holds rows: delete them first).") var force = false

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
        if StoreFactory.isPostGIS(path) {
            // A database on a server is not a file to delete: what it holds is refused, or with --force deleted, as
            // an existing SpatiaLite file is.
            let held = try await Migrate.reading(path) { try await store.nonEmptyTables() }
            if !held.isEmpty {
                guard force else { throw CLIError("\(Migrate.shown(path)) already holds data; pass --force to rebuild it") }
                try await store.clearTransferTables()
            }
        }
        func load(_ name: String, _ level: AreaLevel) throws -> [Area] {
            let (data, origin) = try global.dataFile(name)
            do { return try Area.fromGeoJSON(data, level: level) } catch { throw CLIError("\(origin): \(error)") }
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
        if out.incidents.count > count {
            FileHandle.standardError.write(Data("note: --count \(count) is fewer than the planted hotspots' \(out.incidents.count) complaints; the demo has those alone\n".utf8))
        }
        try await Self.load(out.incidents, into: store, progress: progress)
        let truthPath = global.databaseFolder + "/demo-truth.json"
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try enc.encode(out.truth).write(to: URL(fileURLWithPath: truthPath))
        let keysPath = global.databaseFolder + "/api-keys.json"
        let (key, kept) = try Self.writeDemoKey(to: keysPath)
        progress.finish("demo database \(path): \(formatCount(out.incidents.count)) incidents, \(out.truth.hotspots.count) planted hotspots (ground truth in \(truthPath)) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print("demo operator API key (stored hashed in \(keysPath)\(kept > 0 ? ", beside the \(kept) other keys already there" : "")): \(key)")
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

    /// A fresh random operator key named demo-operator; only its SHA-256 is written, the key itself is printed
    /// once. The other keys of an existing file are kept: only an earlier demo-operator key is replaced (its key
    /// cannot be shown again).
    static func writeDemoKey(to path: String) throws -> (key: String, kept: Int) {
        do {
            var file = try APIKeyFile.readIfPresent(path)
            _ = file.revoke(name: "demo-operator")
            let made = try file.create(role: .operator_, name: "demo-operator", agencies: [], now: Date())
            try file.write(to: path)
            return (made.key, file.entries.count - 1)
        } catch {
            throw CLIError("\(error)")
        }
    }
}
