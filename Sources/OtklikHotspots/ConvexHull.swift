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

extension ConvexHull {
    /// Area and perimeter (m², m) of the convex hull of planar points in metres, by the same monotone chain.
    /// Collinear points give the segment between the extremes (area 0, perimeter twice its length); one distinct
    /// position gives zeros.
    static func measure(x: [Double], y: [Double]) -> (area: Double, perimeter: Double) {
        var pts: [(Double, Double)] = []
        pts.reserveCapacity(x.count)
        for i in x.indices { pts.append((x[i], y[i])) }
        pts.sort { $0 < $1 }
        var unique: [(Double, Double)] = []
        unique.reserveCapacity(pts.count)
        for p in pts where unique.last.map({ $0 != p }) ?? true { unique.append(p) }
        guard unique.count >= 2 else { return (0, 0) }
        func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        }
        var lower: [(Double, Double)] = []
        for p in unique {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        var upper: [(Double, Double)] = []
        for p in unique.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let ring = Array(lower.dropLast()) + Array(upper.dropLast())
        // Shoelace relative to the first vertex: projected coordinates are millions of metres, a hotspot tens.
        let o = ring[0]
        var twiceArea = 0.0, perimeter = 0.0
        for k in ring.indices {
            let a = ring[k], b = ring[(k + 1) % ring.count]
            twiceArea += (a.0 - o.0) * (b.1 - o.1) - (b.0 - o.0) * (a.1 - o.1)
            let dx = b.0 - a.0, dy = b.1 - a.1
            perimeter += (dx * dx + dy * dy).squareRoot()
        }
        return (abs(twiceArea) / 2, perimeter)
    }
}
