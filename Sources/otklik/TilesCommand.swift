import ArgumentParser
import Foundation
import OtklikCore
import OtklikServices
import OtklikStore
import OtklikTiles

struct Tiles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Vector tile sets (MBTiles 1.3) of the published layers.",
        subcommands: [Build.self])
}

extension Tiles {
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one layer's tiles over a box and a zoom range to an MBTiles file (gzip MVT, TMS rows).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Layer: \(TileLayers.all.joined(separator: ", ")).") var layer: String
        @Option(help: "Lowest zoom.") var minzoom = 5
        @Option(help: "Highest zoom.") var maxzoom = 14
        @Option(help: "minLon,minLat,maxLon,maxLat (default: the extent of the incidents).") var bbox: String?
        @Option(help: "Output file (default tiles/<layer>.mbtiles); an existing file is replaced.") var out: String?
        @Option(help: "Only this category code.") var category: String?
        @Option(help: "Only this status (new, in_progress, resolved, rejected).") var status: String?
        @Option(help: "Only complaints reported on or after (YYYY-MM-DD or an instant with offset).") var since: String?

        func run() async throws {
            guard TileLayers.all.contains(layer) else {
                throw CLIError("unknown layer '\(layer)'; layers: \(TileLayers.all.joined(separator: ", "))")
            }
            guard (0...22).contains(minzoom), (0...22).contains(maxzoom), minzoom <= maxzoom else {
                throw CLIError("--minzoom and --maxzoom must satisfy 0 <= minzoom <= maxzoom <= 22")
            }
            let store = try global.openStore()
            let filter: IncidentFilter
            do {
                filter = try TileRequestFilter.parse(category: category, status: status, since: since, taxonomy: store.taxonomy)
            } catch { throw CLIError("--\(error.parameter): \(error.message)") }
            let box: BBox
            if let bbox {
                box = try Self.parseBBox(bbox)
            } else {
                guard let extent = try await store.extent(IncidentQuery()).bbox else {
                    throw CLIError("the database has no incidents, so there is no extent; pass --bbox")
                }
                box = extent
            }
            let path = out ?? "tiles/\(layer).mbtiles"
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }

            let started = Date()
            let producer = ApplicationServices(store: store, taxonomy: store.taxonomy).tiles
            let snapshot = try await producer.snapshot(layer: layer, filter: filter)
            let loaded = Date().timeIntervalSince(started)
            let writer = try MBTilesWriter(path: path)
            let bar = ProgressLine(label: "tiles \(layer) z\(minzoom)–z\(maxzoom)")
            let summary = try TileSetBuilder.build(
                bbox: box, minZoom: minzoom, maxZoom: maxzoom,
                produce: { try snapshot.encode($0) },
                write: { t, data in try writer.write(z: t.z, x: t.x, y: t.y, data: try Gzip.compress(data)) },
                progress: { p in
                    guard p.done % 256 == 0 || p.done == p.total else { return }
                    bar.update(fraction: Double(p.done) / Double(max(p.total, 1)),
                               detail: "\(formatCount(p.done))/\(formatCount(p.total)) tiles, \(formatCount(p.written)) written, z\(p.tile.z)")
                })
            let spec = try VectorLayerSpec.standard(layer, minZoom: minzoom, maxZoom: maxzoom)
            let centre = GeoPoint(lon: (box.minLon + box.maxLon) / 2, lat: (box.minLat + box.maxLat) / 2)
            try writer.finish(metadata: MBTilesMetadata(
                name: "otklik-\(layer)", bounds: box, center: centre, centerZoom: min(max(minzoom, 8), maxzoom),
                minZoom: minzoom, maxZoom: maxzoom, json: TileJSON.vectorLayersJSON([spec]),
                description: "Otklik \(layer)" + (filter.key.isEmpty ? "" : " (\(filter.key))")))
            let seconds = Date().timeIntervalSince(started)
            let source = layer == TileLayers.incidents ? "\(formatCount(snapshot.pointCount)) incidents" : "\(formatCount(snapshot.polygonCount)) areas"
            bar.finish(String(format: "%@: %@ tiles visited, %@ written (%@ bytes before gzip) from %@ in %.1f s (%.1f s reading) → %@",
                              layer, formatCount(summary.tilesVisited), formatCount(summary.tilesWritten),
                              formatCount(summary.bytesWritten), source, seconds, loaded, path))
        }

        static func parseBBox(_ text: String) throws -> BBox {
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 4, let a = parts[0], let b = parts[1], let c = parts[2], let d = parts[3],
                  (-180...180).contains(a), (-180...180).contains(c), (-85.06...85.06).contains(b), (-85.06...85.06).contains(d),
                  a < c, b < d else {
                throw CLIError("--bbox must be minLon,minLat,maxLon,maxLat with min < max, longitudes in ±180 and latitudes in ±85.06")
            }
            return BBox(minLon: a, minLat: b, maxLon: c, maxLat: d)
        }
    }
}
