import ArgumentParser
import Foundation
import OtklikCore
import OtklikServices
import OtklikHotspots

struct Hotspots: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ranked hotspots (DBSCAN per category, recurrence, score), or Gi* bins with --grid.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this category (repeatable).") var category: [String] = []
    @Option(help: "Only this district, e.g. \"Руднянский район\".") var district: String?
    @Option(help: "Only this settlement, e.g. Рудня.") var settlement: String?
    @Option(help: "Complaints reported on or after (YYYY-MM-DD or an instant).") var since: String?
    @Option(help: "Complaints reported on or before (YYYY-MM-DD or an instant).") var until: String?
    @Option(help: "DBSCAN radius in metres for every category (default: the category's radius).") var eps: Double?
    @Option(help: "DBSCAN minimum points (default 3).") var minPoints = 3
    @Option(help: "Quiet gap between episodes, days.") var quietGap = 14.0
    @Option(help: "Repeat-after-fix window, days.") var repeatWindow = 90.0
    @Option(help: "table, csv, json or geojson.") var format = "table"
    @Option(help: "Show at most this many hotspots (table/csv/json/geojson).") var limit: Int?
    @Flag(help: "Also list the clusters that are not significant (FDR q above 0.05), after the significant ones, marked by significant=false (\"~\" before q in the table).")
    var all = false
    @Flag(help: "Gi* hot and cold bins on a hexagonal grid instead (GeoJSON).") var grid = false
    @Option(help: "Roll-ups instead: district or settlement (CSV: counts, open, overdue, hotspots, recurring, per 1,000, empirical-Bayes per 1,000), per category and overall.")
    var rollup: String?
    @Option(help: "Hexagon size in metres for --grid (default 500).") var cell: Double?
    @Option(help: "With --grid: slice time by week or month for emerging hotspot classes.") var slice: String?

    func validate() throws {
        guard ["table", "csv", "json", "geojson"].contains(format) else {
            throw ValidationError("--format must be table, csv, json or geojson, not '\(format)'")
        }
        if let eps, !(eps > 0 && eps.isFinite) { throw ValidationError("--eps must be a positive number of metres") }
        guard minPoints >= 1 else { throw ValidationError("--min-points must be at least 1") }
        if let cell, !(cell > 0 && cell.isFinite) { throw ValidationError("--cell must be a positive number of metres") }
        if let slice, TimeSlice(rawValue: slice) == nil { throw ValidationError("--slice must be week or month") }
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let rollup, AreaLevel(rawValue: rollup) == nil { throw ValidationError("--rollup must be district or settlement") }
    }

    func run() async throws {
        let store = try global.openStore()
        let taxonomy = store.taxonomy
        for c in category where taxonomy[c] == nil {
            throw CLIError("unknown category '\(c)'; known: \(taxonomy.codes.joined(separator: ", "))")
        }
        func day(_ s: String?, _ name: String, endOfDay: Bool) throws -> Date? {
            guard let s else { return nil }
            let d = try Timestamp.parse(s, field: name, assumeUTC: s.count == 10)
            return endOfDay && s.count == 10 ? d.addingTimeInterval(86_399) : d
        }
        let window = TimeWindow(start: try day(since, "--since", endOfDay: false), end: try day(until, "--until", endOfDay: true))
        if let s = window.start, let e = window.end, s > e { throw CLIError("--since is after --until") }
        var config = HotspotConfig(minPoints: minPoints, eps: eps, quietGapDays: quietGap, repeatWindowDays: repeatWindow)
        config.minPoints = minPoints
        var gridConfig = GridConfig()
        if let cell { gridConfig.cellSize = cell }
        if let slice { gridConfig.slice = TimeSlice(rawValue: slice) }
        let service = HotspotService(store: store, taxonomy: taxonomy, config: config, gridConfig: gridConfig)
        let places: (district: String?, settlement: String?)
        do {
            places = try await PlaceResolver(store: store).resolve(district: district, settlement: settlement,
                                                                   fields: ("--district", "--settlement"))
        } catch let e as UnknownPlace { throw notFound(e.description) }
        let filter = IncidentFilter(window: window, categories: category, district: places.district, settlement: places.settlement)
        if grid {
            let (result, toLonLat) = try await service.grid(filter)
            var members: [(String, JSONValue)] = [("cell_size", .number(result.grid.cellSize)), ("band", .number(result.band))]
            if !result.slices.isEmpty { members.append(("slices", .array(result.slices.map { .string(Timestamp.format($0)) }))) }
            FileHandle.standardOutput.write(Data(PublishedJSON.featureCollection(GridCell.cells(result, toLonLat: toLonLat), members: members)))
            return
        }
        let analysis = try await service.analyse(filter)
        if let rollup, let level = AreaLevel(rawValue: rollup) {
            let areas = try await store.areas(level: level)
            let rows = AreaRollup.compute(points: analysis.points, hotspots: analysis.report.hotspots, areas: areas,
                                          taxonomy: taxonomy, now: analysis.now)
            FileHandle.standardOutput.write(Data(HotspotWriters.rollupCSV(rows).utf8))
            return
        }
        let listed = Array(analysis.report.listed(all: all))
        let hidden = analysis.report.hotspots.count - listed.count
        var list = listed
        if let limit { list = Array(list.prefix(limit)) }
        let features = HotspotFeature.ranked(list, taxonomy: taxonomy)
        let out: [UInt8]
        switch format {
        case "csv": out = Array(PublishedCSV.table(features).utf8)
        case "geojson": out = PublishedJSON.featureCollection(features)
        case "json":
            // The GeoJSON properties as a plain list, with the per-category summary.
            var w = JSONWriter(capacity: 1024 * max(1, features.count))
            w.raw("{\"hotspots\":")
            PublishedJSON.list(features, into: &w)
            w.raw(",\"categories\":")
            w.value(.array(analysis.report.categories.map {
                ["category": .string($0.category), "eps_m": .number($0.eps), "min_points": .int($0.minPoints),
                 "incidents": .int($0.incidents), "clustered": .int($0.clustered), "hotspots": .int($0.hotspots),
                 "recurring_hotspots": .int($0.recurringHotspots), "significant_hotspots": .int($0.significantHotspots)]
            }))
            w.raw(",\"complaints\":")
            w.int(analysis.points.count)
            w.raw("}\n")
            out = w.bytes
        default:
            var text = HotspotWriters.table(list) + "\n\(listed.count) hotspots, \(listed.filter(\.recurring).count) recurring, from \(formatCount(analysis.points.count)) complaints (\(analysis.projectionCRS))\n"
            if hidden > 0 { text += "\(hidden) clusters not significant (q > \(config.fdrLevel)) not shown; --all lists them\n" }
            out = Array(text.utf8)
        }
        FileHandle.standardOutput.write(Data(out))
    }
}
