/// The geometries the service stores: points and (multi)polygons in CRS84.
/// Rings are closed (first == last) as GeoJSON requires.
public enum Geometry: Sendable, Hashable {
    case point(GeoPoint)
    case polygon([[GeoPoint]])
    case multiPolygon([[[GeoPoint]]])

    public var polygons: [[[GeoPoint]]] {
        switch self {
        case .point: return []
        case .polygon(let p): return [p]
        case .multiPolygon(let m): return m
        }
    }

    public var bbox: BBox? {
        switch self {
        case .point(let p): return BBox(minLon: p.lon, minLat: p.lat, maxLon: p.lon, maxLat: p.lat)
        case .polygon, .multiPolygon: return BBox.enclosing(polygons.lazy.flatMap { $0.first ?? [] })
        }
    }

    /// Even-odd point-in-polygon over all rings (holes subtract). Points exactly on an edge count as inside
    /// for the left/bottom edges only, so that a point on a shared border belongs to exactly one polygon.
    public func contains(_ p: GeoPoint) -> Bool {
        for polygon in polygons where Geometry.ringsContain(polygon, p) { return true }
        return false
    }

    static func ringsContain(_ rings: [[GeoPoint]], _ p: GeoPoint) -> Bool {
        var inside = false
        for ring in rings where ring.count >= 4 {
            var j = ring.count - 1
            for i in 0..<ring.count {
                let a = ring[i], b = ring[j]
                if (a.lat > p.lat) != (b.lat > p.lat) {
                    let x = (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon
                    if p.lon < x { inside.toggle() }
                }
                j = i
            }
        }
        return inside
    }

    /// Area-weighted centroid of the outer rings (planar in degrees: good enough for a label point).
    public var centroid: GeoPoint? {
        switch self {
        case .point(let p): return p
        default:
            var a = 0.0, cx = 0.0, cy = 0.0
            for polygon in polygons {
                guard let ring = polygon.first, ring.count >= 4 else { continue }
                for i in 0..<(ring.count - 1) {
                    let p0 = ring[i], p1 = ring[i + 1]
                    let cross = p0.lon * p1.lat - p1.lon * p0.lat
                    a += cross
                    cx += (p0.lon + p1.lon) * cross
                    cy += (p0.lat + p1.lat) * cross
                }
            }
            guard abs(a) > 0 else { return bbox?.center }
            return GeoPoint(lon: cx / (3 * a), lat: cy / (3 * a))
        }
    }
}

public enum AreaLevel: String, Sendable, Codable, CaseIterable, Hashable {
    case district
    case settlement
}

/// A district (polygon) or a settlement (point, optionally polygon).
public struct Area: Sendable, Hashable {
    public var id: Int64?
    public var level: AreaLevel
    public var name: String
    /// For a settlement: the district it belongs to, as the source names it.
    public var parent: String?
    public var kind: String?
    public var population: Int?
    public var geometry: Geometry
    /// For settlements that have a polygon too: the point used for nearest-settlement and labels.
    public var point: GeoPoint?
    public var approximate: Bool
    public var properties: [String: String]

    public init(id: Int64? = nil, level: AreaLevel, name: String, parent: String? = nil, kind: String? = nil,
                population: Int? = nil, geometry: Geometry, point: GeoPoint? = nil, approximate: Bool = false,
                properties: [String: String] = [:]) {
        self.id = id
        self.level = level
        self.name = name
        self.parent = parent
        self.kind = kind
        self.population = population
        self.geometry = geometry
        self.point = point
        self.approximate = approximate
        self.properties = properties
    }

    /// The point that represents the area (its own point, or the polygon's centroid).
    public var anchor: GeoPoint? { point ?? geometry.centroid }
}
