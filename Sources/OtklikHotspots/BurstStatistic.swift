public import struct Foundation.Date
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time window of a cluster's largest episode, as the burst test reads it (see `BurstStatistic`).
public struct BurstWindow: Sendable, Hashable {
    /// The episode's first and last complaint.
    public var first: Date
    public var last: Date
    /// The episode's complaints (the cylinder's count).
    public var observed: Int
    /// Seconds the window adds to the episode, half on each side (the quiet gap).
    public var padding: Double

    public init(first: Date, last: Date, observed: Int, padding: Double) {
        self.first = first
        self.last = last
        self.observed = observed
        self.padding = padding
    }

    /// The window the expectation is taken over: the episode widened by half the padding on each side.
    public var start: Date { first.addingTimeInterval(-padding / 2) }
    public var end: Date { last.addingTimeInterval(padding / 2) }

    /// The largest episode (the later of equal ones), widened by half of `quietGap` seconds on each side.
    public static func largest(of episodes: [Episode], quietGap: Double) -> BurstWindow? {
        var best: Episode?
        for e in episodes where best == nil || e.count >= best!.count { best = e }
        return best.map { BurstWindow(first: $0.start, last: $0.end, observed: $0.count, padding: quietGap) }
    }
}

/// How a cluster's largest episode compares with when the category's complaints come in the region.
public struct BurstSignificance: Sendable, Hashable {
    public var window: BurstWindow
    /// E: the cluster's complaints times the share of the category's complaints in the region that fall in the
    /// window.
    public var expected: Double
    /// Kulldorff's Poisson LLR of the episode's count against `expected`.
    public var logLikelihoodRatio: Double
    /// (1 + replicas whose largest statistic in the category is >= this one) / (replicas + 1).
    public var monteCarloP: Double
    /// The burst test's p-value: `monteCarloP`, or the Gumbel tail where few replicas reached it, as for the place.
    public var p: Double

    public init(window: BurstWindow, expected: Double, logLikelihoodRatio: Double, monteCarloP: Double, p: Double) {
        self.window = window
        self.expected = expected
        self.logLikelihoodRatio = logLikelihoodRatio
        self.monteCarloP = monteCarloP
        self.p = p
    }

    public var observed: Int { window.observed }
}

/// The burst test: Kulldorff's space-time permutation model (2005) applied to the largest episode of each DBSCAN
/// cluster.
///
/// A place can hold more complaints than its surroundings predict over the whole period (the place test,
/// `ScanStatistic`), or hold an ordinary number over two years of which a dozen came in one week: a dog pack, a
/// dump that appeared overnight. The place test cannot see the second: thirteen complaints in four days and four
/// more over two years are seventeen against an expectation of four or five in a town. The burst test compares
/// the episode with the cluster's own complaints spread over time as the category's complaints are:
///
///     E_t = O × N_t / N
///
/// with O the cluster's complaints, N the category's complaints in the run and N_t those of them reported in the
/// window (the episode from its first to its last complaint, widened by half the quiet gap on each side, since
/// the episode finder cannot resolve time more finely than the gap). This is the permutation model's expectation
/// n_zone × n_time / N: it needs no population and no background of other categories, and it follows the
/// category's seasons. LLR_t = Kulldorff's Poisson LLR of the episode's count against E_t out of N.
///
/// **p-values.** As for the place test, each cluster is compared with the largest statistic chance gives any
/// cluster of the category: a replica draws every window's count from Binomial(O, N_t / N), conditioned on at
/// least `minEpisode` because an episode is found only where that many complaints came together, and the
/// statistic is again the evidence beyond that guaranteed minimum, LLR_t(count) − LLR_t(minEpisode).
/// Replicas keep the windows found in the data (they do not search time again), as the place test keeps the
/// clusters' shapes.
///
/// A cluster with an episode therefore has two tests; its p is the smaller of the two p-values doubled
/// (Bonferroni), so that a list stays at its false discovery rate.
public enum BurstStatistic {
    /// LLR_t and E_t for a window holding `observed` of a cluster's `zone` complaints, when `share` of the category's
    /// `total` complaints fall in the window.
    public static func assess(observed: Int, zone: Int, share: Double, total: Int) -> (expected: Double, llr: Double) {
        let e = Double(zone) * share
        return (e, ScanStatistic.logLikelihoodRatio(observed: observed, expected: e, total: total))
    }

