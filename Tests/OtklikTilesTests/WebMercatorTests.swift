import Foundation
import OtklikCore
import Testing
@testable import OtklikTiles

/// Tile maths against `mercantile` (Fixtures/make_tilemath_golden.py).
@Suite struct WebMercatorTests {
    struct Golden: Decodable {
        struct Tile: Decodable { var lon: Double; var lat: Double; var z: Int; var x: Int; var y: Int }
        struct Bounds: Decodable {
            var z: Int; var x: Int; var y: Int
            var west: Double; var south: Double; var east: Double; var north: Double
            var mx0: Double; var my0: Double; var mx1: Double; var my1: Double
        }
        struct Covering: Decodable { var z: Int; var bbox: [Double]; var count: Int; var tiles: [[Int]] }
        var tiles: [Tile]
        var bounds: [Bounds]
        var covering: [Covering]
    }

    let golden: Golden

    init() throws {
        let url = try #require(TileCases.fixture("tilemath_golden", "json"))
        golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    @Test func findsTheSameTileAsMercantile() {
        for t in golden.tiles {
            let got = WebMercator.tile(containing: GeoPoint(lon: t.lon, lat: t.lat), z: t.z)
            #expect(got == TileID(z: t.z, x: t.x, y: t.y), "\(t.lon),\(t.lat) z\(t.z)")
        }
    }

    @Test func tileBoundsMatchMercantileInDegreesAndMetres() {
        for b in golden.bounds {
            let t = TileID(z: b.z, x: b.x, y: b.y)
            let box = WebMercator.bounds(of: t)
            #expect(abs(box.minLon - b.west) < 1e-9 && abs(box.maxLon - b.east) < 1e-9)
            #expect(abs(box.minLat - b.south) < 1e-9 && abs(box.maxLat - b.north) < 1e-9)
            let m = WebMercator.mercatorBounds(of: t)
            #expect(abs(m.minX - b.mx0) < 1e-6 && abs(m.maxX - b.mx1) < 1e-6 && abs(m.minY - b.my0) < 1e-6 && abs(m.maxY - b.my1) < 1e-6)
        }
    }

    @Test func coversSmolenskOblastWithMercantilesTiles() {
        for c in golden.covering {
            let box = BBox(minLon: c.bbox[0], minLat: c.bbox[1], maxLon: c.bbox[2], maxLat: c.bbox[3])
            let tiles = WebMercator.tiles(covering: box, z: c.z)
            #expect(tiles.count == c.count, "z\(c.z)")
            #expect(WebMercator.tileCount(covering: box, zooms: c.z...c.z) == c.count)
            if !c.tiles.isEmpty {
                #expect(tiles.map { [$0.x, $0.y] }.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) } == c.tiles)
            }
        }
    }

    @Test func flipsRowsToTMSAndBack() {
        let t = TileID(z: 14, x: 9650, y: 5199)
        #expect(t.tmsY == 16383 - 5199)
        #expect(TileID.fromTMS(z: 14, x: 9650, tmsY: t.tmsY) == t)
        #expect(TileID(z: 0, x: 0, y: 0).tmsY == 0)
    }

    @Test func rejectsTilesOutsideTheirZoom() throws {
        #expect(throws: TilesError.self) { try TileID.validated(z: 3, x: 8, y: 0) }
        #expect(throws: TilesError.self) { try TileID.validated(z: 25, x: 0, y: 0) }
        #expect(throws: TilesError.self) { try TileID.validated(z: 2, x: 0, y: -1) }
        #expect(try TileID.validated(z: 2, x: 3, y: 3) == TileID(z: 2, x: 3, y: 3))
        #expect(try TileID.parse(z: "14", x: "9650", y: "5199.mvt") == TileID(z: 14, x: 9650, y: 5199))
        #expect(throws: TilesError.self) { try TileID.parse(z: "14", x: "9650", y: "abc.mvt") }
        #expect(throws: TilesError.self) { try TileID.parse(z: "3", x: "9", y: "1") }
    }

    @Test func queryBoundsGrowTheTileByTheBuffer() {
        let t = TileID(z: 12, x: 2412, y: 1299)
        let tb = WebMercator.bounds(of: t)
        let qb = TileLayers.queryBounds(of: t)
        let padLon = (tb.maxLon - tb.minLon) * 64 / 4096
        #expect(abs((tb.minLon - qb.minLon) - padLon) < 1e-9)
        #expect(abs((qb.maxLon - tb.maxLon) - padLon) < 1e-9)
        #expect(qb.minLat < tb.minLat && qb.maxLat > tb.maxLat)
    }

    @Test func theFirstAndLastRowsReachThePoles() {
        #expect(TileLayers.queryBounds(of: TileID(z: 3, x: 2, y: 0)).maxLat == 90)
        #expect(TileLayers.queryBounds(of: TileID(z: 3, x: 2, y: 7)).minLat == -90)
        let middle = TileLayers.queryBounds(of: TileID(z: 3, x: 2, y: 3))
        #expect(middle.maxLat < WebMercator.maxLatitude && middle.minLat > -WebMercator.maxLatitude)
        #expect(TileLayers.queryBounds(of: TileID(z: 0, x: 0, y: 0)) == .world)
    }
}
