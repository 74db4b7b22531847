public import OtklikCore

/// The outline of a hotspot in lon/lat.
public enum HotspotShape: Sendable, Hashable {
    /// One distinct position, or all positions on one line: the centroid stands for the place.
    case point(GeoPoint)
    /// Convex hull, counter-clockwise, closed (first == last), as GeoJSON wants it.
    case polygon([GeoPoint])
}

enum ConvexHull {
    /// Andrew's monotone chain on lon/lat. Fewer than 3 distinct positions, or collinear ones, give nil.
    /// Over a hotspot's extent (metres to a few km) the planar hull in degrees has the same vertices as a hull in
    /// a conformal projection up to a negligible skew, and it needs no inverse projection.
    static func hull(_ points: [GeoPoint]) -> [GeoPoint]? {
        let pts = Array(Set(points)).sorted { ($0.lon, $0.lat) < ($1.lon, $1.lat) }
        guard pts.count >= 3 else { return nil }
        func cross(_ o: GeoPoint, _ a: GeoPoint, _ b: GeoPoint) -> Double {
            (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon)
        }
        var lower: [GeoPoint] = []
        for p in pts {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        var upper: [GeoPoint] = []
        for p in pts.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let ring = Array(lower.dropLast()) + Array(upper.dropLast())
        guard ring.count >= 3 else { return nil }
        return ring + [ring[0]]
    }
}
