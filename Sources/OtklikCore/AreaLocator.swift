/// Derives an incident's district and settlement from the area layers, in memory.
///
/// Districts: bounding-box grid as the index, then an exact point-in-polygon test.
/// Settlements: a containing settlement polygon if any, else the nearest settlement point within
/// `maxSettlementDistance` metres. Distances come from the injected metric so that the core needs no PROJ.
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
    private let pointGrid: [Int: [Int32]]
    private let cell: Double
    public let maxSettlementDistance: Double
    private let distance: Distance

    public init(districts: [Area], settlements: [Area], maxSettlementDistance: Double = 3000, distance: @escaping Distance) {
        self.cell = 0.05
        self.distance = distance
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
        pointGrid = pgrid
    }

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
        for s in settlementPolygons where s.geometry.contains(p) { return (s.name, 0) }
        // Search the ring of cells that can hold a point within the radius.
        let dLat = maxSettlementDistance / 111_000 + 1e-9
        let cosLat = max(0.01, cos(p.lat * .pi / 180))
        let dLon = min(180, dLat / cosLat)
        let box = BBox(minLon: max(-180, p.lon - dLon), minLat: max(-90, p.lat - dLat),
                       maxLon: min(180, p.lon + dLon), maxLat: min(90, p.lat + dLat))
        var best: (Int, Double)?
        for key in Self.keys(box, cell: cell) {
            guard let list = pointGrid[key] else { continue }
            for i in list {
                let s = settlementPoints[Int(i)]
                guard box.contains(s.point) else { continue }
                let d = distance(p, s.point)
                if d <= maxSettlementDistance, best == nil || d < best!.1 || (d == best!.1 && Int(i) < best!.0) {
                    best = (Int(i), d)
                }
            }
        }
        return best.map { (settlementPoints[$0.0].name, $0.1) }
    }

    public func assign(_ p: GeoPoint) -> Assignment {
        let s = settlement(of: p)
        return Assignment(district: district(of: p), settlement: s?.name, settlementDistance: s?.distance)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
