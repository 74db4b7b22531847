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
        // The first and last rows reach the poles: a point beyond Web Mercator's latitude limit belongs to them
        // (see `WebMercator.tile(containing:)`), so that every stored incident is in some tile.
        return BBox(minLon: nw.lon, minLat: tile.y == (1 << tile.z) - 1 ? -90 : se.lat,
                    maxLon: se.lon, maxLat: tile.y == 0 ? 90 : nw.lat)
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
        let plan = IncidentTilePlan(units: points.map { WebMercator.unit($0.location) }, ids: points.map(\.id),
                                    tile: tile, options: options)
        var layer = MVTLayer(name: incidents, extent: options.extent)
        layer.features = plan.features.map { f in
            var props: [MVTProperty] = []
            if f.count > 0 { props = [MVTProperty("point_count", Int(f.count)), MVTProperty("cluster", f.count > 1)] }
            if f.point >= 0 { props += pointProperties(points[Int(f.point)]) }
            return MVTFeature(id: f.id, geometry: .points([f.pixel]), properties: props)
        }
        return layer
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
