import Foundation
import Testing
@testable import OtklikHotspots
import OtklikCore

/// Significance of the engine's clusters against the numpy reference (Benchmarks/peers/scan_reference.py) and
/// against behaviour.
struct SignificanceTests {
    struct Reference {
        var observed: Int, total: Int, background: Int
        var disc: Double, footprint: Double, expected: Double, ratio: Double, llr: Double
        var pConditional: Double, pMultinomial: Double
    }

    static func fixture() throws -> (points: [HotspotPoint], config: HotspotConfig, eps: [String: Double]) {
        let (header, rows) = try Fixture.rows("scan_points.csv")
        let params = Fixture.params(String(header.dropFirst()))
        var eps: [String: Double] = [:]
        for pair in params["eps"]!.split(separator: ",") {
            let kv = pair.split(separator: ":")
            eps[String(kv[0])] = Double(kv[1])!
        }
        let points = rows.filter { $0[0] != "id" }.map { r in
            let x = Double(r[1])!, y = Double(r[2])!
            return HotspotPoint(id: Int64(r[0])!, x: x, y: y,
                                location: GeoPoint(lon: 31 + (x - 500_000) * 1e-5, lat: 54 + (y - 6_000_000) * 1e-5),
                                category: String(r[3]), reportedAt: Scenario.t0, status: .new)
        }
        let config = HotspotConfig(minPoints: Int(params["min_points"]!)!, backgroundRadius: Double(params["radius"]!)!,
                                   backgroundMinimum: Int(params["minimum"]!)!)
        return (points, config, eps)
    }

