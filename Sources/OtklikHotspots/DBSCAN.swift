/// The outcome of a DBSCAN run: one label per input point (`-1` is noise, clusters are `0..<clusterCount`) and
/// whether each point is a core point.
public struct DBSCANResult: Sendable, Hashable {
    public var labels: [Int]
    public var isCore: [Bool]
    public var clusterCount: Int

    public init(labels: [Int], isCore: [Bool], clusterCount: Int) {
        self.labels = labels
        self.isCore = isCore
        self.clusterCount = clusterCount
    }
}

/// Exact DBSCAN on planar coordinates in metres, with the semantics of scikit-learn's `DBSCAN`:
///
/// - the neighbourhood of a point is every point at Euclidean distance `<= eps`, the point itself included;
///   distances are compared squared, `dx*dx + dy*dy <= eps*eps`, as scikit-learn's tree queries do;
/// - a point is core when its neighbourhood holds at least `minPoints` points;
/// - clusters are the connected components of core points (two cores are linked when within `eps`), numbered in
///   the order of their lowest-index core point (scikit-learn seeds clusters by scanning indices in order);
/// - a non-core point within `eps` of a core joins a cluster; when it touches several clusters it takes the one
///   numbered first, because scikit-learn's depth-first expansion labels it during the earliest cluster and never
///   relabels it (`_dbscan_inner.pyx`). Other non-core points are noise (`-1`).
///
/// Cost: a grid with cells of side `eps/√2` (slightly less, so rounding never breaks the property) puts any two
/// points of one cell within `eps`. So a cell holding `minPoints` points is all core without a distance test,
/// every cell's cores belong to one cluster, and the clustering is a union-find over cells. Neighbour counting
/// stops at `minPoints`. Expected cost is near-linear for realistic data.
public enum DBSCAN {
    /// Spatial DBSCAN. `x` and `y` are metres in a projected CRS.
    public static func run(x: [Double], y: [Double], eps: Double, minPoints: Int) throws(HotspotsError) -> DBSCANResult {
        try validate(x: x, y: y, t: nil, eps: eps, minPoints: minPoints)
        if x.isEmpty { return DBSCANResult(labels: [], isCore: [], clusterCount: 0) }
        return fastSpatial(x: x, y: y, eps: eps, minPoints: minPoints)
    }

    /// ST-DBSCAN: two points are neighbours when within `eps` metres and within `timeWindow` of each other in `t`
    /// (any unit, typically seconds). Same core, cluster and border rules as `run`.
    public static func run(x: [Double], y: [Double], t: [Double], eps: Double, timeWindow: Double,
                           minPoints: Int) throws(HotspotsError) -> DBSCANResult {
        try validate(x: x, y: y, t: t, eps: eps, minPoints: minPoints)
        guard timeWindow >= 0, !timeWindow.isNaN else {
            throw .invalidParameter(name: "timeWindow", value: timeWindow, reason: "must be >= 0")
        }
        if x.isEmpty { return DBSCANResult(labels: [], isCore: [], clusterCount: 0) }
        return pointwise(x: x, y: y, t: t, eps: eps, timeWindow: timeWindow, minPoints: minPoints)
    }

    static func validate(x: [Double], y: [Double], t: [Double]?, eps: Double, minPoints: Int) throws(HotspotsError) {
        guard eps > 0, eps.isFinite else {
            throw .invalidParameter(name: "eps", value: eps, reason: "must be a positive finite number of metres")
        }
        guard minPoints >= 1 else {
            throw .invalidParameter(name: "minPoints", value: Double(minPoints), reason: "must be >= 1")
        }
        guard y.count == x.count else { throw .lengthMismatch(what: "y", expected: x.count, got: y.count) }
        if let t, t.count != x.count { throw .lengthMismatch(what: "t", expected: x.count, got: t.count) }
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<x.count {
            guard x[i].isFinite, y[i].isFinite else { throw .nonFiniteCoordinate(index: i, x: x[i], y: y[i]) }
            minX = min(minX, x[i]); maxX = max(maxX, x[i])
            minY = min(minY, y[i]); maxY = max(maxY, y[i])
        }
        // Cell coordinates must stay exact integers in a Double.
        if !x.isEmpty, max(maxX - minX, maxY - minY) / eps > 1e8 {
            throw .invalidParameter(name: "eps", value: eps, reason: "too small for an extent of \(max(maxX - minX, maxY - minY)) m")
        }
    }

