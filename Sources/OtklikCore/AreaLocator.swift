/// Derives an incident's district and settlement from the area layers, in memory.
///
/// Districts: bounding-box grid as the index, then an exact point-in-polygon test.
/// Settlements: a containing settlement polygon if any, else the nearest settlement point within
/// `maxSettlementDistance` metres. Distances come from the injected metric so that the core needs no PROJ.
/// When the metric comes with a `sphereRatio`, cheap bounds spare measuring the settlements that cannot be
/// the nearest, and often the nearest itself; the answer is the same.
public struct AreaLocator: Sendable {
    public typealias Distance = @Sendable (GeoPoint, GeoPoint) -> Double

    /// A distance in metres, with the bounds it promises, if any. They travel together, because the bounds
    /// are a property of the function: a ratio that did not hold for it would give wrong answers.
    public struct Metric: Sendable {
        public let distance: Distance
        /// Where `distance(a, b)` divided by the great-circle distance between a and b on a sphere of radius
        /// `AreaLocator.sphereRadius` always lies; nil when the metric promises no such bounds.
        public let sphereRatio: ClosedRange<Double>?

        public init(_ distance: @escaping Distance, sphereRatio: ClosedRange<Double>? = nil) {
            self.distance = distance
            self.sphereRatio = sphereRatio
        }

        /// `sphericalDistance`, the metric where PROJ is not wired in.
        public static let sphere = Metric(AreaLocator.sphericalDistance)
    }

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

    /// - Parameter metric: the metric of the settlement search.
    public init(districts: [Area], settlements: [Area], maxSettlementDistance: Double = 3000, metric: Metric) {
        self.cell = 0.05
        self.distance = metric.distance
        self.sphereRatio = metric.sphereRatio
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

    /// A locator measuring with `distance`, which promises no bounds.
    public init(districts: [Area], settlements: [Area], maxSettlementDistance: Double = 3000, distance: @escaping Distance) {
        self.init(districts: districts, settlements: settlements, maxSettlementDistance: maxSettlementDistance,
                  metric: Metric(distance))
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
        var near: [(index: Int, arc: Double)] = []
        var nearestUpper = Double.infinity
        forEachCandidate { i in
            let s = pointLat[i]
            let arc = Self.greatCircle(dLat: s.radians - pLat, dLon: (settlementPoints[i].point.lon - p.lon) * .pi / 180,
                                       cosLat1: pCos, cosLat2: s.cos)
            guard arc * ratio.lowerBound <= maxSettlementDistance else { return }
            near.append((i, arc))
            nearestUpper = min(nearestUpper, arc * ratio.upperBound)
        }
        near.removeAll { $0.arc * ratio.lowerBound > nearestUpper }
        guard let only = near.first else { return nil }
        if !measured && near.count == 1 && only.arc * ratio.upperBound <= maxSettlementDistance {
            return (settlementPoints[only.index].name, nil)
        }
        for c in near { measure(c.index) }
        return best.map { (settlementPoints[$0.0].name, $0.1) }
    }

    /// Great-circle distance on a sphere of the mean Earth radius; the metric where PROJ is not wired in.
    public static let sphericalDistance: Distance = { a, b in
        let p1 = a.lat * .pi / 180, p2 = b.lat * .pi / 180
        return greatCircle(dLat: p2 - p1, dLon: (b.lon - a.lon) * .pi / 180, cosLat1: cos(p1), cosLat2: cos(p2))
    }

    /// The haversine formula on the sphere of `sphereRadius`, from the differences in radians and the two
    /// latitudes' cosines.
    static func greatCircle(dLat: Double, dLon: Double, cosLat1: Double, cosLat2: Double) -> Double {
        let a = sin(dLat / 2), b = sin(dLon / 2)
        return 2 * sphereRadius * asin(min(1, (a * a + cosLat1 * cosLat2 * b * b).squareRoot()))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
