import Foundation
import OtklikCore
import Testing
@testable import OtklikTiles

/// The packed path (`TilePointIndex` → `IncidentTileEncoder`), which the server and `otklik tiles build` use,
/// writes the very bytes of the layer model (`TileLayers.incidents` → `MVTEncoder`), which the golden and
/// independent-decoder tests check against mapbox-vector-tile and GDAL.
@Suite struct IncidentTileEncoderTests {
    /// Mixed properties: missing settlement or district, a settlement named as a district, dates that repeat,
    /// negative and large ids, and a point on the antimeridian's edge of the world.
    static func points(_ n: Int) -> [TilePoint] {
        let region = BBox(minLon: 31.5, minLat: 54.5, maxLon: 32.6, maxLat: 55.1)
        let categories = ["road.pothole", "waste.container_site", "lighting.street"]
        let statuses = ["new", "in_progress", "resolved", "rejected"]
        let names = ["Смоленск", "Сосновка", "Рудня", "Город \"Смоленск\""]
        return ExactCountTests.points(n, in: region, seed: 7).enumerated().map { i, p in
            var q = p
            q.id = i % 97 == 0 ? -Int64(i) : Int64(i) * 7_919 + 1
            q.category = categories[i % categories.count]
            q.status = statuses[(i / 3) % statuses.count]
            q.date = String(format: "2026-%02d-%02d", 1 + i % 12, 1 + i % 28)
            q.settlement = i % 5 == 0 ? nil : names[i % names.count]
            q.district = i % 7 == 0 ? nil : (i % 2 == 0 ? "Смоленск" : "Руднянский район")
            return q
        } + [TilePoint(id: 1, location: GeoPoint(lon: 180, lat: -80), category: "other", status: "new", date: "2026-01-01")]
    }

    static func reference(_ points: [TilePoint], _ tile: TileID, _ options: TileOptions = .standard) -> Data {
        let layer = TileLayers.incidents(points.filter { TileLayers.queryBounds(of: tile, options: options).contains($0.location) },
                                         tile: tile, options: options)
        return layer.features.isEmpty ? Data() : MVTEncoder.encode([layer])
    }

    @Test(arguments: [6, 9, 11, 12, 13, 14, 16])
    func writesTheBytesOfTheLayerModel(z: Int) throws {
        let pts = Self.points(6_000)
        let index = TilePointIndex(pts)
        var nonEmpty = 0, raw = 0, clustered = 0
        for t in WebMercator.tiles(covering: BBox(minLon: 31.9, minLat: 54.7, maxLon: 32.2, maxLat: 54.85), z: z).prefix(60) {
            let selection = index.select(TileLayers.queryBounds(of: t))
            let packed = IncidentTileEncoder.encode(selection, tile: t)
            let expected = Self.reference(pts, t)
            #expect(packed == expected, "z\(t.z)/\(t.x)/\(t.y)")
            if !expected.isEmpty {
                nonEmpty += 1
                let layer = TileLayers.incidents(selection.points, tile: t)
                if layer.features.contains(where: { $0.properties.contains { $0.key == "point_count" } }) { clustered += 1 } else { raw += 1 }
            }
        }
        #expect(nonEmpty > 0)
        // Both kinds of tile are compared: clusters below z13 and in dense z13 tiles, raw points above.
        if z < 13 { #expect(clustered == nonEmpty) } else if z >= 14 { #expect(raw > 0) }
    }

    @Test func denseTilesClusterOnTheFineGridAlike() {
        let pts = Self.points(6_000)
        var options = TileOptions.standard
        options.maxRawPoints = 50
        let t = WebMercator.tile(containing: GeoPoint(lon: 32.04, lat: 54.78), z: 14)
        let selection = TilePointIndex(pts).select(TileLayers.queryBounds(of: t, options: options))
        #expect(selection.count > 50)
        #expect(IncidentTileEncoder.encode(selection, tile: t, options: options) == Self.reference(pts, t, options))
    }

    @Test func theWorldsLastTileKeepsItsEdgePoint() {
        let pts = Self.points(10)
        let t = TileID(z: 3, x: 7, y: 7)
        let bytes = IncidentTileEncoder.encode(TilePointSelection(pts), tile: t)
        #expect(!bytes.isEmpty)
        #expect(bytes == Self.reference(pts, t))
    }

    @Test func anEmptySelectionIsAnEmptyTile() {
        let t = TileID(z: 12, x: 2412, y: 1287)
        #expect(IncidentTileEncoder.encode(TilePointSelection([]), tile: t).isEmpty)
        #expect(IncidentTileEncoder.encode(TilePointIndex(Self.points(100)).select(TileLayers.queryBounds(of: TileID(z: 12, x: 0, y: 0))),
                                           tile: TileID(z: 12, x: 0, y: 0)).isEmpty)
    }

    @Test func filtersKeepWhatTheStoreQueryKeeps() {
        let pts = Self.points(3_000)
        let index = TilePointIndex(pts)
        let box = BBox(minLon: 31.9, minLat: 54.7, maxLon: 32.2, maxLat: 54.85)
        for (category, status, since) in [("road.pothole", nil, nil), (nil, "resolved", nil), (nil, nil, "2026-06-15"),
                                          ("lighting.street", "new", "2026-03-01"), ("yard.playground", nil, nil),
                                          (nil, nil, "2027-01-01")] as [(String?, String?, String?)] {
            var selection = index.select(box)
            selection.filter(category: category, status: status, sinceDay: since)
            let expected = pts.filter { p in
                box.contains(p.location) && (category.map { p.category == $0 } ?? true)
                    && (status.map { p.status == $0 } ?? true) && (since.map { p.date >= $0 } ?? true)
            }
            #expect(Set(selection.ids) == Set(expected.map(\.id)), "\(category ?? "-") \(status ?? "-") \(since ?? "-")")
            #expect(selection.points.count == expected.count)
        }
    }

    @Test func aTableGivesItsPointsBack() {
        let pts = Self.points(500)
        let table = TilePointTable(pts)
        #expect((0..<table.count).map(table.point) == pts)
        // Each distinct text is held once.
        let texts = Set(pts.flatMap { [$0.category, $0.status, $0.date] + [$0.settlement, $0.district].compactMap { $0 } })
        #expect(table.strings.count == texts.count)
        #expect(table.code(of: "Рудня") != nil && table.code(of: "Ельня") == nil)
    }
}
