public import OtklikCore

/// Options shared by the layer builders.
public struct TileOptions: Sendable, Hashable {
    public var extent: Int
    /// Grid units drawn beyond each edge, so that symbols and outlines do not break at tile seams.
    public var buffer: Int
    /// Below this zoom incidents are always grid clusters.
    public var clusterBelowZoom: Int
    /// Cells per tile side for grid clusters (32 → cells of 128 grid units, 8 px on a 256 px tile).
    public var clusterGrid: Int
    /// From `clusterBelowZoom` on, a tile with more incidents than this is clustered on a finer grid
    /// (`clusterGrid * 4`) instead of shipping raw points: it keeps a dense town centre under ~500 KB.
    public var maxRawPoints: Int
    /// Douglas–Peucker tolerance in grid units for polygons.
    public var simplifyTolerance: Double

    public init(extent: Int = 4096, buffer: Int = 64, clusterBelowZoom: Int = 13, clusterGrid: Int = 32,
                maxRawPoints: Int = 4000, simplifyTolerance: Double = 4) {
        self.extent = extent
        self.buffer = buffer
        self.clusterBelowZoom = clusterBelowZoom
        self.clusterGrid = clusterGrid
        self.maxRawPoints = maxRawPoints
        self.simplifyTolerance = simplifyTolerance
    }

    public static let standard = TileOptions()
}

/// The layers the service publishes, and how to build each for one tile.
public enum TileLayers {
    public static let incidents = "incidents"
    public static let hotspots = "hotspots"
    public static let districts = "districts"
    public static let all = [incidents, hotspots, districts]

    /// The box to query for a tile's features: the tile plus its buffer, in degrees.
    public static func queryBounds(of tile: TileID, options: TileOptions = .standard) -> BBox {
        let n = Double(1 << tile.z)
        let pad = Double(options.buffer) / Double(options.extent)
        let nw = WebMercator.geoPoint(unitX: max((Double(tile.x) - pad) / n, 0), unitY: max((Double(tile.y) - pad) / n, 0))
        let se = WebMercator.geoPoint(unitX: min((Double(tile.x + 1) + pad) / n, 1), unitY: min((Double(tile.y + 1) + pad) / n, 1))
        return BBox(minLon: nw.lon, minLat: se.lat, maxLon: se.lon, maxLat: nw.lat)
    }

    /// Whether the tile holds raw incident points (true) or grid clusters (false) for `pointsInTile` incidents
    /// whose own position lies in the tile.
    public static func showsRawPoints(z: Int, pointsInTile: Int, options: TileOptions = .standard) -> Bool {
        z >= options.clusterBelowZoom && pointsInTile <= options.maxRawPoints
    }

    /// The `incidents` layer. Pass the points in `queryBounds(of:)` (extra points are ignored).
    ///
    /// Raw points (see `showsRawPoints`) carry `id, category, status, date, settlement, district`, and points
    /// in the buffer are drawn too. Clusters carry `point_count` (and, for a cluster of one, that incident's
    /// properties), and count only the points whose own position falls in this tile: summing `point_count`
    /// over the tiles that cover a region at one zoom counts each incident exactly once.
    public static func incidents(_ points: [TilePoint], tile: TileID, options: TileOptions = .standard) -> MVTLayer {
        // The point's own tile is floor(unit * 2^z), exactly as `WebMercator.tile(containing:)` decides it,
        // computed once per point with the grid position (one projection per point).
        var own: [(index: Int, x: Double, y: Double)] = []
        own.reserveCapacity(points.count)
        let n = Double(1 << tile.z), e = Double(options.extent)
        let x0 = Double(tile.x), y0 = Double(tile.y)
        let lastX = tile.x == (1 << tile.z) - 1, lastY = tile.y == (1 << tile.z) - 1
        // Through the buffer, so that reading a point's location does not copy (and retain) its strings.
        points.withUnsafeBufferPointer { buf in
            for i in buf.indices {
                let u = WebMercator.unit(buf[i].location)
                let fx = u.x * n, fy = u.y * n
                guard fx >= x0, fx < x0 + 1 || (lastX && fx <= n), fy >= y0, fy < y0 + 1 || (lastY && fy <= n) else { continue }
                own.append((i, min((fx - x0) * e, e), min((fy - y0) * e, e)))
            }
        }
        if showsRawPoints(z: tile.z, pointsInTile: own.count, options: options) {
            return rawPoints(points, tile: tile, options: options)
        }
        let grid = tile.z >= options.clusterBelowZoom ? options.clusterGrid * 4 : options.clusterGrid
        return clusters(points, own, grid: grid, options: options)
    }