    // MARK: - Spatial fast path

    static func fastSpatial(x: [Double], y: [Double], eps: Double, minPoints: Int) -> DBSCANResult {
        let n = x.count
        let eps2 = eps * eps
        // Side a hair under eps/√2: two points of one cell are then strictly within eps even after rounding.
        let side = eps / 2.0.squareRoot() * (1 - 1e-6)
        let grid = CellGrid(x: x, y: y, side: side, reach: 2)
        let cells = grid.cellCount
        var isCore = [Bool](repeating: false, count: n)

        grid.members.withUnsafeBufferPointer { mem in
        grid.cellStart.withUnsafeBufferPointer { start in
        grid.neighbourStart.withUnsafeBufferPointer { nbStart in
        grid.neighbours.withUnsafeBufferPointer { nbs in
        x.withUnsafeBufferPointer { xs in
        y.withUnsafeBufferPointer { ys in
            // 1. Core points.
            for c in 0..<cells {
                let s = Int(start[c]), e = Int(start[c + 1])
                let own = e - s
                if own >= minPoints {
                    for k in s..<e { isCore[Int(mem[k])] = true }
                    continue
                }
                for k in s..<e {
                    let p = Int(mem[k])
                    let px = xs[p], py = ys[p]
                    var count = own
                    scan: for nb in Int(nbStart[c])..<Int(nbStart[c + 1]) {
                        let b = Int(nbs[nb])
                        if b == c { continue }
                        for m in Int(start[b])..<Int(start[b + 1]) {
                            let q = Int(mem[m])
                            let dx = px - xs[q], dy = py - ys[q]
                            if dx * dx + dy * dy <= eps2 {
                                count += 1
                                if count >= minPoints { break scan }
                            }
                        }
                    }
                    isCore[p] = count >= minPoints
                }
            }
        }}}}}}

        // 2. Cores per cell (ascending index, since members are ascending inside a cell).
        var coreStart = [Int32](repeating: 0, count: cells + 1)
        var cores: [Int32] = []
        cores.reserveCapacity(n)
        for c in 0..<cells {
            for k in Int(grid.cellStart[c])..<Int(grid.cellStart[c + 1]) {
                let p = grid.members[k]
                if isCore[Int(p)] { cores.append(p) }
            }
            coreStart[c + 1] = Int32(cores.count)
        }

        // 3. Union-find over cells that hold cores: all cores of a cell are mutually within eps.
        var parent = [Int32](0..<Int32(cells))
        @inline(__always) func find(_ a: Int32) -> Int32 {
            var a = a
            while parent[Int(a)] != a {
                parent[Int(a)] = parent[Int(parent[Int(a)])]
                a = parent[Int(a)]
            }
            return a
        }
        cores.withUnsafeBufferPointer { cs in
        x.withUnsafeBufferPointer { xs in
        y.withUnsafeBufferPointer { ys in
            for c in 0..<cells where coreStart[c] < coreStart[c + 1] {
                for nb in Int(grid.neighbourStart[c])..<Int(grid.neighbourStart[c + 1]) {
                    let b = Int(grid.neighbours[nb])
                    guard b > c, coreStart[b] < coreStart[b + 1] else { continue }
                    let ra = find(Int32(c)), rb = find(Int32(b))
                    if ra == rb { continue }
                    var linked = false
                    outer: for i in Int(coreStart[c])..<Int(coreStart[c + 1]) {
                        let p = Int(cs[i])
                        let px = xs[p], py = ys[p]
                        for j in Int(coreStart[b])..<Int(coreStart[b + 1]) {
                            let q = Int(cs[j])
                            let dx = px - xs[q], dy = py - ys[q]
                            if dx * dx + dy * dy <= eps2 { linked = true; break outer }
                        }
                    }
                    if linked {
                        // Keep the smaller id as root: deterministic, and irrelevant to the numbering below.
                        if ra < rb { parent[Int(rb)] = ra } else { parent[Int(ra)] = rb }
                    }
                }
            }
        }}}

        // 4. Number clusters by their lowest-index core point.
        var minCore = [Int32](repeating: Int32.max, count: cells)
        for c in 0..<cells where coreStart[c] < coreStart[c + 1] {
            let r = Int(find(Int32(c)))
            minCore[r] = min(minCore[r], cores[Int(coreStart[c])])
        }
        var roots: [(Int32, Int32)] = []
        for c in 0..<cells where minCore[c] != Int32.max { roots.append((minCore[c], Int32(c))) }
        roots.sort { $0.0 < $1.0 }
        var rankOfRoot = [Int32](repeating: -1, count: cells)
        for (k, r) in roots.enumerated() { rankOfRoot[Int(r.1)] = Int32(k) }
        var clusterOfCell = [Int32](repeating: -1, count: cells)
        for c in 0..<cells where coreStart[c] < coreStart[c + 1] {
            clusterOfCell[c] = rankOfRoot[Int(find(Int32(c)))]
        }

        // 5. Labels: cores take their cell's cluster; a border point takes the lowest-numbered adjacent cluster.
        var labels = [Int](repeating: -1, count: n)
        for p in 0..<n {
            let c = Int(grid.cellOfPoint[p])
            if isCore[p] {
                labels[p] = Int(clusterOfCell[c])
                continue
            }
            var best = Int32.max
            let px = x[p], py = y[p]
            for nb in Int(grid.neighbourStart[c])..<Int(grid.neighbourStart[c + 1]) {
                let b = Int(grid.neighbours[nb])
                let r = clusterOfCell[b]
                guard r >= 0, r < best else { continue }
                for j in Int(coreStart[b])..<Int(coreStart[b + 1]) {
                    let q = Int(cores[j])
                    let dx = px - x[q], dy = py - y[q]
                    if dx * dx + dy * dy <= eps2 { best = r; break }
                }
            }
            if best != Int32.max { labels[p] = Int(best) }
        }
        return DBSCANResult(labels: labels, isCore: isCore, clusterCount: roots.count)
    }

