public import struct Foundation.Date
import OtklikCore

/// How to slice time for the emerging analysis (UTC calendar: ISO weeks from Monday 00:00, calendar months).
public enum TimeSlice: String, Sendable, Hashable, CaseIterable {
    case week, month

    /// The slice index of an instant: weeks since the Monday 1970-01-05, or months since January 1970.
    public func index(of date: Date) -> Int {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        switch self {
        case .week:
            let d = days - 4
            return d >= 0 ? d / 7 : -((-d + 6) / 7)
        case .month:
            let (y, m, _) = Timestamp.civilFromDays(days)
            return (y - 1970) * 12 + (m - 1)
        }
    }

    /// The first instant of a slice.
    public func start(ofIndex k: Int) -> Date {
        switch self {
        case .week: return Date(timeIntervalSince1970: Double(4 + 7 * k) * 86_400)
        case .month:
            let y = 1970 + Int((Double(k) / 12).rounded(.down)), m = k - (y - 1970) * 12 + 1
            return Date(timeIntervalSince1970: Double(Timestamp.daysFromCivil(year: y, month: m, day: 1)) * 86_400)
        }
    }
}

/// Which hexagons take part in Gi*.
public enum BinSelection: String, Sendable, Hashable {
    /// Bins with at least one incident (ESRI's emerging analysis without a mask analyses "locations with at least
    /// one point").
    case occupied
    /// Also the empty bins within the distance band of an occupied one, so that a lone busy bin among empty ones
    /// stands out against zeros.
    case occupiedAndNeighbours = "occupied_and_neighbours"
}

public struct GridConfig: Sendable, Hashable {
    /// Hexagon centre spacing in metres.
    public var cellSize: Double
    /// Fixed distance band in metres; nil means 2.5 × cellSize, i.e. the two rings of hexagons around a bin
    /// (18 neighbours; ring distances are 1, √3, 2, √7 … cell sizes, so 2.5 sits safely between rings).
    public var band: Double?
    public var bins: BinSelection
    /// Set to also run the emerging analysis over these slices.
    public var slice: TimeSlice?
    /// The Gi_Bin level that counts as significant for the emerging patterns (1, 2, 3 = 90, 95, 99 %).
    public var emergingLevel: Int
    /// Significance of the Mann-Kendall trend.
    public var trendAlpha: Double

    public init(cellSize: Double = 500, band: Double? = nil, bins: BinSelection = .occupied, slice: TimeSlice? = nil,
                emergingLevel: Int = 2, trendAlpha: Double = 0.05) {
        self.cellSize = cellSize
        self.band = band
        self.bins = bins
        self.slice = slice
        self.emergingLevel = emergingLevel
        self.trendAlpha = trendAlpha
    }

    public var effectiveBand: Double { band ?? cellSize * 2.5 }
}

public struct GridBin: Sendable, Hashable {
    public var cell: HexCell
    /// Centre in the caller's projected metres.
    public var x: Double
    public var y: Double
    public var count: Int
    public var gi: GiStar
    public var emerging: EmergingResult?
}

public struct GridResult: Sendable, Hashable {
    public var grid: HexGrid
    public var band: Double
    /// Sorted by cell (r, then q).
    public var bins: [GridBin]
    /// Slice starts, oldest first, when the emerging analysis ran.
    public var slices: [Date]
}