    static func pointProperties(_ p: TilePoint) -> [MVTProperty] {
        var props: [MVTProperty] = [
            MVTProperty("id", Int(p.id)), MVTProperty("category", p.category), MVTProperty("status", p.status),
            MVTProperty("date", p.date),
        ]
        if let s = p.settlement { props.append(MVTProperty("settlement", s)) }
        if let d = p.district { props.append(MVTProperty("district", d)) }
        return props
    }

    static func rawPoints(_ points: [TilePoint], tile: TileID, options: TileOptions) -> MVTLayer {
        var layer = MVTLayer(name: incidents, extent: options.extent)
        // Sorted by id so that the same set gives the same bytes whatever order the query returned.
        let order = points.withUnsafeBufferPointer { buf in buf.indices.sorted { buf[$0].id < buf[$1].id } }
        for i in order {
            let p = points[i]
            guard let px = TileGeometry.point(p.location, in: tile, extent: options.extent, buffer: options.buffer) else { continue }
            layer.features.append(MVTFeature(id: UInt64(max(p.id, 0)), geometry: .points([px]), properties: pointProperties(p)))
        }
        return layer
    }

    static func clusters(_ points: [TilePoint], _ own: [(index: Int, x: Double, y: Double)], grid: Int,
                         options: TileOptions) -> MVTLayer {
        let cellSize = Double(options.extent) / Double(grid)
        // Flat arrays over the grid's cells: no hashing in the hot loop.
        var count = [Int32](repeating: 0, count: grid * grid)
        var sx = [Double](repeating: 0, count: grid * grid)
        var sy = [Double](repeating: 0, count: grid * grid)
        var first = [Int](repeating: -1, count: grid * grid)
        points.withUnsafeBufferPointer { buf in
            for (i, x, y) in own {
                let key = min(Int(y / cellSize), grid - 1) * grid + min(Int(x / cellSize), grid - 1)
                count[key] += 1
                sx[key] += x
                sy[key] += y
                if first[key] < 0 || buf[i].id < buf[first[key]].id { first[key] = i }
            }
        }
        var layer = MVTLayer(name: incidents, extent: options.extent)
        for key in 0..<(grid * grid) where count[key] > 0 {
            let c = Double(count[key])
            // The mean position of the cell's points lies in the cell, so clusters never leave their tile.
            let px = TilePixel(x: Int32((sx[key] / c).rounded()), y: Int32((sy[key] / c).rounded()))
            var props = [MVTProperty("point_count", Int(count[key])), MVTProperty("cluster", count[key] > 1)]
            if count[key] == 1 { props += pointProperties(points[first[key]]) }
            layer.features.append(MVTFeature(id: UInt64(key + 1), geometry: .points([px]), properties: props))
        }
        return layer
    }

    /// A polygon layer (`hotspots`, `districts`): clipped, simplified and wound per tile.
    public static func polygons(_ features: [TilePolygonFeature], name: String, tile: TileID,
                                options: TileOptions = .standard) -> MVTLayer {
        var layer = MVTLayer(name: name, extent: options.extent)
        let query = queryBounds(of: tile, options: options)
        for f in features {
            if let box = f.geometry.bbox, !box.intersects(query) { continue }
            let rings = TileGeometry.polygons(f.geometry, in: tile, extent: options.extent, buffer: options.buffer,
                                              tolerance: options.simplifyTolerance)
            guard !rings.isEmpty else { continue }
            layer.features.append(MVTFeature(id: f.id, geometry: .polygons(rings), properties: f.properties))
        }
        return layer
    }
}
