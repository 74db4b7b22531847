import Foundation

/// The coordinate-based TSPLIB distance functions, with TSPLIB95's exact rounding rules (Reinelt 1995, §2).
public enum TSPLIBMetric: String, Sendable, Hashable, CaseIterable {
    /// nint(√(dx² + dy²)).
    case euc2D = "EUC_2D"
    /// ⌈√(dx² + dy²)⌉.
    case ceil2D = "CEIL_2D"
    /// Pseudo-Euclidean: r = √((dx² + dy²)/10), t = nint(r), t + 1 when t < r.
    case att = "ATT"
    /// Geographical: coordinates are DDD.MM (degrees and minutes), x = latitude, y = longitude; idealised sphere
    /// with PI = 3.141592 and RRR = 6378.388, truncated to an integer number of kilometres.
    case geo = "GEO"

    /// The integer TSPLIB distance between (x1, y1) and (x2, y2), as a Double.
    public func distance(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> Double {
        switch self {
        case .euc2D:
            let dx = x1 - x2, dy = y1 - y2
            return ((dx * dx + dy * dy).squareRoot() + 0.5).rounded(.down)
        case .ceil2D:
            let dx = x1 - x2, dy = y1 - y2
            return (dx * dx + dy * dy).squareRoot().rounded(.up)
        case .att:
            let dx = x1 - x2, dy = y1 - y2
            let r = ((dx * dx + dy * dy) / 10).squareRoot()
            let t = (r + 0.5).rounded(.down)
            return t < r ? t + 1 : t
        case .geo:
            let (lat1, lon1) = (Self.geoRadians(x1), Self.geoRadians(y1))
            let (lat2, lon2) = (Self.geoRadians(x2), Self.geoRadians(y2))
            let rrr = 6378.388
            let q1 = cos(lon1 - lon2)
            let q2 = cos(lat1 - lat2)
            let q3 = cos(lat1 + lat2)
            return (rrr * acos(0.5 * ((1 + q1) * q2 - (1 - q1) * q3)) + 1).rounded(.towardZero)
        }
    }

    /// DDD.MM → radians with TSPLIB's PI. The whole degrees are the truncated value (the reference code's
    /// `(int)x`; TSPLIB95's text says nint, which would misread minutes ≥ 30 — the optimal tours only
    /// reproduce their lengths with truncation).
    static func geoRadians(_ x: Double) -> Double {
        let pi = 3.141592
        let deg = x.rounded(.towardZero)
        let minutes = x - deg
        return pi * (deg + 5 * minutes / 3) / 180
    }
}

/// A symmetric TSPLIB instance with node coordinates.
public struct TSPLIBInstance: Sendable, Hashable {
    public var name: String
    public var comment: String
    public var metric: TSPLIBMetric
    /// Node coordinates in file order (node id k is index k − 1).
    public var x: [Double]
    public var y: [Double]
    /// FIXED_EDGES_SECTION pairs (0-based) that every tour must contain. linhp318 uses one to turn the tour
    /// into a Hamiltonian path between two given nodes.
    public var fixedEdges: [[Int]]

    public var count: Int { x.count }

    public init(name: String, comment: String = "", metric: TSPLIBMetric, x: [Double], y: [Double],
                fixedEdges: [[Int]] = []) {
        self.name = name
        self.comment = comment
        self.metric = metric
        self.x = x
        self.y = y
        self.fixedEdges = fixedEdges
    }

    /// The full table of the instance's own distances. A fixed edge costs its distance minus a penalty larger
    /// than any tour, so no improving move ever removes it.
    public func distanceMatrix() -> DistanceMatrix {
        var m = DistanceMatrix(count: count) { i, j in metric.distance(x[i], y[i], x[j], y[j]) }
        if !fixedEdges.isEmpty {
            var longest = 0.0
            for v in m.storage { longest = max(longest, v) }
            let penalty = longest * Double(count + 1)
            for e in fixedEdges {
                m.storage[e[0] * count + e[1]] -= penalty
                m.storage[e[1] * count + e[0]] -= penalty
            }
        }
        return m
    }

    /// The value TSPLIB states as optimal: the tour length, less the fixed edges (for linhp318 the length of
    /// the Hamiltonian path that the fixed edge closes).
    public func objectiveLength(_ tour: [Int]) -> Double {
        tourLength(tour) - fixedEdges.reduce(0) { $0 + metric.distance(x[$1[0]], y[$1[0]], x[$1[1]], y[$1[1]]) }
    }

