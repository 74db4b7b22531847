/// Derives an incident's district and settlement from the area layers, in memory.
///
/// Districts: bounding-box grid as the index, then an exact point-in-polygon test.
/// Settlements: a containing settlement polygon if any, else the nearest settlement point within
/// `maxSettlementDistance` metres. Distances come from the injected metric so that the core needs no PROJ.
/// When the metric comes with a `sphereRatio`, cheap bounds spare measuring the settlements that cannot be
/// the nearest, and often the nearest itself; the answer is the same.
public struct AreaLocator: Sendable {
    public typealias Distance = @Sendable (GeoPoint, GeoPoint) -> Double

    public struct Assignment: Sendable, Hashable {
        public var district: String?
        public var settlement: String?
        public var settlementDistance: Double?
    }

    private let districts: [Area]
    private let districtBoxes: [BBox]
    private let districtGrid: [Int: [Int32]]
    private let settlementPolygons: [Area]
    private let settlementPoints: [(name: String, point: GeoPoint, district: String?)]
    /// Per settlement point: its latitude in radians and that latitude's cosine, for the lower bound.
    private let pointLat: [(radians: Double, cos: Double)]
    private let pointGrid: [Int: [Int32]]
    private let cell: Double
    public let maxSettlementDistance: Double
    private let distance: Distance
    private let sphereRatio: ClosedRange<Double>?

    /// - Parameters:
    ///   - distance: the metric of the settlement search, in metres.
    ///   - sphereRatio: where `distance(a, b)` divided by the great-circle distance between a and b on a sphere
    ///     of radius `sphereRadius` always lies; nil when the metric promises no such bounds.
    public init(districts: [Area], settlements: [Area], maxSettlementDistance: Double = 3000, distance: @escaping Distance,
                sphereRatio: ClosedRange<Double>? = nil) {
        self.cell = 0.05
        self.distance = distance
        self.sphereRatio = sphereRatio
        self.maxSettlementDistance = maxSettlementDistance
        self.districts = districts
        self.districtBoxes = districts.map { $0.geometry.bbox ?? BBox(minLon: 0, minLat: 0, maxLon: -1, maxLat: -1) }
        var grid: [Int: [Int32]] = [:]
        for (i, box) in districtBoxes.enumerated() where box.minLon <= box.maxLon {
            for key in Self.keys(box, cell: 0.05) { grid[key, default: []].append(Int32(i)) }
        }
        districtGrid = grid
        settlementPolygons = settlements.filter { !$0.geometry.polygons.isEmpty }
        var pts: [(String, GeoPoint, String?)] = []
        var pgrid: [Int: [Int32]] = [:]
        for s in settlements {
            guard let anchor = s.anchor else { continue }
            pgrid[Self.key(anchor, cell: 0.05), default: []].append(Int32(pts.count))
            pts.append((s.name, anchor, s.parent))
        }
        settlementPoints = pts
        pointLat = pts.map { ($0.1.lat * .pi / 180, cos($0.1.lat * .pi / 180)) }
        pointGrid = pgrid
    }

    /// The sphere of `sphereRatio`: the mean Earth radius, in metres.
    public static let sphereRadius = 6_371_008.8

    static func key(_ p: GeoPoint, cell: Double) -> Int {
        let x = Int((p.lon + 180) / cell), y = Int((p.lat + 90) / cell)
        return y &* 100_000 &+ x
    }

    static func keys(_ b: BBox, cell: Double) -> [Int] {
        let x0 = Int((b.minLon + 180) / cell), x1 = Int((b.maxLon + 180) / cell)
        let y0 = Int((b.minLat + 90) / cell), y1 = Int((b.maxLat + 90) / cell)
        var out: [Int] = []
        out.reserveCapacity((x1 - x0 + 1) * (y1 - y0 + 1))
        for y in y0...y1 { for x in x0...x1 { out.append(y &* 100_000 &+ x) } }
        return out
    }

    public var isEmpty: Bool { districts.isEmpty && settlementPoints.isEmpty }

