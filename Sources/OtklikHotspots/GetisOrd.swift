/// One location's Getis-Ord Gi* result.
public struct GiStar: Sendable, Hashable {
    /// The Gi* z-score; nil when undefined (fewer than 2 locations, or all values equal).
    public var z: Double?
    /// Two-sided p-value of `z` (ArcGIS reports this one; esda's `p_norm` is its half).
    public var p: Double?
    /// Neighbours within the band, the location itself included (ArcGIS's NNeighbors counts it too).
    public var neighbours: Int
    /// −3…3: hot (+) or cold (−) at 99/95/90 % confidence after the False Discovery Rate correction; 0 otherwise.
    public var bin: Int

    public init(z: Double?, p: Double?, neighbours: Int, bin: Int) {
        self.z = z
        self.p = p
        self.neighbours = neighbours
        self.bin = bin
    }
}

/// Getis-Ord Gi* with fixed-distance-band binary weights, the statistic behind ArcGIS's (Optimized) Hot Spot
/// Analysis.
///
/// Weights: w_ij = 1 when the distance between locations i and j is `<= band` (i = j included: that is the
/// "star"), else 0. With n locations, values x, mean x̄, S² = Σx²/n − x̄², and W_i = Σ_j w_ij:
///
///     Gi* = Σ_j w_ij x_j / Σ_j x_j,  E = W_i / n,  V = W_i (n − W_i) / (n − 1) / n² · S² / x̄²,  z = (Gi* − E) / √V
///
/// which is esda's `G_Local(y, w, transform='B', star=True)` operation for operation (and algebraically ArcGIS's
/// z = (Σ w x − x̄ W) / (S √((n W − W²)/(n − 1)))). p-values are analytical (normal), two-sided.
public enum GetisOrd {
    /// Gi* for locations at (x, y) metres with values `values`; `band` in metres.
    public static func giStar(values: [Double], x: [Double], y: [Double], band: Double) throws(HotspotsError) -> [GiStar] {
        let n = values.count
        guard x.count == n else { throw .lengthMismatch(what: "x", expected: n, got: x.count) }
        guard y.count == n else { throw .lengthMismatch(what: "y", expected: n, got: y.count) }
        guard band > 0, band.isFinite else {
            throw .invalidParameter(name: "band", value: band, reason: "must be a positive finite distance in metres")
        }
        for i in 0..<n where !(x[i].isFinite && y[i].isFinite) { throw .nonFiniteCoordinate(index: i, x: x[i], y: y[i]) }
        if n == 0 { return [] }
        guard CellGrid.fits(x: x, y: y, side: band) else {
            throw .invalidParameter(name: "band", value: band, reason: "too small for the extent of the locations")
        }
        let neighbours = neighbourLists(x: x, y: y, band: band)
        return giStar(values: values, neighbourStart: neighbours.start, neighbours: neighbours.list)
    }

    /// Gi* over precomputed binary neighbourhoods (CSR: the neighbours of i, itself included, are
    /// `neighbours[neighbourStart[i]..<neighbourStart[i+1]]`). Used per time slice by the emerging analysis.
    static func giStar(values: [Double], neighbourStart: [Int32], neighbours: [Int32]) -> [GiStar] {
        let n = values.count
        var sum = 0.0, sumSq = 0.0
        for v in values { sum += v; sumSq += v * v }
        let N = Double(n)
        let mean = sum / N
        let variance = sumSq / N - mean * mean
        var z = [Double?](repeating: nil, count: n)
        var p = [Double?](repeating: nil, count: n)
        var counts = [Int](repeating: 0, count: n)
        let defined = n > 1 && sum != 0 && variance > 0 && variance.isFinite
        for i in 0..<n {
            var local = 0.0
            let s = Int(neighbourStart[i]), e = Int(neighbourStart[i + 1])
            for k in s..<e { local += values[Int(neighbours[k])] }
            counts[i] = e - s
            guard defined else { continue }
            let card = Double(e - s)
            let statistic = local / sum
            let expected = card / N
            var v = card * (N - card)
            v /= N - 1
            v *= 1 / (N * N)
            v *= variance / (mean * mean)
            let zi: Double
            if v > 0 {
                zi = (statistic - expected) / v.squareRoot()
            } else {
                // W_i = n: the location's neighbourhood is everything, Gi* is exactly its expectation.
                zi = 0
            }
            z[i] = zi
            p[i] = Normal.twoSided(zi)
        }
        let bins = fdrBins(z: z, p: p)
        return (0..<n).map { GiStar(z: z[$0], p: p[$0], neighbours: counts[$0], bin: bins[$0]) }
    }

    /// ArcGIS's Gi_Bin with the FDR correction: Benjamini-Hochberg at α = 0.01, 0.05 and 0.10 over all m
    /// defined p-values (`FalseDiscoveryRate.qValues`); a location is significant at α when its q <= α, i.e.
    /// p <= p(k*), k* = max{k : p(k) <= k α / m}. The bin is ±3, ±2 or ±1 for the strictest α passed, signed by z.
    public static func fdrBins(z: [Double?], p: [Double?]) -> [Int] {
        let q = FalseDiscoveryRate.qValues(p)
        return (0..<p.count).map { i in
            guard let qi = q[i], let zi = z[i], zi != 0 else { return 0 }
            let level = qi <= 0.01 ? 3 : qi <= 0.05 ? 2 : qi <= 0.10 ? 1 : 0
            return zi > 0 ? level : -level
        }
    }

    /// Binary distance-band neighbourhoods (self included) through a grid of cell side `band`.
    static func neighbourLists(x: [Double], y: [Double], band: Double) -> (start: [Int32], list: [Int32]) {
        let n = x.count
        let grid = CellGrid(x: x, y: y, side: band, reach: 1)
        let band2 = band * band
        var start = [Int32](repeating: 0, count: n + 1)
        var list: [Int32] = []
        list.reserveCapacity(n * 20)
        for i in 0..<n {
            let c = Int(grid.cellOfPoint[i])
            for nb in Int(grid.neighbourStart[c])..<Int(grid.neighbourStart[c + 1]) {
                let b = Int(grid.neighbours[nb])
                for m in Int(grid.cellStart[b])..<Int(grid.cellStart[b + 1]) {
                    let j = Int(grid.members[m])
                    let dx = x[i] - x[j], dy = y[i] - y[j]
                    if dx * dx + dy * dy <= band2 { list.append(Int32(j)) }
                }
            }
            start[i + 1] = Int32(list.count)
        }
        return (start, list)
    }
}
