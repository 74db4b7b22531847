import Foundation
import OtklikTestSupport
import Testing
@testable import OtklikInspection

struct TSPLIBTests {
    @Test func readsHeaderAndCoordinates() throws {
        let text = """
        NAME : tiny5
        COMMENT : five points
        TYPE : TSP
        DIMENSION : 5
        EDGE_WEIGHT_TYPE : EUC_2D
        NODE_COORD_SECTION
        1 0 0
        2 3 4
        3 6 0
        4 3 -4
        5 3.5 0.25
        EOF
        """
        let instance = try TSPLIB.parseInstance(text)
        #expect(instance.name == "tiny5")
        #expect(instance.metric == .euc2D)
        #expect(instance.count == 5)
        #expect(instance.x[1] == 3 && instance.y[1] == 4)
        #expect(instance.tourLength([0, 1, 2, 3]) == 20)
    }

    @Test func rejectsMissingMetricAndUnknownSections() {
        #expect(throws: InspectionError.tsplib(line: 0, reason: "EDGE_WEIGHT_TYPE is missing")) {
            try TSPLIB.parseInstance("NAME : x\nTYPE : TSP\nDIMENSION : 1\nNODE_COORD_SECTION\n1 0 0\nEOF\n")
        }
        #expect(throws: InspectionError.self) {
            try TSPLIB.parseInstance("DIMENSION : 2\nEDGE_WEIGHT_TYPE : EXPLICIT\n")
        }
        #expect(throws: InspectionError.tsplib(line: 0, reason: "node 2 has no coordinates")) {
            try TSPLIB.parseInstance("DIMENSION : 2\nEDGE_WEIGHT_TYPE : ATT\nNODE_COORD_SECTION\n1 0 0\nEOF\n")
        }
        #expect(throws: InspectionError.tsplib(line: 0, reason: "tour visits a node twice")) {
            try TSPLIB.parseTour("TOUR_SECTION\n1\n2\n1\n-1\n")
        }
    }

    /// The TSPLIB95 examples of the rounding rules: nint for EUC_2D, ceiling for CEIL_2D, ATT's round-up.
    @Test func roundsLikeTSPLIB() {
        #expect(TSPLIBMetric.euc2D.distance(0, 0, 1, 1) == 1)          // √2 = 1.414 → 1
        #expect(TSPLIBMetric.euc2D.distance(0, 0, 1.5, 1) == 2)        // 1.803 → 2
        #expect(TSPLIBMetric.ceil2D.distance(0, 0, 1, 1) == 2)
        #expect(TSPLIBMetric.ceil2D.distance(0, 0, 3, 4) == 5)
        #expect(TSPLIBMetric.att.distance(0, 0, 10, 0) == 4)           // √10 = 3.16 → nint 3 < r → 4
        #expect(TSPLIBMetric.att.distance(0, 0, 0, 0) == 0)
    }

    /// Every optimal tour in shared/data/tsplib/tours, evaluated with our distance functions, must give exactly
    /// the optimum listed in optimal_lengths.csv (covers EUC_2D, ATT and GEO).
    @Test(.requiresSharedData(SharedData.optimaFile))
    func optimalToursHaveExactlyTheOptimalLength() throws {
        let optima = try SharedData.optima()
        let tours = try FileManager.default.contentsOfDirectory(atPath: SharedData.tsplib.appendingPathComponent("tours").path)
            .filter { $0.hasSuffix(".opt.tour") }.sorted()
        #expect(tours.count >= 7)
        var metrics = Set<TSPLIBMetric>()
        for file in tours {
            let name = String(file.dropLast(".opt.tour".count))
            let instance = try TSPLIB.parseInstance(try SharedData.text("tsplib/\(name).tsp"))
            let tour = try TSPLIB.parseTour(try SharedData.text("tsplib/tours/\(file)"))
            #expect(tour.count == instance.count, "\(name)")
            #expect(instance.tourLength(tour) == optima[name], "\(name)")
            metrics.insert(instance.metric)
        }
        #expect(metrics.isSuperset(of: [.euc2D, .att, .geo]))
    }

    /// A few small instances through the solver with their own metric: the gap to the known optimum stays small.
    @Test(.requiresSharedData(SharedData.optimaFile))
    func solverStaysCloseToTheOptimumOnSmallInstances() throws {
        let optima = try SharedData.optima()
        var gaps: [Double] = []
        for name in ["burma14", "ulysses22", "att48", "berlin52", "eil76", "gr96", "kroA100", "ch130"] {
            let instance = try TSPLIB.parseInstance(try SharedData.text("tsplib/\(name).tsp"))
            let coordinates = instance.x.indices.map { (x: instance.x[$0], y: instance.y[$0]) }
            let tour = TourSolver.solve(instance.distanceMatrix(), coordinates: coordinates)
            #expect(Set(tour) == Set(0..<instance.count), "\(name) is a permutation")
            let optimum = try #require(optima[name])
            let gap = (instance.tourLength(tour) - optimum) / optimum * 100
            #expect(gap >= 0, "\(name) cannot beat the optimum")
            #expect(gap <= 2, "\(name) gap \(gap) %")
            gaps.append(gap)
        }
        #expect(gaps.reduce(0, +) / Double(gaps.count) <= 1)
    }

    @Test(.requiresSharedData(SharedData.optimaFile))
    func linhp318FixedEdgeStaysInTheTour() throws {
        let instance = try TSPLIB.parseInstance(try SharedData.text("tsplib/linhp318.tsp"))
        #expect(instance.fixedEdges == [[0, 213]])
        let tour = TourSolver.solve(instance.distanceMatrix(), options: SolverOptions(kicksPerPoint: 2, minimumKicks: 0))
        let p = tour.firstIndex(of: 0)!
        let neighbours = [tour[(p + 1) % tour.count], tour[(p + tour.count - 1) % tour.count]]
        #expect(neighbours.contains(213))
    }

    @Test func sameSeedGivesTheSameTourAndOtherSeedsStayValid() {
        var rng = SeededGenerator(seed: 7)
        let xs = (0..<150).map { _ in Double(rng.below(10_000)) }
        let ys = (0..<150).map { _ in Double(rng.below(10_000)) }
        let instance = TSPLIBInstance(name: "random150", metric: .euc2D, x: xs, y: ys)
        let m = instance.distanceMatrix()
        let a = TourSolver.solve(m, options: SolverOptions(seed: 1))
        let b = TourSolver.solve(m, options: SolverOptions(seed: 1))
        let c = TourSolver.solve(m, options: SolverOptions(seed: 2))
        #expect(a == b)
        #expect(Set(c) == Set(0..<150))
    }

    /// Brute force over all orders is the independent reference for tiny inputs.
    @Test func smallRandomInstancesReachTheBruteForceOptimum() {
        var rng = SeededGenerator(seed: 99)
        for trial in 0..<5 {
            let n = 9
            let xs = (0..<n).map { _ in Double(rng.below(1_000)) }
            let ys = (0..<n).map { _ in Double(rng.below(1_000)) }
            let instance = TSPLIBInstance(name: "t\(trial)", metric: .euc2D, x: xs, y: ys)
            let m = instance.distanceMatrix()
            let exact = TourSolver.bruteForce(m)
            let tour = TourSolver.solve(m)
            #expect(instance.tourLength(tour) == instance.tourLength(exact), "trial \(trial)")
        }
    }
}
