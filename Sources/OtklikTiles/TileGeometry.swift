public import OtklikCore

/// Turns CRS84 geometry into a tile's grid: project, clip to tile + buffer, simplify, quantise, fix winding.
public enum TileGeometry {
    struct P {
        var x: Double
        var y: Double
    }

    /// A point's grid position, or nil when it lies outside the tile plus buffer.
    public static func point(_ p: GeoPoint, in tile: TileID, extent: Int = 4096, buffer: Int = 64) -> TilePixel? {
        point(unit: WebMercator.unit(p), in: tile, extent: extent, buffer: buffer)
    }

    /// `point` from a position already projected by `WebMercator.unit`.
    static func point(unit: (x: Double, y: Double), in tile: TileID, extent: Int, buffer: Int) -> TilePixel? {
        let t = WebMercator.tilePoint(unit: unit, in: tile, extent: extent)
        let lo = -Double(buffer), hi = Double(extent + buffer)
        guard t.x >= lo, t.x <= hi, t.y >= lo, t.y <= hi else { return nil }
        return TilePixel(x: Int32(t.x.rounded()), y: Int32(t.y.rounded()))
    }

    /// The polygons of `geometry` on the tile: each ring clipped to the tile plus buffer (Sutherland–Hodgman,
    /// adequate for the approximate area outlines here), simplified by Douglas–Peucker with `tolerance` grid
    /// units (a fixed tolerance in grid units simplifies more in degrees at each lower zoom), quantised,
    /// stripped of repeated and collinear-degenerate rings, and wound as MVT 2.1 asks: exterior rings with
    /// positive surveyor's area in tile coordinates (clockwise on screen), holes negative.
    /// Rings come back open (no repeated closing point). Polygons whose exterior vanishes are dropped.
    public static func polygons(_ geometry: Geometry, in tile: TileID, extent: Int = 4096, buffer: Int = 64,
                                tolerance: Double = 4) -> [[[TilePixel]]] {
        let lo = -Double(buffer), hi = Double(extent + buffer)
        var out: [[[TilePixel]]] = []
        for polygon in geometry.polygons {
            var rings: [[TilePixel]] = []
            for (index, ring) in polygon.enumerated() {
                var projected = ring.map { p -> P in
                    let t = WebMercator.tilePoint(p, in: tile, extent: extent)
                    return P(x: t.x, y: t.y)
                }
                if projected.count > 1, projected.first!.x == projected.last!.x, projected.first!.y == projected.last!.y {
                    projected.removeLast()
                }
                guard projected.count >= 3 else { if index == 0 { break } else { continue } }
                let clipped = clip(projected, lo: lo, hi: hi)
                let simplified = simplifyRing(clipped, tolerance: tolerance)
                var q = quantise(simplified)
                let area = signedArea(q)
                if q.count < 3 || area == 0 {
                    if index == 0 { break } else { continue }
                }
                // Exterior positive, holes negative (y grows down in tile space, so positive is clockwise on screen).
                if (index == 0) != (area > 0) { q.reverse() }
                rings.append(q)
            }
            if !rings.isEmpty { out.append(rings) }
        }
        return out
    }

