import Foundation
import Testing
@testable import OtklikHotspots

struct MannKendallTests {
    @Test func matchesPymannkendall() throws {
        let lines = try Fixture.text("mannkendall.csv").split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == 10)
        for line in lines {
            let f = line.split(separator: ";")
            let x = f[0].split(separator: " ").map { Double($0)! }
            let r = try #require(MannKendall.test(x))
            #expect(r.s == Double(f[1])!)
            #expect(abs(r.varS - Double(f[2])!) <= 1e-9 * max(1, abs(r.varS)))
            #expect(abs(r.z - Double(f[3])!) <= 1e-12)
            #expect(abs(r.p - Double(f[4])!) <= 1e-12, "p for \(x)")
            #expect(abs(r.tau - Double(f[5])!) <= 1e-12)
            #expect(abs(r.slope - Double(f[6])!) <= 1e-12)
            #expect(r.trend.rawValue == String(f[7]))
        }
    }

    @Test func constantOrTooShortSeriesHaveNoTest() {
        #expect(MannKendall.test([1]) == nil)
        #expect(MannKendall.test([3, 3, 3]) == nil)
    }
}

struct EmergingClassTests {
    func trend(_ t: MannKendallResult.Trend) -> MannKendallResult {
        MannKendallResult(s: 0, varS: 1, z: t == .increasing ? 3 : t == .decreasing ? -3 : 0, p: t == .none ? 0.5 : 0.001,
                          tau: 0, slope: 0, trend: t)
    }

    @Test func followsEsriDefinitions() {
        let none = trend(.none)
        #expect(EmergingHotspots.classify(bins: [0, 0, 0, 0, 3], trend: none) == .newHotSpot)
        #expect(EmergingHotspots.classify(bins: [0, 0, 0, 2, 3], trend: none) == .consecutiveHotSpot)
        #expect(EmergingHotspots.classify(bins: Array(repeating: 3, count: 10), trend: trend(.increasing)) == .intensifyingHotSpot)
        #expect(EmergingHotspots.classify(bins: [0] + Array(repeating: 2, count: 9), trend: none) == .persistentHotSpot)
        #expect(EmergingHotspots.classify(bins: Array(repeating: 3, count: 10), trend: trend(.decreasing)) == .diminishingHotSpot)
        #expect(EmergingHotspots.classify(bins: [2, 0, 3, 0, 2], trend: none) == .sporadicHotSpot)
        #expect(EmergingHotspots.classify(bins: [2, -2, 0, 0, 2], trend: none) == .oscillatingHotSpot)
        #expect(EmergingHotspots.classify(bins: Array(repeating: 3, count: 9) + [0], trend: none) == .historicalHotSpot)
        #expect(EmergingHotspots.classify(bins: [0, 0, 0, 0, -3], trend: none) == .newColdSpot)
        #expect(EmergingHotspots.classify(bins: Array(repeating: -3, count: 10), trend: trend(.decreasing)) == .intensifyingColdSpot)
        #expect(EmergingHotspots.classify(bins: [-2, 2, 0, -2], trend: none) == .oscillatingColdSpot)
        #expect(EmergingHotspots.classify(bins: [0, 1, 0, 1], trend: none) == .noPattern, "90 % bins are not significant at 95 %")
        #expect(EmergingHotspots.classify(bins: [0, 1, 0, 1], trend: none, level: 1) == .sporadicHotSpot)
        // A hot run after an earlier hot slice is not consecutive but sporadic.
        #expect(EmergingHotspots.classify(bins: [2, 0, 0, 2, 2], trend: none) == .sporadicHotSpot)
    }
}

struct EmpiricalBayesTests {
    @Test func matchesEsdaSmoothing() throws {
        let text = try Fixture.text("empirical_bayes.csv")
        var cases: [(e: [Double], n: [Double?], r: [Double])] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") { cases.append(([], [], [])); continue }
            let f = line.split(separator: ",")
            cases[cases.count - 1].e.append(Double(f[0])!)
            cases[cases.count - 1].n.append(Double(f[1])!)
            cases[cases.count - 1].r.append(Double(f[2])!)
        }
        #expect(cases.count == 2)
        for c in cases {
            let got = EmpiricalBayes.rates(events: c.e, population: c.n)
            for i in c.r.indices {
                let g = try #require(got[i])
                #expect(abs(g - c.r[i]) <= 1e-12 * max(1e-3, c.r[i]), "area \(i)")
            }
        }
        // The village of 12 people with 2 complaints: raw 0.167 per person, smoothed far below.
        let village = try #require(EmpiricalBayes.rates(events: cases[0].e, population: cases[0].n)[0])
        #expect(village < 2.0 / 12 / 10)
    }

    @Test func negativeVarianceEstimateShrinksToTheGlobalRate() {
        // Rates identical up to Poisson noise: s² = 0 < m / n̄, so every area gets m = 4 / 4000.
        let r = EmpiricalBayes.rates(events: [1, 1, 1, 1], population: [1000, 1000, 1000, 1000])
        #expect(r == [0.001, 0.001, 0.001, 0.001])
    }

    @Test func areasWithoutPopulationAreLeftOut() {
        let r = EmpiricalBayes.rates(events: [5, 3, 0], population: [nil, 0, 100])
        #expect(r[0] == nil && r[1] == nil && r[2] == 0)
        #expect(EmpiricalBayes.rates(events: [1], population: [nil]) == [nil])
    }
}