    /// Length of a closed tour (0-based indices) under the instance's metric.
    public func tourLength(_ tour: [Int]) -> Double {
        guard tour.count > 1 else { return 0 }
        var total = 0.0
        for k in tour.indices {
            let i = tour[k], j = tour[(k + 1) % tour.count]
            total += metric.distance(x[i], y[i], x[j], y[j])
        }
        return total
    }
}

/// Reader for the TSPLIB95 text formats used here: TSP files with NODE_COORD_SECTION, and TOUR files.
public enum TSPLIB {
    public static func parseInstance(_ text: String) throws(InspectionError) -> TSPLIBInstance {
        var name = "", comment = ""
        var dimension: Int?
        var metric: TSPLIBMetric?
        var x: [Double] = [], y: [Double] = []
        var filled: [Bool] = []
        var inCoords = false
        var inFixed = false
        var fixedEdges: [[Int]] = []
        var lineNo = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line == "EOF" { break }
            if inCoords {
                let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if parts.count >= 3, let id = Int(parts[0]), let px = Double(parts[1]), let py = Double(parts[2]) {
                    guard id >= 1, id <= x.count else {
                        throw .tsplib(line: lineNo, reason: "node id \(id) outside 1...\(x.count)")
                    }
                    x[id - 1] = px
                    y[id - 1] = py
                    filled[id - 1] = true
                    continue
                }
                inCoords = false
            }
            if inFixed {
                let ids = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }
                if ids == [-1] { inFixed = false; continue }
                guard ids.count == 2, ids.allSatisfy({ $0 >= 1 }) else {
                    throw .tsplib(line: lineNo, reason: "FIXED_EDGES_SECTION expects two node ids per line")
                }
                fixedEdges.append([ids[0] - 1, ids[1] - 1])
                continue
            }
            if line.hasPrefix("FIXED_EDGES_SECTION") { inFixed = true; continue }
            if line.hasPrefix("NODE_COORD_SECTION") {
                guard let n = dimension else { throw .tsplib(line: lineNo, reason: "NODE_COORD_SECTION before DIMENSION") }
                x = Array(repeating: 0, count: n)
                y = Array(repeating: 0, count: n)
                filled = Array(repeating: false, count: n)
                inCoords = true
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                if line.hasSuffix("_SECTION") { throw .tsplib(line: lineNo, reason: "unsupported section \(line)") }
                continue
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).uppercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "NAME": name = value
            case "COMMENT": comment = comment.isEmpty ? value : comment + " " + value
            case "TYPE":
                guard value == "TSP" else { throw .tsplib(line: lineNo, reason: "TYPE \(value) is not TSP") }
            case "DIMENSION":
                guard let n = Int(value), n > 0 else { throw .tsplib(line: lineNo, reason: "bad DIMENSION '\(value)'") }
                dimension = n
            case "EDGE_WEIGHT_TYPE":
                guard let m = TSPLIBMetric(rawValue: value) else {
                    throw .tsplib(line: lineNo, reason: "EDGE_WEIGHT_TYPE \(value) is not one of "
                        + TSPLIBMetric.allCases.map(\.rawValue).joined(separator: ", "))
                }
                metric = m
            default: continue
            }
        }
        guard let metric else { throw .tsplib(line: 0, reason: "EDGE_WEIGHT_TYPE is missing") }
        guard let dimension else { throw .tsplib(line: 0, reason: "DIMENSION is missing") }
        guard x.count == dimension else { throw .tsplib(line: 0, reason: "NODE_COORD_SECTION is missing") }
        if let missing = filled.firstIndex(of: false) {
            throw .tsplib(line: 0, reason: "node \(missing + 1) has no coordinates")
        }
        if let bad = fixedEdges.flatMap({ $0 }).first(where: { $0 >= dimension }) {
            throw .tsplib(line: 0, reason: "fixed edge node \(bad + 1) is outside 1...\(dimension)")
        }
        return TSPLIBInstance(name: name, comment: comment, metric: metric, x: x, y: y, fixedEdges: fixedEdges)
    }

    /// Reads a TOUR file's TOUR_SECTION and returns 0-based node indices.
    public static func parseTour(_ text: String) throws(InspectionError) -> [Int] {
        var tour: [Int] = []
        var inTour = false
        var lineNo = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line == "EOF" { break }
            if line.hasPrefix("TOUR_SECTION") { inTour = true; continue }
            guard inTour else { continue }
            for token in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                guard let id = Int(token) else { throw .tsplib(line: lineNo, reason: "'\(token)' is not a node id") }
                if id == -1 { return try checked(tour) }
                guard id >= 1 else { throw .tsplib(line: lineNo, reason: "node id \(id) below 1") }
                tour.append(id - 1)
            }
        }
        guard inTour else { throw .tsplib(line: 0, reason: "TOUR_SECTION is missing") }
        return try checked(tour)
    }

    private static func checked(_ tour: [Int]) throws(InspectionError) -> [Int] {
        guard Set(tour).count == tour.count else { throw .tsplib(line: 0, reason: "tour visits a node twice") }
        return tour
    }
}