    /// Sutherland–Hodgman against the square [lo, hi]² one edge at a time.
    static func clip(_ ring: [P], lo: Double, hi: Double) -> [P] {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for p in ring {
            minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        if minX >= lo, maxX <= hi, minY >= lo, maxY <= hi { return ring }
        if maxX < lo || minX > hi || maxY < lo || minY > hi { return [] }
        var r = ring
        r = clipEdge(r, inside: { $0.x >= lo }, cross: { a, b in let t = (lo - a.x) / (b.x - a.x); return P(x: lo, y: a.y + t * (b.y - a.y)) })
        r = clipEdge(r, inside: { $0.x <= hi }, cross: { a, b in let t = (hi - a.x) / (b.x - a.x); return P(x: hi, y: a.y + t * (b.y - a.y)) })
        r = clipEdge(r, inside: { $0.y >= lo }, cross: { a, b in let t = (lo - a.y) / (b.y - a.y); return P(x: a.x + t * (b.x - a.x), y: lo) })
        r = clipEdge(r, inside: { $0.y <= hi }, cross: { a, b in let t = (hi - a.y) / (b.y - a.y); return P(x: a.x + t * (b.x - a.x), y: hi) })
        return r
    }

    @inline(__always)
    static func clipEdge(_ ring: [P], inside: (P) -> Bool, cross: (P, P) -> P) -> [P] {
        guard let last = ring.last else { return [] }
        var out: [P] = []
        out.reserveCapacity(ring.count + 4)
        var prev = last
        var prevIn = inside(prev)
        for cur in ring {
            let curIn = inside(cur)
            if curIn {
                if !prevIn { out.append(cross(prev, cur)) }
                out.append(cur)
            } else if prevIn {
                out.append(cross(prev, cur))
            }
            prev = cur
            prevIn = curIn
        }
        return out
    }

    /// Douglas–Peucker on a closed ring: split at the vertex farthest from the first one, simplify both halves.
    static func simplifyRing(_ ring: [P], tolerance: Double) -> [P] {
        guard ring.count > 4, tolerance > 0 else { return ring }
        var far = 0, farD = -1.0
        for i in 1..<ring.count {
            let dx = ring[i].x - ring[0].x, dy = ring[i].y - ring[0].y
            let d = dx * dx + dy * dy
            if d > farD { farD = d; far = i }
        }
        var keep = [Bool](repeating: false, count: ring.count + 1)
        keep[0] = true; keep[far] = true; keep[ring.count] = true
        let closed = ring + [ring[0]]
        markDP(closed, 0, far, tolerance * tolerance, &keep)
        markDP(closed, far, ring.count, tolerance * tolerance, &keep)
        var out: [P] = []
        for i in 0..<ring.count where keep[i] { out.append(ring[i]) }
        return out
    }

    static func markDP(_ pts: [P], _ first: Int, _ last: Int, _ tol2: Double, _ keep: inout [Bool]) {
        var stack = [(first, last)]
        while let (a, b) = stack.popLast() {
            guard b > a + 1 else { continue }
            var idx = -1, maxD = -1.0
            for i in (a + 1)..<b {
                let d = segmentDistance2(pts[i], pts[a], pts[b])
                if d > maxD { maxD = d; idx = i }
            }
            if maxD > tol2 {
                keep[idx] = true
                stack.append((a, idx))
                stack.append((idx, b))
            }
        }
    }

    @inline(__always)
    static func segmentDistance2(_ p: P, _ a: P, _ b: P) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        var t = len2 == 0 ? 0 : ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2
        t = min(max(t, 0), 1)
        let ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y
        return ex * ex + ey * ey
    }

    /// Rounds to the grid and removes consecutive duplicates (including a last point equal to the first).
    static func quantise(_ ring: [P]) -> [TilePixel] {
        var out: [TilePixel] = []
        out.reserveCapacity(ring.count)
        for p in ring {
            let q = TilePixel(x: Int32(p.x.rounded()), y: Int32(p.y.rounded()))
            if out.last != q { out.append(q) }
        }
        while out.count > 1, out.first == out.last { out.removeLast() }
        return out
    }

    /// Twice the surveyor's (shoelace) area of an open ring in grid units; positive is clockwise on screen.
    public static func signedArea(_ ring: [TilePixel]) -> Int64 {
        guard ring.count >= 3 else { return 0 }
        var sum: Int64 = 0
        var j = ring.count - 1
        for i in 0..<ring.count {
            sum += Int64(ring[j].x) * Int64(ring[i].y) - Int64(ring[i].x) * Int64(ring[j].y)
            j = i
        }
        return sum
    }
}
