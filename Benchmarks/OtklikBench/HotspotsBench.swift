import Foundation
import OtklikHotspots

/// `otklik-bench hotspots [--points N] [--peer-points M] [--eps E] [--min-points K] [--bins B] [--runs R]
/// [--write-dir DIR]`
///
/// DBSCAN on N synthetic clustered points in a 200 × 200 km region (coordinates in memory to labels), and on the
/// first M of them for the ratio against scikit-learn; Gi* on B hexagon bins (neighbour search included).
/// With --write-dir the points, the subset's labels, the bins and their z-scores are written as little-endian
/// float64/int64 files so that Benchmarks/peers/hotspots_*.py run on identical data and check agreement.
enum HotspotsBench {
    struct Options {
        var points = 1_000_000
        var peerPoints = 200_000
        var eps = 50.0
        var minPoints = 5
        var bins = 100_000
        var runs = 3
        var writeDir: String?
    }

    static func run(_ args: [String]) async throws {
        var o = Options()
        var i = 0
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--points": o.points = Int(v) ?? o.points
            case "--peer-points": o.peerPoints = Int(v) ?? o.peerPoints
            case "--eps": o.eps = Double(v) ?? o.eps
            case "--min-points": o.minPoints = Int(v) ?? o.minPoints
            case "--bins": o.bins = Int(v) ?? o.bins
            case "--runs": o.runs = max(1, Int(v) ?? o.runs)
            case "--write-dir": o.writeDir = v
            default: throw BenchError.usage("unknown option \(args[i])")
            }
            i += 2
        }
        o.peerPoints = min(o.peerPoints, o.points)

        let (x, y) = clusteredPoints(count: o.points, seed: 20_261_129)
        var full: [Double] = [], fullCPU: [Double] = []
        var result = DBSCANResult(labels: [], isCore: [], clusterCount: 0)
        for _ in 0..<o.runs {
            let t = ContinuousClock.now, c = cpuSeconds()
            result = try DBSCAN.run(x: x, y: y, eps: o.eps, minPoints: o.minPoints)
            full.append(seconds(ContinuousClock.now - t))
            fullCPU.append(cpuSeconds() - c)
        }
        let noise = result.labels.filter { $0 < 0 }.count
        let sx = Array(x.prefix(o.peerPoints)), sy = Array(y.prefix(o.peerPoints))
        var sub: [Double] = [], subCPU: [Double] = []
        var subResult = result
        for _ in 0..<o.runs {
            let t = ContinuousClock.now, c = cpuSeconds()
            subResult = try DBSCAN.run(x: sx, y: sy, eps: o.eps, minPoints: o.minPoints)
            sub.append(seconds(ContinuousClock.now - t))
            subCPU.append(cpuSeconds() - c)
        }

        let (bx, by, bv) = hexBins(count: o.bins, cellSize: 500, seed: 7)
        var gi: [Double] = [], giCPU: [Double] = []
        var giResult: [GiStar] = []
        for _ in 0..<o.runs {
            let t = ContinuousClock.now, c = cpuSeconds()
            giResult = try GetisOrd.giStar(values: bv, x: bx, y: by, band: 1250)
            gi.append(seconds(ContinuousClock.now - t))
            giCPU.append(cpuSeconds() - c)
        }
        let significant = giResult.filter { $0.bin != 0 }.count

        if let dir = o.writeDir {
            try write(interleave(x, y), to: "\(dir)/points.f64")
            try write(subResult.labels.map(Int64.init), to: "\(dir)/labels_subset.i64")
            try write(interleave3(bx, by, bv), to: "\(dir)/bins.f64")
            try write(giResult.map { $0.z ?? .nan }, to: "\(dir)/gi_z.f64")
        }

        print("DBSCAN \(o.points) points, eps \(o.eps) m, minPts \(o.minPoints): best \(fmt(full.min()!)) s wall, \(fmt(fullCPU.min()!)) s CPU "
              + "(wall runs \(full.map(fmt).joined(separator: ", "))), \(result.clusterCount) clusters, \(noise) noise")
        print("DBSCAN first \(o.peerPoints) points: best \(fmt(sub.min()!)) s wall, \(fmt(subCPU.min()!)) s CPU, \(subResult.clusterCount) clusters")
        print("Gi* \(o.bins) hexagon bins, band 1250 m: best \(fmt(gi.min()!)) s wall, \(fmt(giCPU.min()!)) s CPU, \(significant) significant bins")
        let json: [String: Any] = [
            "suite": "hotspots", "dbscan_points": o.points, "dbscan_seconds": full.min()!, "dbscan_cpu_seconds": fullCPU.min()!,
            "dbscan_clusters": result.clusterCount, "dbscan_noise": noise, "subset_points": o.peerPoints,
            "subset_seconds": sub.min()!, "subset_cpu_seconds": subCPU.min()!, "subset_clusters": subResult.clusterCount, "eps": o.eps,
            "min_points": o.minPoints, "gistar_bins": o.bins, "gistar_seconds": gi.min()!, "gistar_cpu_seconds": giCPU.min()!, "runs": o.runs,
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    enum BenchError: Error { case usage(String) }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// User + system CPU time of this process: on a shared machine wall time also counts other jobs.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
    }

    static func fmt(_ s: Double) -> String { String(format: "%.3f", s) }

    /// SplitMix64: small, fast, reproducible on every platform.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    /// A region 200 × 200 km at UTM-like offsets: 2,000 settlements with Zipf-like sizes (spread 100–1,500 m),
    /// 10,000 tight problem sites (spread 10–40 m) inside them, and a uniform background.
    /// 25 % background, 45 % settlement spread, 30 % problem sites.
    static func clusteredPoints(count: Int, seed: UInt64) -> ([Double], [Double]) {
        var rng = SplitMix64(state: seed)
        let x0 = 300_000.0, y0 = 5_950_000.0, side = 200_000.0
        let towns = (0..<2000).map { k -> (Double, Double, Double, Double) in
            let w = 1 / Double(k + 1).squareRoot()
            return (x0 + rng.uniform() * side, y0 + rng.uniform() * side, 100 + 1400 * rng.uniform(), w)
        }
        var cum: [Double] = []
        var acc = 0.0
        for t in towns { acc += t.3; cum.append(acc) }
        func pickTown(_ u: Double) -> Int {
            var lo = 0, hi = cum.count - 1
            let target = u * acc
            while lo < hi { let mid = (lo + hi) / 2; if cum[mid] < target { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        let sites = (0..<10_000).map { _ -> (Double, Double, Double) in
            let t = towns[pickTown(rng.uniform())]
            return (t.0 + rng.normal() * t.2, t.1 + rng.normal() * t.2, 10 + 30 * rng.uniform())
        }
        var xs = [Double](repeating: 0, count: count), ys = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let u = rng.uniform()
            if u < 0.25 {
                xs[i] = x0 + rng.uniform() * side
                ys[i] = y0 + rng.uniform() * side
            } else if u < 0.70 {
                let t = towns[pickTown(rng.uniform())]
                xs[i] = t.0 + rng.normal() * t.2
                ys[i] = t.1 + rng.normal() * t.2
            } else {
                let s = sites[Int(rng.next() % UInt64(sites.count))]
                xs[i] = s.0 + rng.normal() * s.2
                ys[i] = s.1 + rng.normal() * s.2
            }
        }
        return (xs, ys)
    }

    /// Hexagon centres (pointy-top, spacing `cellSize`) over a roughly square patch, with skewed counts and a few
    /// hot districts.
    static func hexBins(count: Int, cellSize: Double, seed: UInt64) -> ([Double], [Double], [Double]) {
        var rng = SplitMix64(state: seed)
        let side = Int(Double(count).squareRoot().rounded(.up))
        var xs: [Double] = [], ys: [Double] = [], vs: [Double] = []
        xs.reserveCapacity(count); ys.reserveCapacity(count); vs.reserveCapacity(count)
        let hot = (0..<40).map { _ in (rng.uniform() * Double(side) * cellSize, rng.uniform() * Double(side) * cellSize * 0.87) }
        outer: for r in 0..<side {
            for q in 0..<side {
                if xs.count == count { break outer }
                let x = cellSize * (Double(q - r / 2) + Double(r) / 2), y = cellSize * 3.0.squareRoot() / 2 * Double(r)
                var lambda = 1.0
                for h in hot {
                    let d2 = (x - h.0) * (x - h.0) + (y - h.1) * (y - h.1)
                    lambda += 8 * exp(-d2 / (2 * 2000 * 2000))
                }
                // Poisson by inversion: fine for small means.
                var k = 0.0, p = exp(-lambda), s = p
                let u = rng.uniform()
                while u > s && k < 200 { k += 1; p *= lambda / k; s += p }
                xs.append(x); ys.append(y); vs.append(k)
            }
        }
        return (xs, ys, vs)
    }

    static func interleave(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double](); out.reserveCapacity(a.count * 2)
        for i in a.indices { out.append(a[i]); out.append(b[i]) }
        return out
    }

    static func interleave3(_ a: [Double], _ b: [Double], _ c: [Double]) -> [Double] {
        var out = [Double](); out.reserveCapacity(a.count * 3)
        for i in a.indices { out.append(a[i]); out.append(b[i]); out.append(c[i]) }
        return out
    }

    static func write<T>(_ values: [T], to path: String) throws {
        let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