/// Aggregation of incidents on a hexagonal grid, Gi* with FDR classes per bin, and optionally the emerging
/// hot spot patterns over time slices.
public enum GridAnalysis {
    public static func run(points: [HotspotPoint], config: GridConfig = GridConfig()) throws(HotspotsError) -> GridResult {
        let grid = try HexGrid(cellSize: config.cellSize)
        let band = config.effectiveBand
        guard band > 0, band.isFinite else {
            throw .invalidParameter(name: "band", value: band, reason: "must be a positive finite distance in metres")
        }
        guard (1...3).contains(config.emergingLevel) else {
            throw .invalidParameter(name: "emergingLevel", value: Double(config.emergingLevel), reason: "must be 1, 2 or 3")
        }
        for (i, p) in points.enumerated() where !(p.x.isFinite && p.y.isFinite) {
            throw .nonFiniteCoordinate(index: i, x: p.x, y: p.y)
        }
        var counts: [HexCell: Int] = [:]
        var cellOfPoint: [HexCell] = []
        cellOfPoint.reserveCapacity(points.count)
        for p in points {
            let c = grid.cell(x: p.x, y: p.y)
            counts[c, default: 0] += 1
            cellOfPoint.append(c)
        }
        if config.bins == .occupiedAndNeighbours {
            let reach = Int((band / config.cellSize).rounded(.up)) + 1
            for c in Array(counts.keys) {
                let (cx, cy) = grid.center(c)
                for dr in -reach...reach {
                    for dq in -reach...reach {
                        let o = HexCell(q: c.q + dq, r: c.r + dr)
                        guard counts[o] == nil else { continue }
                        let (ox, oy) = grid.center(o)
                        let dx = ox - cx, dy = oy - cy
                        if dx * dx + dy * dy <= band * band { counts[o] = 0 }
                    }
                }
            }
        }
        let cells = counts.keys.sorted()
        let xy = cells.map { grid.center($0) }
        let xs = xy.map(\.x), ys = xy.map(\.y)
        guard CellGrid.fits(x: xs, y: ys, side: band) else {
            throw .invalidParameter(name: "band", value: band, reason: "too small for the extent of the points")
        }
        let nb = GetisOrd.neighbourLists(x: xs, y: ys, band: band)
        let values = cells.map { Double(counts[$0]!) }
        let gi = GetisOrd.giStar(values: values, neighbourStart: nb.start, neighbours: nb.list)
        var bins = (0..<cells.count).map {
            GridBin(cell: cells[$0], x: xs[$0], y: ys[$0], count: counts[cells[$0]]!, gi: gi[$0], emerging: nil)
        }
        var sliceStarts: [Date] = []
        if let slice = config.slice, !points.isEmpty {
            let index = Dictionary(uniqueKeysWithValues: cells.enumerated().map { ($1, $0) })
            let k = points.map { slice.index(of: $0.reportedAt) }
            let k0 = k.min()!, k1 = k.max()!
            let m = k1 - k0 + 1
            sliceStarts = (k0...k1).map { slice.start(ofIndex: $0) }
            var cube = [[Double]](repeating: [Double](repeating: 0, count: cells.count), count: m)
            for (i, c) in cellOfPoint.enumerated() { cube[k[i] - k0][index[c]!] += 1 }
            var z = [[Double]](repeating: [Double](repeating: 0, count: m), count: cells.count)
            var b = [[Int]](repeating: [Int](repeating: 0, count: m), count: cells.count)
            for t in 0..<m {
                let g = GetisOrd.giStar(values: cube[t], neighbourStart: nb.start, neighbours: nb.list)
                for i in 0..<cells.count {
                    z[i][t] = g[i].z ?? 0
                    b[i][t] = g[i].bin
                }
            }
            for i in 0..<cells.count {
                let trend = MannKendall.test(z[i], alpha: config.trendAlpha)
                let pattern = EmergingHotspots.classify(bins: b[i], trend: trend, level: config.emergingLevel)
                bins[i].emerging = EmergingResult(pattern: pattern, trend: trend, binsPerSlice: b[i])
            }
        }
        return GridResult(grid: grid, band: band, bins: bins, slices: sliceStarts)
    }

    /// A data-derived cell size: the side of a square holding about 2 incidents on average over the points'
    /// bounding box, rounded to 50 m and clamped to 100 m … 5 km. 500 m when there are fewer than 2 points.
    public static func suggestedCellSize(points: [HotspotPoint]) -> Double {
        guard points.count >= 2 else { return 500 }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for p in points {
            minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y)
        }
        let area = max(1, (maxX - minX) * (maxY - minY))
        let side = (2 * area / Double(points.count)).squareRoot()
        return min(5000, max(100, (side / 50).rounded() * 50))
    }
}
