import Foundation
import OtklikCore
import Testing
@testable import OtklikTiles

/// Clusters count each incident exactly once per zoom, whatever the tile seams.
@Suite struct ExactCountTests {
    /// Deterministic points over a box (SplitMix64), so failures reproduce.
    static func points(_ n: Int, in box: BBox, seed: UInt64 = 42) -> [TilePoint] {
        var s = seed
        func next() -> Double {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        return (0..<n).map { i in
            // Half the points in a tight knot (a town), half spread out.
            let knot = i % 2 == 0
            let lon = knot ? 32.04 + (next() - 0.5) * 0.02 : box.minLon + next() * (box.maxLon - box.minLon)
            let lat = knot ? 54.78 + (next() - 0.5) * 0.01 : box.minLat + next() * (box.maxLat - box.minLat)
            return TilePoint(id: Int64(i + 1), location: GeoPoint(lon: lon, lat: lat), category: "pothole", status: "new",
                             date: "2026-05-01", settlement: "Смоленск")
        }
    }

    static func pointCount(_ layer: MVTLayer) -> Int {
        layer.features.reduce(0) { sum, f in
            guard case .int(let n) = f.properties.first(where: { $0.key == "point_count" })?.value else { return sum }
            return sum + Int(n)
        }
    }

    @Test(arguments: [5, 7, 9, 11, 12])
    func sumOfPointCountOverCoveringTilesEqualsThePointsInTheRegion(z: Int) {
        let region = BBox(minLon: 31.5, minLat: 54.5, maxLon: 32.6, maxLat: 55.1)
        let pts = Self.points(3_000, in: region)
        var total = 0
        for t in WebMercator.tiles(covering: region, z: z) {
            let q = TileLayers.queryBounds(of: t)
            let layer = TileLayers.incidents(pts.filter { q.contains($0.location) }, tile: t)
            total += Self.pointCount(layer)
        }
        #expect(total == pts.count)
    }

    @Test func denseTilesAtHighZoomStayExactWithTheFinerGrid() {
        let region = BBox(minLon: 32.03, minLat: 54.775, maxLon: 32.05, maxLat: 54.785)
        let pts = Self.points(2_000, in: region)
        let options = TileOptions(maxRawPoints: 100)
        var total = 0
        var clustered = 0
        for t in WebMercator.tiles(covering: region, z: 14) {
            let q = TileLayers.queryBounds(of: t, options: options)
            let inTile = pts.filter { q.contains($0.location) }
            let layer = TileLayers.incidents(inTile, tile: t, options: options)
            let n = Self.pointCount(layer)
            if n > 0 { clustered += 1 }
            total += n > 0 ? n : layer.features.filter { f in
                // A raw tile's own points: those inside the tile proper.
                guard case .points(let p) = f.geometry else { return false }
                return p[0].x >= 0 && p[0].x < 4096 && p[0].y >= 0 && p[0].y < 4096
            }.count
        }
        #expect(clustered > 0)
        #expect(total == pts.count)
    }

    /// Points on the world's edges and beyond Web Mercator's latitude limit (stored coordinates may be anywhere
    /// in lat ±90) are counted once, in the tile `WebMercator.tile(containing:)` gives them.
    @Test(arguments: [2, 5])
    func pointsAtTheEdgesOfTheWorldAreCountedOnce(z: Int) {
        let corners = [(-180.0, 90.0), (180.0, 90.0), (-180.0, -90.0), (180.0, -90.0), (0.0, 85.06), (0.0, -85.06),
                       (179.999, -85.0511), (-179.999, 85.0511), (180.0, 0.0), (0.0, 0.0)]
        let pts = corners.enumerated().map { i, c in
            TilePoint(id: Int64(i + 1), location: GeoPoint(lon: c.0, lat: c.1), category: "other", status: "new", date: "2026-05-01")
        }
        var total = 0
        for t in WebMercator.tiles(covering: .world, z: z) {
            let q = TileLayers.queryBounds(of: t)
            let own = pts.filter { WebMercator.tile(containing: $0.location, z: z) == t }.count
            let counted = Self.pointCount(TileLayers.incidents(pts.filter { q.contains($0.location) }, tile: t))
            #expect(counted == own, "z\(t.z)/\(t.x)/\(t.y)")
            total += counted
        }
        #expect(total == pts.count)
    }

    @Test func rawPointsAppearFromTheThresholdZoom() {
        let t = TileID(z: 13, x: 4825, y: 2599)
        let b = WebMercator.bounds(of: t)
        let p = TilePoint(id: 5, location: b.center, category: "pothole", status: "new", date: "2026-05-01")
        let raw = TileLayers.incidents([p], tile: t)
        #expect(raw.features.first?.id == 5)
        #expect(!raw.features.first!.properties.contains { $0.key == "point_count" })
        let parent = TileLayers.incidents([p], tile: t.parent!)
        #expect(Self.pointCount(parent) == 1)
    }
}

@Suite struct TileSetBuilderTests {
    @Test func visitsEveryCoveringTileOnceAndWritesOnlyNonEmptyOnes() throws {
        let region = BBox(minLon: 30.7, minLat: 53.3, maxLon: 35.4, maxLat: 56.1)
        var visited: [TileID] = []
        var written: [TileID] = []
        var last: TileBuildProgress?
        let summary = try TileSetBuilder.build(bbox: region, minZoom: 5, maxZoom: 8, produce: { t in
            visited.append(t)
            return t.z == 8 ? Data([1, 2]) : nil
        }, write: { t, _ in written.append(t) }, progress: { last = $0 })
        // mercantile covers the oblast with 4, 4, 9 and 25 tiles at z5…z8.
        #expect(visited.count == 4 + 4 + 9 + 25)
        #expect(summary.tilesVisited == visited.count)
        #expect(Set(visited).count == visited.count)
        #expect(written.allSatisfy { $0.z == 8 })
        #expect(summary.tilesWritten == WebMercator.tiles(covering: region, z: 8).count)
        #expect(summary.bytesWritten == 2 * summary.tilesWritten)
        #expect(last?.done == last?.total)
        #expect(throws: TilesError.self) { try TileSetBuilder.build(bbox: region, minZoom: 9, maxZoom: 8, produce: { _ in nil }, write: { _, _ in }) }
    }
}
