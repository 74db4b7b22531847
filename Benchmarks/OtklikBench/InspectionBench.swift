// `otklik-bench inspection [--tsplib DIR] [--max-nodes N] [--only a,b] [--json FILE] [--cap-ms MS]`
// TSPLIB gaps of the route solver on every coordinate instance up to --max-nodes (default 1,000), each with its
// own distance function, then the time to plan 200 and 1,000 geodesic stops in Smolensk Oblast.
import Foundation
import OtklikCore
import OtklikInspection

enum InspectionBench {
    struct Row: Codable {
        var name: String
        var n: Int
        var metric: String
        var optimum: Double
        var length: Double
        var gapPercent: Double
        var milliseconds: Double
        /// CPU time of this thread: the machine is shared, so wall time alone overstates the cost under load.
        var cpuMilliseconds: Double
    }

    struct PlannerTiming: Codable {
        var label: String
        var candidates: Int
        var stops: Int
        var kilometres: Double
        var milliseconds: Double
        var cpuMilliseconds: Double
    }

    struct Report: Codable {
        var tsplib: [Row]
        var planner: [PlannerTiming]
    }

    /// Random candidates in Smolensk Oblast's box (seeded), planned from Smolensk with geodesic distances: the
    /// figure includes the distance table, i.e. n(n−1)/2 ellipsoidal inverses.
    static func plannerTimings(options: SolverOptions, clock: ContinuousClock) throws -> [PlannerTiming] {
        var timings: [PlannerTiming] = []
        let start = GeoPoint(lon: 32.04, lat: 54.78)
        let departure = Date(timeIntervalSince1970: 1_780_290_000)
        let cases: [(String, Int, RouteFinish, Int?)] = [
            ("200 stops, round trip", 200, .roundTrip, nil),
            ("1,000 stops, round trip", 1_000, .roundTrip, nil),
            ("1,000 stops, open end", 1_000, .openEnd, nil),
            ("1,000 candidates, best 25 (prize-collecting)", 1_000, .roundTrip, 25),
        ]
        for (label, n, finish, maxStops) in cases {
            var rng = PointGenerator(seed: UInt64(n))
            let stops = (0..<n).map { k in
                RouteStop(id: "s\(k)", name: "Объект \(k)",
                          location: GeoPoint(lon: 30.8 + rng.unit() * 4.6, lat: 53.4 + rng.unit() * 2.7),
                          priority: 1 + rng.unit() * 9, overdueCount: Int(rng.unit() * 3))
            }
            let request = RouteRequest(start: start, finish: finish, maxStops: maxStops, departure: departure,
                                       solver: options)
            let t0 = clock.now
            let c0 = cpuMilliseconds()
            let route = try RoutePlanner.plan(stops, request: request)
            let cpu = cpuMilliseconds() - c0
            let e = clock.now - t0
            let ms = Double(e.components.seconds) * 1000 + Double(e.components.attoseconds) / 1e15
            timings.append(PlannerTiming(label: label, candidates: n, stops: route.stops.count,
                                         kilometres: route.totalMeters / 1000, milliseconds: ms, cpuMilliseconds: cpu))
        }
        print("")
        print("| planner case (geodesic, Smolensk Oblast) | candidates | stops | km (geodesic) | wall ms | cpu ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for t in timings {
            print("| \(t.label) | \(t.candidates) | \(t.stops) | " + String(format: "%.1f", t.kilometres) + " | "
                + String(format: "%.1f", t.milliseconds) + " | " + String(format: "%.1f", t.cpuMilliseconds) + " |")
        }
        return timings
    }

    /// SplitMix64: reproducible random points for the timing runs.
    struct PointGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func unit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
    }

    static func cpuMilliseconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
    }

    static func run(_ args: [String]) async throws {
        func value(_ flag: String) -> String? {
            args.firstIndex(of: flag).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
        }
        let dir = value("--tsplib") ?? "../shared/data/tsplib"
        let maxNodes = value("--max-nodes").flatMap(Int.init) ?? 1_000
        let only = value("--only").map { Set($0.split(separator: ",").map(String.init)) }
        var options = SolverOptions()
        if let cap = value("--cap-ms").flatMap(Double.init) { options.wallClockLimit = .milliseconds(cap) }
        if let k = value("--kicks-per-point").flatMap(Double.init) { options.kicksPerPoint = k }
        let noQuadrants = args.contains("--no-quadrants")
        let clock = ContinuousClock()

        var rows: [Row] = []
        let csv = try String(contentsOfFile: dir + "/optimal_lengths.csv", encoding: .utf8)
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, let n = Int(f[1]), let optimum = Double(f[3]), n <= maxNodes else { continue }
            if let only, !only.contains(f[0]) { continue }
            let path = dir + "/" + f[0] + ".tsp"
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let instance = try TSPLIB.parseInstance(text)
            let started = clock.now
            let cpuStarted = cpuMilliseconds()
            let matrix = instance.distanceMatrix()
            let coordinates = noQuadrants ? nil : instance.x.indices.map { (x: instance.x[$0], y: instance.y[$0]) }
            let tour = TourSolver.solve(matrix, coordinates: coordinates, options: options)
            let elapsed = clock.now - started
            let cpu = cpuMilliseconds() - cpuStarted
            let length = instance.objectiveLength(tour)
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            rows.append(Row(name: f[0], n: n, metric: instance.metric.rawValue, optimum: optimum, length: length,
                            gapPercent: (length - optimum) / optimum * 100, milliseconds: ms,
                            cpuMilliseconds: cpu))
        }
        print("| instance | n | metric | optimum | ours | gap % | wall ms | cpu ms |")
        print("|---|---:|---|---:|---:|---:|---:|---:|")
        for r in rows {
            print("| \(r.name) | \(r.n) | \(r.metric) | \(Int(r.optimum)) | \(Int(r.length)) | "
                + String(format: "%.2f", r.gapPercent) + " | " + String(format: "%.1f", r.milliseconds) + " | "
                + String(format: "%.1f", r.cpuMilliseconds) + " |")
        }
        if !rows.isEmpty {
            let avg = rows.map(\.gapPercent).reduce(0, +) / Double(rows.count)
            let worst = rows.max { $0.gapPercent < $1.gapPercent }!
            let slowest = rows.max { $0.milliseconds < $1.milliseconds }!
            let slowestCPU = rows.max { $0.cpuMilliseconds < $1.cpuMilliseconds }!
            print("")
            print(String(format: "TSPLIB: %d instances, average gap %.3f %%, worst %.2f %% (%@), slowest wall %.0f ms (%@), "
                         + "slowest cpu %.0f ms (%@)", rows.count, avg, worst.gapPercent, worst.name,
                         slowest.milliseconds, slowest.name, slowestCPU.cpuMilliseconds, slowestCPU.name))
        }
        let planner = try plannerTimings(options: options, clock: clock)
        if let jsonPath = value("--json") {
            let data = try JSONEncoder().encode(Report(tsplib: rows, planner: planner))
            try data.write(to: URL(fileURLWithPath: jsonPath))
        }
    }
}