    /// Monte Carlo p-values of the burst windows of one category (see the type's notes): per window the cluster's
    /// complaints `zone[k]`, the category share in its window `share[k]` and its observed statistic through
    /// `observed[k]`; `total` the category's complaints. Deterministic for a seed.
    public static func monteCarlo(observed: [Int], zone: [Int], share: [Double], total: Int, minimum: Int,
                                  replicas: Int, seed: UInt64) -> ScanStatistic.MonteCarloResult {
        let k = observed.count
        precondition(zone.count == k && share.count == k && replicas >= 0)
        let m = max(0, minimum)
        var windows: [WindowDraw] = []
        windows.reserveCapacity(k)
        for i in 0..<k { windows.append(WindowDraw(zone: zone[i], share: share[i], total: total, minimum: m)) }
        var maxima = [Double](repeating: 0, count: replicas)
        if k > 0 && total > 0 {
            var rng = Xoshiro256(seed: seed)
            for r in 0..<replicas {
                var best = 0.0
                for w in windows {
                    let u = rng.uniform()
                    guard u >= w.stayAtMinimum else { continue }
                    best = max(best, w.statistic(for: u))
                }
                maxima[r] = best
            }
        }
        maxima.sort()
        let statistic = (0..<k).map { windows[$0].excess(observed[$0]) }
        return ScanStatistic.tail(statistic, maxima: maxima)
    }

    /// One window's conditional replica count: Binomial(zone, share) given at least `minimum`, drawn by inverting
    /// its distribution function (a table of the values above the minimum while they still carry mass).
    struct WindowDraw {
        let expected: Double
        let total: Int
        let minimum: Int
        let base: Double
        /// P(count = minimum | count >= minimum): most draws stop here.
        let stayAtMinimum: Double
        /// The conditional distribution function at minimum + 1, minimum + 2, …
        let cumulative: [Double]

        init(zone: Int, share: Double, total: Int, minimum: Int) {
            let p = min(1, max(0, share))
            expected = Double(zone) * p
            self.total = total
            self.minimum = min(minimum, zone)
            base = ScanStatistic.logLikelihoodRatio(observed: self.minimum, expected: expected, total: total)
            guard p > 0, p < 1, zone > self.minimum else {
                // Every draw is the minimum (no room above it), or every complaint is in the window.
                stayAtMinimum = p >= 1 ? 0 : 1
                cumulative = p >= 1 ? [1] : []
                return
            }
            // f(j) / f(minimum) for j above the minimum, until the terms stop mattering.
            let odds = p / (1 - p)
            var terms: [Double] = []
            var term = 1.0, sum = 1.0, j = self.minimum
            while j < zone {
                term *= odds * Double(zone - j) / Double(j + 1)
                j += 1
                terms.append(term)
                sum += term
                if term <= sum * 1e-17 { break }
            }
            stayAtMinimum = 1 / sum
            var running = stayAtMinimum
            cumulative = terms.map { running += $0 / sum; return running }
        }

        /// The statistic of the count whose distribution function first reaches `u` (u >= `stayAtMinimum`).
        func statistic(for u: Double) -> Double {
            if cumulative.count == 1 && stayAtMinimum == 0 {
                // The window holds the whole period: the count is the zone, and LLR is 0 throughout.
                return 0
            }
            var i = 0
            while i < cumulative.count - 1 && cumulative[i] < u { i += 1 }
            return excess(minimum + 1 + i)
        }

        /// LLR_t(count) − LLR_t(minimum).
        func excess(_ count: Int) -> Double {
            ScanStatistic.logLikelihoodRatio(observed: count, expected: expected, total: total) - base
        }
    }
}
