public import OtklikCore
import Foundation

/// Spherical Web Mercator (EPSG:3857) tile maths on the unit square: x grows east, y grows south, both in [0, 1].
public enum WebMercator {
    /// The latitude where the square ends (the projection is cut there).
    public static let maxLatitude = 85.051_128_779_806_59

    /// A position on the unit square (0,0 is the north-west corner of the world).
    public static func unit(_ p: GeoPoint) -> (x: Double, y: Double) {
        let lat = min(max(p.lat, -maxLatitude), maxLatitude)
        let x = (p.lon + 180) / 360
        let s = sin(lat * .pi / 180)
        let y = 0.5 - log((1 + s) / (1 - s)) / (4 * .pi)
        return (x, y)
    }

    /// The inverse of `unit`.
    public static func geoPoint(unitX x: Double, unitY y: Double) -> GeoPoint {
        let lon = x * 360 - 180
        let lat = atan(sinh(.pi * (1 - 2 * y))) * 180 / .pi
        return GeoPoint(lon: lon, lat: lat)
    }

    /// The tile at zoom `z` that holds the point; points on a shared edge go to the east/south tile,
    /// the east and south edges of the world to the last tile, so every point has exactly one tile.
    public static func tile(containing p: GeoPoint, z: Int) -> TileID {
        let u = unit(p)
        let n = 1 << z
        let x = min(max(Int((u.x * Double(n)).rounded(.down)), 0), n - 1)
        let y = min(max(Int((u.y * Double(n)).rounded(.down)), 0), n - 1)
        return TileID(z: z, x: x, y: y)
    }

    /// The tile's box in degrees.
    public static func bounds(of t: TileID) -> BBox {
        let n = Double(1 << t.z)
        let nw = geoPoint(unitX: Double(t.x) / n, unitY: Double(t.y) / n)
        let se = geoPoint(unitX: Double(t.x + 1) / n, unitY: Double(t.y + 1) / n)
        return BBox(minLon: nw.lon, minLat: se.lat, maxLon: se.lon, maxLat: nw.lat)
    }

    /// The tile's box in EPSG:3857 metres (what PostGIS `ST_TileEnvelope` returns).
    public static func mercatorBounds(of t: TileID) -> (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let half = 20_037_508.342_789_244
        let size = 2 * half / Double(1 << t.z)
        return (-half + Double(t.x) * size, half - Double(t.y + 1) * size, -half + Double(t.x + 1) * size, half - Double(t.y) * size)
    }

    /// The tiles at zoom `z` whose area meets the box, row by row from the north-west.
    public static func tiles(covering box: BBox, z: Int) -> [TileID] {
        let r = tileRange(covering: box, z: z)
        var out: [TileID] = []
        out.reserveCapacity((r.maxX - r.minX + 1) * (r.maxY - r.minY + 1))
        for y in r.minY...r.maxY { for x in r.minX...r.maxX { out.append(TileID(z: z, x: x, y: y)) } }
        return out
    }

    /// The inclusive column and row range of `tiles(covering:z:)`.
    public static func tileRange(covering box: BBox, z: Int) -> (minX: Int, minY: Int, maxX: Int, maxY: Int) {
        let nw = tile(containing: GeoPoint(lon: box.minLon, lat: box.maxLat), z: z)
        let se = tile(containing: GeoPoint(lon: box.maxLon, lat: box.minLat), z: z)
        return (nw.x, nw.y, se.x, se.y)
    }

    /// How many tiles `tiles(covering:z:)` returns for each zoom in the range, summed.
    public static func tileCount(covering box: BBox, zooms: ClosedRange<Int>) -> Int {
        zooms.reduce(0) { sum, z in
            let r = tileRange(covering: box, z: z)
            return sum + (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1)
        }
    }

    /// The point in the tile's own grid (0...extent, y down); outside the tile gives values beyond the range.
    @inline(__always)
    public static func tilePoint(_ p: GeoPoint, in t: TileID, extent: Int = 4096) -> (x: Double, y: Double) {
        tilePoint(unit: unit(p), in: t, extent: extent)
    }

    /// `tilePoint` from a position already projected by `unit`.
    public static func tilePoint(unit u: (x: Double, y: Double), in t: TileID, extent: Int = 4096) -> (x: Double, y: Double) {
        let n = Double(1 << t.z)
        return ((u.x * n - Double(t.x)) * Double(extent), (u.y * n - Double(t.y)) * Double(extent))
    }
}
