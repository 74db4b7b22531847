import Foundation
import OtklikCore
@testable import OtklikHotspots
import Testing

/// The burst test (`BurstStatistic`) against an independent numpy reference (Benchmarks/peers/burst_reference.py
/// on Fixtures/burst_points.csv; the commands are in Fixtures/make_burst_fixture.py and the expected file's header).
@Suite struct BurstStatisticTests {
    struct Reference {
        var zone: Int, observed: Int, share: Double, expected: Double, llr: Double, p: Double
    }

    static func fixture() throws -> (points: [HotspotPoint], config: HotspotConfig) {
        let (header, rows) = try Fixture.rows("burst_points.csv")
        let params = Fixture.params(String(header.dropFirst()))
        let points = rows.filter { $0[0] != "id" }.map { r in
            let x = Double(r[1])!, y = Double(r[2])!
            return HotspotPoint(id: Int64(r[0])!, x: x, y: y,
                                location: GeoPoint(lon: 31 + (x - 500_000) * 1e-5, lat: 54 + (y - 6_000_000) * 1e-5),
                                category: String(r[4]), reportedAt: Scenario.day(Double(r[3])!), status: .new)
        }
        let config = HotspotConfig(minPoints: Int(params["min_points"]!)!, quietGapDays: Double(params["quiet_gap"]!)!,
                                   minEpisode: Int(params["min_episode"]!)!)
        return (points, config)
    }

    static func reference() throws -> [String: Reference] {
        let (_, rows) = try Fixture.rows("burst_expected.csv")
        var out: [String: Reference] = [:]
        for r in rows where r[0] != "id" {
            out["\(r[1]):\(r[0])"] = Reference(zone: Int(r[2])!, observed: Int(r[3])!, share: Double(r[4])!,
                                               expected: Double(r[5])!, llr: Double(r[6])!, p: Double(r[7])!)
        }
        return out
    }

    static func run(_ points: [HotspotPoint], config: HotspotConfig, replicas: Int = 999) throws -> HotspotReport {
        var config = config
        config.replicas = replicas
        return try HotspotAnalysis.run(points: points, taxonomy: Scenario.taxonomy, config: config, now: Scenario.day(731))
    }

    @Test func windowsExpectationsAndLikelihoodRatiosMatchTheNumpyReference() throws {
        let (points, config) = try Self.fixture()
        let reference = try Self.reference()
        let report = try Self.run(points, config: config)
        let tested = report.hotspots.filter { $0.significance.burst != nil }
        #expect(Set(tested.map(\.id)) == Set(reference.keys))
        for h in tested {
            let ref = try #require(reference[h.id])
            let b = try #require(h.significance.burst)
            #expect(h.count == ref.zone && b.observed == ref.observed, "\(h.id)")
            #expect(SignificanceTests.close(b.expected, ref.expected), "\(h.id): E \(b.expected) vs \(ref.expected)")
            #expect(SignificanceTests.close(b.expected / Double(h.count), ref.share), "\(h.id): share")
            #expect(SignificanceTests.close(b.logLikelihoodRatio, ref.llr), "\(h.id): LLR \(b.logLikelihoodRatio) vs \(ref.llr)")
        }
    }

    /// Each Monte Carlo p-value is a binomial proportion around the reference's (200,000 replicas): within 4.5
    /// standard errors of both plus the 1/(R+1) offset.
    @Test func monteCarloPValuesAgreeWithTheReferenceWithinMonteCarloError() throws {
        let (points, config) = try Self.fixture()
        let reference = try Self.reference()
        let replicas = 9_999
        let report = try Self.run(points, config: config, replicas: replicas)
        var moderate = 0
        for h in report.hotspots {
            guard let b = h.significance.burst else { continue }
            let p = try #require(reference[h.id]).p
            let sd = (max(p * (1 - p), 1 / Double(replicas)) / Double(replicas)).squareRoot()
                + (max(p * (1 - p), 1 / 200_000) / 200_000).squareRoot()
            #expect(abs(b.monteCarloP - p) <= 4.5 * sd + 1 / Double(replicas + 1),
                    "\(h.id): p \(b.monteCarloP) vs reference \(p)")
            if (0.001...0.5).contains(p) { moderate += 1 }
        }
        #expect(moderate >= 3, "some p-values away from 0 and 1")
    }

    /// The burst in the town is significant through the burst test alone; the place with a complaint every two
    /// months is not a burst; the combined p is the smaller test's p doubled.
    @Test func aBurstThePlaceTestCannotSeeIsSignificant() throws {
        let (points, config) = try Self.fixture()
        let report = try Self.run(points, config: config)
        let burst = try #require(report.hotspots.first { $0.id == "lighting.street:54" })
        let s = burst.significance
        #expect(s.significant && burst.count == 26 && s.burst?.observed == 9, "\(burst.count) \(s)")
        #expect(s.placeP > 0.05, "the place test alone does not find it: \(s.placeP)")
        #expect(s.p == min(1, 2 * min(s.placeP, s.burst!.p)))
        // Its strength in the score is the burst's LLR, the larger of the two.
        #expect(s.burst!.logLikelihoodRatio > s.logLikelihoodRatio)
        #expect(burst.components == ScoreWeights().components(
            logLikelihoodRatio: s.burst!.logLikelihoodRatio, count: burst.count, open: burst.openCount,
            overdue: burst.overdueCount, lastReport: burst.lastReport, now: Scenario.day(731),
            episodes: burst.episodes.count, failedFixes: burst.failedFixes.count, severity: 3))
        // A cluster whose window holds every complaint of its category has no burst test, and its p is the place's.
        let same = (0..<5).map { k in
            HotspotPoint(id: Int64(k + 1), x: Double(k) * 5, y: 0, location: GeoPoint(lon: 31, lat: 54), category: "road.pothole",
                         reportedAt: Scenario.day(Double(k)), status: .new)
        }
        let alone = try Self.run(same, config: config)
        #expect(alone.hotspots.count == 1 && alone.hotspots[0].significance.burst == nil)
        #expect(alone.hotspots[0].significance.p == alone.hotspots[0].significance.placeP)
    }

    @Test func conditionalDrawsFollowTheBinomialAboveTheMinimum() {
        // Binomial(10, 0.2) given >= 2: P(2 | >= 2) = C(10,2) .2^2 .8^8 / (1 - .8^10 - 10 .2 .8^9).
        let w = BurstStatistic.WindowDraw(zone: 10, share: 0.2, total: 100, minimum: 2)
        let f2 = 45 * 0.04 * pow(0.8, 8), tail = 1 - pow(0.8, 10) - 10 * 0.2 * pow(0.8, 9)
        #expect(abs(w.stayAtMinimum - f2 / tail) < 1e-12)
        #expect(w.excess(2) == 0)
        #expect(abs(w.excess(5) - (ScanStatistic.logLikelihoodRatio(observed: 5, expected: 2, total: 100)
            - ScanStatistic.logLikelihoodRatio(observed: 2, expected: 2, total: 100))) < 1e-12)
        // Every complaint in the window: the count is the zone, and the statistic 0.
        let whole = BurstStatistic.WindowDraw(zone: 4, share: 1, total: 4, minimum: 2)
        #expect(whole.stayAtMinimum == 0 && whole.statistic(for: 0.5) == 0)
    }
}