    static func reference() throws -> [String: Reference] {
        let (_, rows) = try Fixture.rows("scan_expected.csv")
        var out: [String: Reference] = [:]
        for r in rows where r[0] != "id" {
            out["\(r[1]):\(r[0])"] = Reference(observed: Int(r[2])!, total: Int(r[3])!, background: Int(r[4])!,
                                               disc: Double(r[5])!, footprint: Double(r[6])!, expected: Double(r[7])!,
                                               ratio: Double(r[8])!, llr: Double(r[9])!, pConditional: Double(r[10])!,
                                               pMultinomial: Double(r[11])!)
        }
        return out
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    static func run(_ points: [HotspotPoint], config: HotspotConfig, replicas: Int = 999,
                    seed: UInt64 = 20_250_101, conditional: Bool = true) throws -> HotspotReport {
        var config = config
        config.replicas = replicas
        config.seed = seed
        config.conditionOnClusterSize = conditional
        return try HotspotAnalysis.run(points: points, taxonomy: Scenario.taxonomy, config: config, now: Scenario.day(1))
    }

    @Test func expectationsAndLikelihoodRatiosMatchTheNumpyReference() throws {
        let (points, config, eps) = try Self.fixture()
        for (code, e) in eps { #expect(Scenario.taxonomy[code]?.radiusMeters == e, "fixture eps of \(code)") }
        let reference = try Self.reference()
        let report = try Self.run(points, config: config)
        #expect(report.hotspots.count == reference.count)
        for h in report.hotspots {
            let ref = try #require(reference[h.id], "\(h.id) is not a reference cluster")
            let s = h.significance
            #expect(s.observed == ref.observed && h.count == ref.observed, "\(h.id)")
            #expect(report.categories.first { $0.category == h.category }?.incidents == ref.total)
            #expect(s.background == ref.background, "\(h.id): background \(s.background) vs \(ref.background)")
            #expect(s.backgroundRadius == ref.disc, "\(h.id): disc \(s.backgroundRadius) vs \(ref.disc)")
            #expect(Self.close(s.footprintArea, ref.footprint), "\(h.id): footprint \(s.footprintArea) vs \(ref.footprint)")
            #expect(Self.close(s.expected, ref.expected), "\(h.id): E \(s.expected) vs \(ref.expected)")
            #expect(Self.close(s.ratio, ref.ratio), "\(h.id): O/E \(s.ratio) vs \(ref.ratio)")
            #expect(Self.close(s.logLikelihoodRatio, ref.llr), "\(h.id): LLR \(s.logLikelihoodRatio) vs \(ref.llr)")
        }
    }

    /// Each Monte Carlo p-value is a binomial proportion around the reference's (numpy, 200,000 replicas): they
    /// agree within 4.5 standard errors of both plus the 1/(R+1) offset. Both replica schemes: counts conditioned
    /// on minPts (the default) and the plain multinomial.
    @Test(arguments: [true, false])
    func monteCarloPValuesAgreeWithTheReferenceWithinMonteCarloError(_ conditional: Bool) throws {
        let (points, config, _) = try Self.fixture()
        let reference = try Self.reference()
        let replicas = 9_999
        let report = try Self.run(points, config: config, replicas: replicas, conditional: conditional)
        var compared = 0, moderate = 0
        for h in report.hotspots {
            let ref = try #require(reference[h.id])
            let p = conditional ? ref.pConditional : ref.pMultinomial
            let sd = (max(p * (1 - p), 1 / Double(replicas)) / Double(replicas)).squareRoot()
                + (max(p * (1 - p), 1 / 200_000) / 200_000).squareRoot()
            let band = 4.5 * sd + 1 / Double(replicas + 1)
            #expect(abs(h.significance.monteCarloP - p) <= band,
                    "\(h.id): p \(h.significance.monteCarloP) vs reference \(p) (band \(band))")
            compared += 1
            if (0.0001...0.5).contains(p) { moderate += 1 }
        }
        #expect(compared > 40)
        #expect(moderate >= 1, "some p-values away from 0 and 1")
    }

    @Test(arguments: [true, false])
    func pValuesAreIdenticalAcrossRunsWithOneSeed(_ conditional: Bool) throws {
        let (points, config, _) = try Self.fixture()
        let a = try Self.run(points, config: config, conditional: conditional)
        let b = try Self.run(points.reversed(), config: config, conditional: conditional)
        #expect(a == b)
        // Another seed draws other replicas: the Gumbel fits move, and so do the p-values away from 0 and 1.
        let other = try Self.run(points, config: config, seed: 7, conditional: conditional)
        let pa = Dictionary(uniqueKeysWithValues: a.hotspots.map { ($0.id, $0.significance.p) })
        #expect(other.hotspots.contains { pa[$0.id] != $0.significance.p }, "another seed, other replicas")
    }

    @Test func plantedPlacesAreSignificantAndChanceClustersOfTheTownAreNot() throws {
        let (points, config, _) = try Self.fixture()
        let report = try Self.run(points, config: config)
        let significant = Set(report.hotspots.filter(\.significant).map(\.id))
        // The container site, the potholes and the line of street lights in the countryside, and the busy container
        // site in the town.
        #expect(significant == ["waste.container_site:74", "road.pothole:112", "lighting.street:401",
                                "waste.container_site:28"])
        // Below the Monte Carlo floor the Gumbel tail stands in.
        let tight = try #require(report.hotspots.first { $0.id == "waste.container_site:74" })
        #expect(tight.significance.monteCarloP == 1.0 / 1000 && tight.significance.p < 1.0 / 1000)
        // Significant ones are ranked first.
        #expect(report.hotspots.prefix(4).allSatisfy { $0.significant })
        let line = try #require(report.hotspots.first { $0.id == "lighting.street:401" })
        #expect(line.count == 5 && abs(line.significance.footprintArea - (2 * 80 * 100 + Double.pi * 100 * 100)) < 1e-6)
    }

    /// A 3 × 3 km town with every category spread evenly, dense enough that DBSCAN joins most of its container-site
    /// complaints into one large cluster and finds hundreds of small chance ones; and a tight burst of six in the
    /// empty countryside 20 km away.
    static func townAndVillage(seed: UInt64) -> Scenario {
        var s = Scenario()
        var rng = Xoshiro256(seed: seed)
        let codes = ["waste.container_site", "road.pothole", "lighting.street"]
        for _ in 0..<6_450 {
            s.add(rng.uniform() * 3_000, rng.uniform() * 3_000, category: codes[Int(rng.next() % 3)],
                  day: rng.uniform() * 300)
        }
        for _ in 0..<150 {
            s.add(20_000 + rng.uniform() * 10_000, rng.uniform() * 10_000, category: codes[Int(rng.next() % 3)],
                  day: rng.uniform() * 300)
        }
        for k in 0..<6 { s.add(25_000 + Double(k % 3) * 6, 5_000 + Double(k / 3) * 6, day: 100 + Double(k)) }
        return s
    }

    static let townSeeds: [UInt64] = [1, 2, 3]

    @Test func denseClustersInADenseTownOfTheSameRateAreNotSignificant() throws {
        var townClusters = 0, significantInTown = 0
        for seed in Self.townSeeds {
            let report = try HotspotAnalysis.run(points: Self.townAndVillage(seed: seed).points,
                                                 taxonomy: Scenario.taxonomy, now: Scenario.day(300))
            let town = report.hotspots.filter { $0.centroidX < 10_000 }
            townClusters += town.count
            significantInTown += town.filter(\.significant).count
            // The dense cluster: the biggest of the town, by far the biggest of the run, holds what the town predicts.
            let dense = try #require(town.max { $0.count < $1.count })
            #expect(dense.count >= 1_000 && !dense.significant, "seed \(seed)")
            #expect((0.5...2).contains(dense.significance.ratio), "seed \(seed): O/E \(dense.significance.ratio)")
        }
        #expect(townClusters >= 1_000)
        // The strongest chance clusters of a large dense area can pass (the windows are where the data are
        // densest, see ScanStatistic); in these towns none does.
        #expect(significantInTown == 0)
    }

    @Test func tightClusterInASparseBackgroundIsSignificant() throws {
        for seed in Self.townSeeds {
            let report = try HotspotAnalysis.run(points: Self.townAndVillage(seed: seed).points,
                                                 taxonomy: Scenario.taxonomy, now: Scenario.day(300))
            let village = try #require(report.hotspots.first { $0.centroidX > 20_000 && $0.count >= 6 })
            #expect(village.significant && village.significance.ratio > 50, "seed \(seed)")
            // Six complaints outrank a cluster of two thousand: size alone no longer ranks.
            #expect(report.hotspots.first?.id == village.id, "seed \(seed)")
        }
    }

    @Test func oneCategoryRunIsItsOwnBackground() throws {
        // Filtered to one category, a tight burst in a sparse field still stands out against that category.
        let points = Self.townAndVillage(seed: 1).points.filter { $0.category == "waste.container_site" }
        let report = try HotspotAnalysis.run(points: points, taxonomy: Scenario.taxonomy, now: Scenario.day(300))
        let village = try #require(report.hotspots.first { $0.centroidX > 20_000 && $0.count >= 6 })
        #expect(village.significant && report.hotspots.first?.id == village.id)
        #expect(village.significance.background >= 6, "the cluster counts in its own background")
    }
}
