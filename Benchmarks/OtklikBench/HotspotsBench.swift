import Foundation
import OtklikCore
import OtklikDemo
import OtklikGeo
import OtklikHotspots

/// `otklik-bench hotspots [--points N] [--peer-points M] [--eps E] [--min-points K] [--bins B] [--runs R]
/// [--write-dir DIR]`
///
/// DBSCAN on N synthetic clustered points in a 200 × 200 km region (coordinates in memory to labels), and on the
/// first M of them for the ratio against scikit-learn; Gi* on B hexagon bins (neighbour search included).
/// With --write-dir the points, the subset's labels, the bins and their z-scores are written as little-endian
/// float64/int64 files so that Benchmarks/peers/hotspots_*.py run on identical data and check agreement.
///
/// `otklik-bench hotspots --demo N [--replicas R] [--runs R] [--data DIR] [--list]` instead runs the whole engine
/// (`HotspotAnalysis.run`) on N demo complaints (OtklikDemo, seed 42, projected to UTM as the service does), times
/// the significance step (`Significance.assess`) on its clusters alone, and reports how the planted hotspots and
/// the rest came out; --list prints the first 30 hotspots with O/E, LLR, p and q.
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
        if let k = args.firstIndex(of: "--demo") { return try demo(args, count: Int(args[k + 1]) ?? 300_000) }
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

    /// The engine end to end on the demo history, and the significance step alone.
    static func demo(_ args: [String], count: Int) throws {
        func value(_ name: String) -> String? { args.firstIndex(of: name).map { args[$0 + 1] } }
        let dataDir = value("--data") ?? "data"
        let runs = max(1, Int(value("--runs") ?? "3") ?? 3)
        var config = HotspotConfig()
        if let r = value("--replicas").flatMap(Int.init) { config.replicas = r }
        let taxonomy = try Taxonomy.decode(Data(contentsOf: URL(fileURLWithPath: dataDir + "/categories.json")))
        let d = try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: dataDir + "/districts.geojson")), level: .district)
        let s = try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: dataDir + "/settlements.geojson")), level: .settlement)
        let end = Date(timeIntervalSince1970: 1_793_491_200)
        let out = try DemoGenerator(seed: 42, count: count, end: end, taxonomy: taxonomy, settlements: s,
                                    locator: AreaLocator(districts: d, settlements: s, metric: Geodesic.wgs84Metric)).generate()
        var lon0 = Double.infinity, lat0 = Double.infinity, lon1 = -Double.infinity, lat1 = -Double.infinity
        for i in out.incidents {
            lon0 = min(lon0, i.location.lon); lon1 = max(lon1, i.location.lon)
            lat0 = min(lat0, i.location.lat); lat1 = max(lat1, i.location.lat)
        }
        let projection = try MetricProjection(region: BBox(minLon: lon0, minLat: lat0, maxLon: lon1, maxLat: lat1))
        let xy = projection.project(out.incidents.map(\.location))
        // Ids as the store assigns them: in insertion order, which is the generator's (report time) order.
        let points = out.incidents.enumerated().map { k, inc in
            var i = inc
            i.id = Int64(k + 1)
            return HotspotPoint(incident: i, x: xy.xs[k], y: xy.ys[k])
        }
        var report: HotspotReport?
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<runs {
            let t = ContinuousClock.now, c = cpuSeconds()
            report = try HotspotAnalysis.run(points: points, taxonomy: taxonomy, config: config, now: end)
            wall.append(seconds(ContinuousClock.now - t))
            cpu.append(cpuSeconds() - c)
        }
        let r = report!
        let totals = Dictionary(uniqueKeysWithValues: r.categories.map { ($0.category, $0.incidents) })
        let inputs = r.hotspots.map { h in
            Significance.Input(category: h.category, observed: h.count, categoryTotal: totals[h.category]!,
                               centroidX: h.centroidX, centroidY: h.centroidY,
                               footprintArea: h.significance.footprintArea)
        }
        var sigWall: [Double] = [], sigCPU: [Double] = []
        for _ in 0..<runs {
            let t = ContinuousClock.now, c = cpuSeconds()
            _ = Significance.assess(inputs, points: points, config: config)
            sigWall.append(seconds(ContinuousClock.now - t))
            sigCPU.append(cpuSeconds() - c)
        }
        // Planted places: the hotspot of their category nearest to the planted centre (as the recall test does).
        var plantedIDs = Set<String>()
        var plantedSignificant = 0, plantedRanks: [Int] = []
        for p in out.truth.hotspots {
            let c = projection.project(GeoPoint(lon: p.lon, lat: p.lat))
            let radius = taxonomy[p.category]!.radiusMeters
            let match = r.hotspots.enumerated().first { _, h in
                h.category == p.category && hypot(h.centroidX - c.x, h.centroidY - c.y) < 3 * radius + 100
            }
            guard let (rank, h) = match else { continue }
            plantedIDs.insert(h.id)
            plantedRanks.append(rank + 1)
            if h.significant { plantedSignificant += 1 }
        }
        if args.contains("--list") {
            for (k, h) in r.hotspots.prefix(30).enumerated() {
                let g = h.significance
                print("\(k + 1) \(h.id) \(plantedIDs.contains(h.id) ? "planted" : "-") n=\(h.count) O/E=\(fmt(g.ratio)) "
                      + "E=\(fmt(g.expected)) B=\(g.background)@\(Int(g.backgroundRadius)) LLR=\(fmt(g.logLikelihoodRatio)) "
                      + "p=\(g.p) q=\(g.q) score=\(fmt(h.score)) episodes=\(h.episodes.count) failed=\(h.failedFixes.count)")
            }
        }
        let significant = r.hotspots.filter(\.significant).count
        let otherSignificant = r.hotspots.filter { $0.significant && !plantedIDs.contains($0.id) }
        print("Hotspot engine on \(points.count) demo complaints, \(config.replicas) replicas: best \(fmt(wall.min()!)) s wall, "
              + "\(fmt(cpu.min()!)) s CPU; \(r.hotspots.count) clusters, \(significant) significant, "
              + "\(r.hotspots.filter(\.recurring).count) recurring")
        print("Significance step alone (disc counts, expectations, replicas, FDR): best \(fmt(sigWall.min()!)) s wall, "
              + "\(fmt(sigCPU.min()!)) s CPU")
        print("Planted: \(plantedIDs.count)/\(out.truth.hotspots.count) found, \(plantedSignificant) significant, ranks "
              + "\(plantedRanks.sorted()); other significant clusters: \(otherSignificant.count) "
              + "(largest O/E \(fmt(otherSignificant.map(\.significance.ratio).max() ?? 0)))")
        let json: [String: Any] = [
            "suite": "hotspots-demo", "points": points.count, "replicas": config.replicas, "clusters": r.hotspots.count,
            "significant": significant, "analysis_seconds": wall.min()!, "analysis_cpu_seconds": cpu.min()!,
            "significance_seconds": sigWall.min()!, "significance_cpu_seconds": sigCPU.min()!,
            "planted": out.truth.hotspots.count, "planted_found": plantedIDs.count,
            "planted_significant": plantedSignificant, "other_significant": otherSignificant.count, "runs": runs,
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