    public func district(of p: GeoPoint) -> String? {
        guard let candidates = districtGrid[Self.key(p, cell: cell)] else { return nil }
        var best: Int32?
        for i in candidates where districtBoxes[Int(i)].contains(p) && districts[Int(i)].geometry.contains(p) {
            // Lowest index wins on overlaps so the answer is deterministic.
            if best == nil || i < best! { best = i }
        }
        return best.map { districts[Int($0)].name }
    }

    public func settlement(of p: GeoPoint) -> (name: String, distance: Double)? {
        nearestSettlement(p, measured: true).map { ($0.name, $0.distance ?? 0) }
    }

    /// District and settlement of a point. Without `measuringDistance`, `settlementDistance` is nil whenever
    /// the bounds alone tell which settlement is the nearest (see `sphereRatio`), which spares the metric.
    public func assign(_ p: GeoPoint, measuringDistance: Bool = true) -> Assignment {
        let s = nearestSettlement(p, measured: measuringDistance)
        return Assignment(district: district(of: p), settlement: s?.name, settlementDistance: s?.distance)
    }

    /// The containing settlement polygon, else the nearest settlement point within the radius (the lower
    /// index on a tie). Its distance is nil only when `measured` is false and the bounds decided.
    private func nearestSettlement(_ p: GeoPoint, measured: Bool) -> (name: String, distance: Double?)? {
        for s in settlementPolygons where s.geometry.contains(p) { return (s.name, 0) }
        // Search the ring of cells that can hold a point within the radius.
        let dLat = maxSettlementDistance / 111_000 + 1e-9
        let cosLat = max(0.01, cos(p.lat * .pi / 180))
        let dLon = min(180, dLat / cosLat)
        let box = BBox(minLon: max(-180, p.lon - dLon), minLat: max(-90, p.lat - dLat),
                       maxLon: min(180, p.lon + dLon), maxLat: min(90, p.lat + dLat))
        let keys = Self.keys(box, cell: cell)
        func forEachCandidate(_ body: (Int) -> Void) {
            for key in keys {
                guard let list = pointGrid[key] else { continue }
                for i in list where box.contains(settlementPoints[Int(i)].point) { body(Int(i)) }
            }
        }
        var best: (Int, Double)?
        func measure(_ i: Int) {
            let d = distance(p, settlementPoints[i].point)
            if d <= maxSettlementDistance, best == nil || d < best!.1 || (d == best!.1 && i < best!.0) {
                best = (i, d)
            }
        }
        guard let ratio = sphereRatio else {
            forEachCandidate(measure)
            return best.map { (settlementPoints[$0.0].name, $0.1) }
        }
        // Each candidate's distance lies between its great-circle distance times the ratio's two ends. Only
        // those whose lower end is within the radius and not above the smallest upper end can be the nearest
        // or tie with it; when that is one settlement, wholly within the radius, nothing needs measuring.
        let pLat = p.lat * .pi / 180, pCos = cos(pLat)
        func arc(_ i: Int) -> Double {
            let s = pointLat[i]
            let a = sin((s.radians - pLat) / 2), b = sin((settlementPoints[i].point.lon - p.lon) * .pi / 360)
            return 2 * Self.sphereRadius * asin(min(1, (a * a + pCos * s.cos * b * b).squareRoot()))
        }
        var nearestUpper = Double.infinity
        forEachCandidate { i in
            let a = arc(i)
            if a * ratio.lowerBound <= maxSettlementDistance { nearestUpper = min(nearestUpper, a * ratio.upperBound) }
        }
        guard nearestUpper < .infinity else { return nil }
        func contends(_ a: Double) -> Bool {
            a * ratio.lowerBound <= maxSettlementDistance && a * ratio.lowerBound <= nearestUpper
        }
        var contenders = 0, only = -1, onlyUpper = 0.0
        forEachCandidate { i in
            let a = arc(i)
            if contends(a) { contenders += 1; only = i; onlyUpper = a * ratio.upperBound }
        }
        if !measured && contenders == 1 && onlyUpper <= maxSettlementDistance {
            return (settlementPoints[only].name, nil)
        }
        forEachCandidate { i in if contends(arc(i)) { measure(i) } }
        return best.map { (settlementPoints[$0.0].name, $0.1) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
