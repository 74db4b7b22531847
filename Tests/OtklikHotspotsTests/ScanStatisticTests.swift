import Foundation
import Testing
@testable import OtklikHotspots

/// The pieces of the scan statistic: the LLR, footprints, disc counts, q-values and the samplers behind the
/// Monte Carlo p-values.
struct ScanStatisticTests {
    @Test func oneClusterMatchesTheExactBinomialTail() {
        // One cluster: the largest LLR of a replica is its own, which grows with the count above E, so the p-value
        // is P(Bin(N, E/N) >= O).
        let n = 50, e = 2.0, o = 6
        let llr = ScanStatistic.logLikelihoodRatio(observed: o, expected: e, total: n)
        let replicas = 99_999
        let r = ScanStatistic.monteCarlo(expected: [e], llr: [llr], total: n, replicas: replicas, seed: 3)
        let p = e / Double(n)
        var tail = 0.0
        for k in o...n {
            let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            tail += exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
        }
        let sd = (tail * (1 - tail) / Double(replicas)).squareRoot()
        #expect(abs(r.monteCarloP[0] - tail) <= 4.5 * sd + 1 / Double(replicas + 1), "\(r.monteCarloP[0]) vs \(tail)")
    }

    /// With replicas conditioned on the cluster size, one cluster's p-value is P(n >= O | n >= minPts) under
    /// Bin(N, E/N): by inversion (small E) and by rejection (E above minPts + 1).
    @Test(arguments: [(2.0, 7), (6.0, 12), (0.05, 4)])
    func conditionedReplicasMatchTheExactConditionalTail(_ e: Double, _ o: Int) {
        let n = 200, m = 3
        let llr = ScanStatistic.logLikelihoodRatio(observed: o, expected: e, total: n)
        let replicas = 99_999
        let r = ScanStatistic.monteCarlo(expected: [e], llr: [llr], total: n, replicas: replicas, seed: 4,
                                         minimumCount: m)
        let p = e / Double(n)
        func pmf(_ k: Int) -> Double {
            let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
        }
        var above = 0.0, atLeastM = 0.0
        for k in m...n {
            atLeastM += pmf(k)
            if k >= o { above += pmf(k) }
        }
        let exact = above / atLeastM
        let sd = (exact * (1 - exact) / Double(replicas)).squareRoot()
        #expect(abs(r.monteCarloP[0] - exact) <= 4.5 * sd + 1 / Double(replicas + 1), "\(r.monteCarloP[0]) vs \(exact)")
    }

    @Test func logLikelihoodRatioIsKulldorffs() {
        let v = ScanStatistic.logLikelihoodRatio(observed: 10, expected: 2, total: 100)
        #expect(v == 10 * log(10 / 2.0) + 90 * log(90 / 98.0))
        #expect(ScanStatistic.logLikelihoodRatio(observed: 2, expected: 2.5, total: 100) == 0)
        #expect(ScanStatistic.logLikelihoodRatio(observed: 5, expected: 1, total: 5) == 5 * log(5.0))
    }

    @Test func footprintIsTheHullGrownByTheRadius() {
        let eps = 100.0
        let line = ScanStatistic.footprintArea(x: [0, 20, 40, 60, 80].map { $0 + 500_000 }, y: [Double](repeating: 6e6, count: 5), eps: eps)
        #expect(abs(line - (2 * 80 * eps + Double.pi * eps * eps)) < 1e-6, "a stadium around the segment")
        #expect(ScanStatistic.footprintArea(x: [3, 3], y: [4, 4], eps: 10) == Double.pi * 100)
        let square = ScanStatistic.footprintArea(x: [0, 10, 10, 0, 5], y: [0, 0, 10, 10, 5], eps: 10)
        #expect(abs(square - (100 + 40 * 10 + Double.pi * 100)) < 1e-9)
    }

    @Test func discCountsEqualBruteForce() {
        var rng = Xoshiro256(seed: 5)
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<20_000 {
            if rng.uniform() < 0.5 {
                x.append(400_000 + rng.uniform() * 30_000); y.append(6_000_000 + rng.uniform() * 20_000)
            } else {
                x.append(410_000 + rng.uniform() * 2_000); y.append(6_010_000 + rng.uniform() * 2_000)
            }
        }
        for radius in [150.0, 2_000] {
            let counter = DiscCounter(x: x, y: y, radius: radius)
            for k in 0..<120 {
                // Centres on points (a disc edge through other points), in gaps and outside the extent.
                let cx = k % 3 == 0 ? x[k] : 395_000 + rng.uniform() * 40_000
                let cy = k % 3 == 0 ? y[k] : 5_995_000 + rng.uniform() * 30_000
                // The radius the grid was built for, and smaller ones.
                for r in [radius, radius / 3, radius / 11] {
                    var brute = 0
                    for i in x.indices {
                        let dx = x[i] - cx, dy = y[i] - cy
                        if dx * dx + dy * dy <= r * r { brute += 1 }
                    }
                    #expect(counter.count(cx: cx, cy: cy, radius: r) == brute, "radius \(r), centre \(k)")
                }
            }
        }
        #expect(DiscCounter(x: [], y: [], radius: 10).count(cx: 0, cy: 0) == 0)
    }

    @Test func qValuesAreBenjaminiHochberg() {
        let q = FalseDiscoveryRate.qValues([0.01, 0.04, 0.03, 0.5, nil])
        let expected: [Double?] = [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5, nil]
        for (a, b) in zip(q, expected) {
            if let b { #expect(abs(a! - b) < 1e-15) } else { #expect(a == nil) }
        }
    }

    /// Empirical frequencies against the exact pmf for each path of the sampler (inversion, BTRS, the mirrored
    /// p > 1/2, a huge n with a tiny p): a chi-square far beyond its degrees of freedom would show a bias.
    @Test(arguments: [(30, 0.1), (1_000, 0.3), (200, 0.93), (50_000_000, 1e-7), (400, 0.025)])
    func binomialSamplerFollowsTheBinomialDistribution(_ n: Int, _ p: Double) {
        var rng = Xoshiro256(seed: 99)
        let draws = 200_000
        var counts: [Int: Int] = [:]
        for _ in 0..<draws { counts[Binomial.sample(n: n, p: p, using: &rng), default: 0] += 1 }
        func pmf(_ k: Int) -> Double {
            let logChoose = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            return exp(logChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
        }
        let mean = Double(n) * p
        let lo = max(0, Int(mean - 8 * (mean * (1 - p)).squareRoot() - 2))
        let hi = min(n, Int(mean + 8 * (mean * (1 - p)).squareRoot() + 2))
        var chi = 0.0, bins = 0, expectedPool = 0.0, observedPool = 0
        for k in lo...hi {
            expectedPool += pmf(k) * Double(draws)
            observedPool += counts[k] ?? 0
            if expectedPool >= 20 {
                chi += (Double(observedPool) - expectedPool) * (Double(observedPool) - expectedPool) / expectedPool
                bins += 1
                expectedPool = 0; observedPool = 0
            }
        }
        let outside = counts.filter { $0.key < lo || $0.key > hi }.count
        #expect(outside == 0)
        let df = Double(max(1, bins - 1))
        #expect(chi < df + 6 * (2 * df).squareRoot(), "chi² \(chi) on \(bins) bins for n \(n), p \(p)")
    }
}