    // MARK: - Point-wise path (ST-DBSCAN, and an independent reference for the fast path)

    /// Straightforward grid DBSCAN over points with an optional time predicate: cells of side `eps`, 3×3 stencil,
    /// full neighbour counts, union-find over core points.
    static func pointwise(x: [Double], y: [Double], t: [Double]?, eps: Double, timeWindow: Double,
                          minPoints: Int) -> DBSCANResult {
        let n = x.count
        let eps2 = eps * eps
        let grid = CellGrid(x: x, y: y, side: eps, reach: 1)
        @inline(__always) func near(_ p: Int, _ q: Int) -> Bool {
            let dx = x[p] - x[q], dy = y[p] - y[q]
            guard dx * dx + dy * dy <= eps2 else { return false }
            if let t { return abs(t[p] - t[q]) <= timeWindow }
            return true
        }
        func forEachNeighbour(_ p: Int, _ body: (Int) -> Void) {
            let c = Int(grid.cellOfPoint[p])
            for nb in Int(grid.neighbourStart[c])..<Int(grid.neighbourStart[c + 1]) {
                let b = Int(grid.neighbours[nb])
                for m in Int(grid.cellStart[b])..<Int(grid.cellStart[b + 1]) {
                    let q = Int(grid.members[m])
                    if near(p, q) { body(q) }
                }
            }
        }
        var isCore = [Bool](repeating: false, count: n)
        for p in 0..<n {
            var count = 0
            forEachNeighbour(p) { _ in count += 1 }
            isCore[p] = count >= minPoints
        }
        var parent = Array(0..<n)
        func find(_ a: Int) -> Int {
            var a = a
            while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
            return a
        }
        for p in 0..<n where isCore[p] {
            forEachNeighbour(p) { q in
                guard q > p, isCore[q] else { return }
                let a = find(p), b = find(q)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        // With the smaller index always the root, a root is its component's lowest-index core.
        var rank = [Int](repeating: -1, count: n)
        var clusters = 0
        for p in 0..<n where isCore[p] && find(p) == p {
            rank[p] = clusters
            clusters += 1
        }
        var labels = [Int](repeating: -1, count: n)
        for p in 0..<n {
            if isCore[p] { labels[p] = rank[find(p)]; continue }
            var best = Int.max
            forEachNeighbour(p) { q in
                if isCore[q] { best = min(best, rank[find(q)]) }
            }
            if best != Int.max { labels[p] = best }
        }
        return DBSCANResult(labels: labels, isCore: isCore, clusterCount: clusters)
    }
}
