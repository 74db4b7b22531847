import Foundation
import OtklikCore
import OtklikStore
import OtklikTiles

/// `otklik-bench tiles [--points N] [--points-out CSV] [--tiles-out CSV] [--mbtiles PATH] [--json-out PATH]`
///
/// Synthetic incidents over Smolensk Oblast (lon 30.7–35.4, lat 53.3–56.1): half in 40 town knots, half spread.
/// A fixed set of 1,000 tiles at z8–z14 (tiles that hold sampled points, so few are empty), timed:
/// - cold, encode only: query the in-memory index, cluster or list points, encode MVT (what ST_AsMVT does);
/// - cold, served: the same through `TileCache` (adds gzip and the ETag), cache empty;
/// - warm: the same keys again, answered from the cache.
/// `--points-out` / `--tiles-out` write the same points and tiles for the PostGIS peer (Benchmarks/tiles.sh).
/// `--mbtiles` also builds the whole region z5–z14 into an MBTiles file and times it.
enum TilesBench {
    static let region = BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1)
    static let categories = ["road.pothole", "waste.container_site", "waste.dump", "lighting.street", "animals.stray", "yard.playground"]
    static let statuses = ["new", "in_progress", "resolved", "rejected"]

    struct Rng {
        var s: UInt64
        mutating func next() -> Double {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        mutating func gauss() -> Double { sqrt(-2 * log(max(next(), 1e-12))) * cos(2 * .pi * next()) }
    }

    static func makePoints(_ n: Int) -> [TilePoint] {
        var r = Rng(s: 300_000)
        var knots: [(Double, Double, Double)] = [(32.04, 54.78, 0.03)]   // Smolensk first
        for _ in 1..<40 {
            knots.append((region.minLon + 0.2 + r.next() * 4.3, region.minLat + 0.15 + r.next() * 2.5, 0.004 + r.next() * 0.012))
        }
        return (0..<n).map { i in
            var lon: Double, lat: Double
            if i % 2 == 0 {
                let k = knots[i % 8 == 0 ? 0 : Int(r.next() * Double(knots.count))]
                lon = k.0 + r.gauss() * k.2
                lat = k.1 + r.gauss() * k.2 * 0.6
            } else {
                lon = region.minLon + r.next() * (region.maxLon - region.minLon)
                lat = region.minLat + r.next() * (region.maxLat - region.minLat)
            }
            lon = min(max(lon, region.minLon), region.maxLon)
            lat = min(max(lat, region.minLat), region.maxLat)
            let day = 1 + Int(r.next() * 28), month = 1 + Int(r.next() * 11)
            return TilePoint(id: Int64(i + 1), location: GeoPoint(lon: lon, lat: lat),
                             category: categories[Int(r.next() * Double(categories.count))],
                             status: statuses[Int(r.next() * Double(statuses.count))],
                             date: String(format: "2026-%02d-%02d", month, day),
                             settlement: i % 3 == 0 ? "Смоленск" : "Сосновка", district: i % 3 == 0 ? "Город Смоленск" : "Руднянский район")
        }
    }

    /// 1,000 distinct tiles holding sampled points, zooms taken in turn (z8 has only ~25 tiles over the
    /// oblast, so the higher zooms fill the rest).
    static func fixedTiles(_ points: [TilePoint]) -> [TileID] {
        var r = Rng(s: 1_000)
        var seen = Set<TileID>()
        var out: [TileID] = []
        var attempt = 0
        while out.count < 1_000, attempt < 1_000_000 {
            let p = points[Int(r.next() * Double(points.count))]
            let t = WebMercator.tile(containing: p.location, z: 8 + attempt % 7)
            if seen.insert(t).inserted { out.append(t) }
            attempt += 1
        }
        return out
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    static func run(_ args: [String]) async throws {
        func option(_ name: String) -> String? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
            return args[i + 1]
        }
        let n = Int(option("--points") ?? "") ?? 300_000
        let clock = ContinuousClock()
        let points = makePoints(n)
        // The server's own in-memory index and encoder (OtklikHTTP serves cold incident tiles this way).
        let index = TilePointIndex(points)
        let tiles = fixedTiles(points)

        if let path = option("--points-out") {
            var csv = "id,lon,lat,category,status,date,settlement,district\n"
            csv.reserveCapacity(n * 90)
            for p in points {
                csv += "\(p.id),\(p.location.lon),\(p.location.lat),\(p.category),\(p.status),\(p.date),\(p.settlement ?? ""),\(p.district ?? "")\n"
            }
            try csv.write(toFile: path, atomically: true, encoding: .utf8)
        }
        if let path = option("--tiles-out") {
            try ("z,x,y\n" + tiles.map { "\($0.z),\($0.x),\($0.y)" }.joined(separator: "\n") + "\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
        }

        func produce(_ t: TileID) -> Data {
            IncidentTileEncoder.encode(index.select(TileLayers.queryBounds(of: t)), tile: t)
        }
        // One untimed pass so that both timed passes see warmed-up code and memory.
        for t in tiles.prefix(50) { _ = produce(t) }

        var encodeTimes: [Double] = []
        var bytesByZoom: [Int: [Int]] = [:]
        var gzBytesByZoom: [Int: [Int]] = [:]
        for t in tiles {
            var data = Data()
            let d = clock.measure { data = produce(t) }
            encodeTimes.append(ms(d))
            bytesByZoom[t.z, default: []].append(data.count)
            gzBytesByZoom[t.z, default: []].append(data.isEmpty ? 0 : try Gzip.compress(data).count)
        }
        let cache = TileCache()
        var coldTimes: [Double] = [], warmTimes: [Double] = []
        for t in tiles {
            let key = TileCacheKey(layer: TileLayers.incidents, tile: t)
            let d = try clock.measure { _ = try cache.tile(for: key) { produce(t) } }
            coldTimes.append(ms(d))
        }
        for t in tiles {
            let key = TileCacheKey(layer: TileLayers.incidents, tile: t)
            let d = try clock.measure { _ = try cache.tile(for: key) { produce(t) } }
            warmTimes.append(ms(d))
        }
        encodeTimes.sort(); coldTimes.sort(); warmTimes.sort()

        print("## Tiles (OtklikTiles)\n")
        print("\(n) synthetic incidents over Smolensk Oblast, 1,000 fixed tiles at z8–z14 (\(ProcessInfo.processInfo.activeProcessorCount) cores).\n")
        print("| pass | median ms | p99 ms | max ms |")
        print("| --- | ---: | ---: | ---: |")
        for (name, v) in [("cold, encode only (query + cluster + MVT)", encodeTimes), ("cold, served (+ gzip + ETag, cache miss)", coldTimes), ("warm (cache hit)", warmTimes)] {
            print(String(format: "| %@ | %.3f | %.3f | %.3f |", name, percentile(v, 0.5), percentile(v, 0.99), v.last ?? 0))
        }
        print("\n| zoom | tiles | mean bytes | max bytes | mean gzip bytes | max gzip bytes |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for z in bytesByZoom.keys.sorted() {
            let b = bytesByZoom[z]!, g = gzBytesByZoom[z]!
            print("| \(z) | \(b.count) | \(b.reduce(0, +) / b.count) | \(b.max()!) | \(g.reduce(0, +) / g.count) | \(g.max()!) |")
        }

        var build: [String: Double] = [:]
        if let path = option("--mbtiles") {
            let writer = try MBTilesWriter(path: path)
            let start = clock.now
            let summary = try TileSetBuilder.build(bbox: region, minZoom: 5, maxZoom: 14, produce: { t in
                let data = produce(t)
                return data.isEmpty ? nil : try Gzip.compress(data)
            }, write: { t, bytes in try writer.write(z: t.z, x: t.x, y: t.y, data: bytes) })
            let spec = try VectorLayerSpec.standard(TileLayers.incidents, minZoom: 5, maxZoom: 14)
            try writer.finish(metadata: MBTilesMetadata(name: "incidents", bounds: region, centerZoom: 8, minZoom: 5, maxZoom: 14,
                                                       json: TileJSON.vectorLayersJSON([spec])))
            let seconds = ms(clock.now - start) / 1000
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print(String(format: "\nMBTiles build of the whole region z5–z14: %d tiles visited, %d written, %.1f s, file %.1f MB.",
                         summary.tilesVisited, summary.tilesWritten, seconds, Double(size) / 1e6))
            build = ["build_seconds": seconds, "build_tiles": Double(summary.tilesWritten), "build_bytes": Double(size)]
        }

        var json: [String: Any] = [
            "suite": "tiles", "points": n, "tiles": tiles.count,
            "encode_median_ms": percentile(encodeTimes, 0.5), "encode_p99_ms": percentile(encodeTimes, 0.99),
            "cold_median_ms": percentile(coldTimes, 0.5), "cold_p99_ms": percentile(coldTimes, 0.99),
            "warm_median_ms": percentile(warmTimes, 0.5), "warm_p99_ms": percentile(warmTimes, 0.99),
            "bytes_by_zoom": Dictionary(uniqueKeysWithValues: bytesByZoom.map { (String($0.key), $0.value.reduce(0, +) / $0.value.count) }),
        ]
        for (k, v) in build { json[k] = v }
        let line = String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        print("\n<!-- json: \(line) -->")
        if let path = option("--json-out") { try line.write(toFile: path, atomically: true, encoding: .utf8) }
    }
}
