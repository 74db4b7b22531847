import Foundation
import OtklikCore
import OtklikDemo
import OtklikGeo
import OtklikStore
import Logging
import Synchronization

/// `otklik-bench store gen-csv N FILE [DATA_DIR]`: writes N demo incidents as the import CSV, so the import
/// benchmark and its peer (ogr2ogr) read exactly the same file.
enum StoreBench {
    static func run(_ args: [String]) async throws {
        if args.first == "import" { return try await importCSV(Array(args.dropFirst())) }
        guard args.count >= 3, args[0] == "gen-csv", let n = Int(args[1]) else {
            throw BenchError("usage: otklik-bench store gen-csv N FILE [DATA_DIR] | store import CSV DB [DATA_DIR]")
        }
        let dataDir = args.count > 3 ? args[3] : "data"
        let taxonomy = try Taxonomy.decode(Data(contentsOf: URL(fileURLWithPath: dataDir + "/categories.json")))
        let d = try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: dataDir + "/districts.geojson")), level: .district)
        let s = try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: dataDir + "/settlements.geojson")), level: .settlement)
        let loc = AreaLocator(districts: d, settlements: s, metric: Geodesic.wgs84Metric)
        let out = try DemoGenerator(seed: 2024, count: n, end: Date(timeIntervalSince1970: 1_793_491_200), taxonomy: taxonomy,
                                    settlements: s, locator: loc).generate()
        _ = FileManager.default.createFile(atPath: args[2], contents: nil)
        guard let h = FileHandle(forWritingAtPath: args[2]) else { throw BenchError("cannot write \(args[2])") }
        var buf = "external_id,source,category,lon,lat,reported_at,status,resolved_at,description,address\n"
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        for inc in out.incidents {
            buf += "\(inc.externalID),\(inc.source.rawValue),\(inc.category),\(inc.location.lon),\(inc.location.lat),"
            buf += "\(Timestamp.format(inc.reportedAt)),\(inc.status.rawValue),\(inc.resolvedAt.map(Timestamp.format) ?? ""),"
            buf += "\(q(inc.description)),\(q(inc.address))\n"
            if buf.utf8.count > 1 << 20 { h.write(Data(buf.utf8)); buf = "" }
        }
        h.write(Data(buf.utf8))
        try h.close()
        print("wrote \(out.incidents.count) rows to \(args[2])")
    }
}

extension StoreBench {
    /// The same path as `otklik import incidents` (IncidentImporter), without the CLI around it, after
    /// loading the demo areas so that district and settlement assignment is part of the measured work.
    static func importCSV(_ args: [String]) async throws {
        guard args.count >= 2 else { throw BenchError("usage: otklik-bench store import CSV DB [DATA_DIR]") }
        let dataDir = args.count > 2 ? args[2] : "data"
        let taxonomy = try Taxonomy.decode(Data(contentsOf: URL(fileURLWithPath: dataDir + "/categories.json")))
        let store = try SpatiaLiteStore(path: args[1], taxonomy: taxonomy, logger: Logger(label: "bench"),
                                        metric: Geodesic.wgs84Metric)
        _ = try await store.replaceAreas(Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: dataDir + "/districts.geojson")), level: .district), level: .district)
        _ = try await store.replaceAreas(Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: dataDir + "/settlements.geojson")), level: .settlement), level: .settlement)
        let started = Date()
        let indexStart = Mutex<Date?>(nil)
        let report = try await IncidentImporter(store: store, options: ImportOptions(format: .csv))
            .run(path: args[0], onReject: { _ in }, onProgress: { p in
                if p.phase == "index" { indexStart.withLock { if $0 == nil { $0 = Date() } } }
            })
        let end = Date()
        let s = end.timeIntervalSince(started)
        let rowsPhase = (indexStart.withLock { $0 } ?? end).timeIntervalSince(started)
        print("{\"rows\": \(report.inserted), \"rejected\": \(report.rejected), \"seconds\": \(s), \"rows_phase_seconds\": \(rowsPhase), \"index_phase_seconds\": \(s - rowsPhase)}")
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
