#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a cluster's count compares with what its surroundings predict (see `ScanStatistic`).
public struct ClusterSignificance: Sendable, Hashable {
    /// O: the cluster's complaints.
    public var observed: Int
    /// E: the complaints of its category the surroundings predict for its footprint (`ScanStatistic.expected`).
    public var expected: Double
    /// O / E.
    public var ratio: Double
    /// Kulldorff's Poisson log-likelihood ratio (0 unless O > E).
    public var logLikelihoodRatio: Double
    /// (1 + replicas whose largest LLR in the category is >= this LLR) / (replicas + 1), as SaTScan reports it.
    public var monteCarloP: Double
    /// The Gumbel approximation of the same tail (Abrams, Kleinman & Kulldorff 2010), fitted to the replicas'
    /// maxima; nil when they do not vary.
    public var gumbelP: Double?
    /// The place test's p-value: `monteCarloP`, except where at most `ScanStatistic.gumbelBelowHits` replicas
    /// reached the statistic (the Monte Carlo p is then a count of a few, or its floor 1/(replicas + 1)), where
    /// the Gumbel tail stands in, as SaTScan does for small p-values. Without it no cluster of a long list could
    /// pass Benjamini-Hochberg at 999 replicas, and one replica more or less would decide a place near the level.
    public var placeP: Double
    /// The burst test of the cluster's largest episode (`BurstStatistic`); nil for a cluster without an episode.
    public var burst: BurstSignificance?
    /// The p-value the FDR uses: `placeP`, or for a cluster with an episode the smaller of `placeP` and the burst's
    /// p, doubled (Bonferroni over the two tests), at most 1.
    public var p: Double { Self.combined(placeP: placeP, burst: burst) }

    /// The evidence the score's strength reads: the larger of the place's and the burst's LLR.
    public var strength: Double { max(logLikelihoodRatio, burst?.logLikelihoodRatio ?? 0) }

    /// `p` for a place p-value and a burst test.
    static func combined(placeP: Double, burst: BurstSignificance?) -> Double {
        burst.map { min(1, 2 * min(placeP, $0.p)) } ?? placeP
    }
    /// Benjamini-Hochberg q over every cluster of the run.
    public var q: Double
    /// q <= the configured level.
    public var significant: Bool
    /// Complaints of the other categories within `backgroundRadius` of the centroid (of every category, the
    /// cluster's own included, when the run holds one category only).
    public var background: Int
    /// The radius of the background disc (m): the smallest of `ScanStatistic.backgroundRadii` holding enough
    /// complaints.
    public var backgroundRadius: Double
    /// The cluster's footprint: its convex hull grown by the category radius (m²).
    public var footprintArea: Double

    public init(observed: Int, expected: Double, ratio: Double, logLikelihoodRatio: Double, monteCarloP: Double,
                gumbelP: Double?, placeP: Double, burst: BurstSignificance? = nil, q: Double, significant: Bool,
                background: Int, backgroundRadius: Double, footprintArea: Double) {
        self.observed = observed
        self.expected = expected
        self.ratio = ratio
        self.logLikelihoodRatio = logLikelihoodRatio
        self.monteCarloP = monteCarloP
        self.gumbelP = gumbelP
        self.placeP = placeP
        self.burst = burst
        self.q = q
        self.significant = significant
        self.background = background
        self.backgroundRadius = backgroundRadius
        self.footprintArea = footprintArea
    }
}

/// Kulldorff's spatial scan statistic (Poisson model) applied to the DBSCAN clusters of one category, with the
/// expectation taken from the data themselves.
///
/// **Expectation.** SaTScan's Poisson model takes E = (population at risk in the window) × (cases / population).
/// Complaints have no population register, so the complaints of the *other* categories stand for the people who
/// complain there (a case-control reading: the category's complaints are the cases, the rest the controls).
/// Around a cluster's centroid, B complaints of the other categories lie within a disc of radius r, and
///
///     E = rate × B × A / (π r²),        rate = N_category / N_other   (the category's regional odds)
///     A = hull area + hull perimeter × eps + π eps²   (the members' convex hull grown by the category radius eps)
///
/// i.e. the background density around the place, times the complaints of the category per background complaint
/// in the whole region, over the place's footprint. The footprint is the hull grown by eps because DBSCAN
/// gathers every complaint within eps of a core point; the bare hull is smaller than the region the members were
/// drawn from, which would make every cluster look dense.
///
/// Why the other categories: under the null (the category's share is the same everywhere) they estimate the
/// category's density without the category itself, so the cluster never explains itself. Counting every
/// complaint (the cluster's own included) times the share is unbiased too, but lets a concentrated cluster fill
/// its own disc, which pulls O/E towards 1/share; removing only the members from that count biases O/E up by
/// 1/(1 − share) for a cluster that fills its disc. When the run holds one category only, there is no other
/// background: the disc then counts the category itself (the cluster included) with rate 1, which damps an excess.
///
/// The disc adapts to the density: r is the smallest of R, R/√2, R/2, … R/16 (`backgroundRadii`, R the configured
/// maximum, 2 km by default) whose disc holds at least `backgroundMinimum` background complaints (100 by
/// default), else R. In a town the density is then measured at the scale of the town (a few hundred metres)
/// rather than averaged with the empty fields around it, which would make every cluster of a small town look
/// dense; in the countryside the disc is as wide as allowed. A disc with no background complaint at all counts
/// one, so E > 0.
///
/// **Statistic.** With N the category's complaints, LLR = O ln(O/E) + (N − O) ln((N − O)/(N − E)) when O > E,
/// else 0 (Kulldorff 1997).
///
/// **p-values.** A replica redistributes the category's N complaints over the clusters and the rest of the region
/// with probabilities π_k = E_k / max(N, ΣE) (multinomial; sampled as one binomial for the clusters with small E
/// whose cases then pick a cluster by alias sampling, and conditional binomials for the others, so the cost does
/// not grow with N), or, by default, draws each cluster's count from Bin(N, π_k) conditioned on minPts (see
/// **Selection**). The p-value of a cluster is (1 + replicas whose largest LLR is >= its LLR) / (R + 1): each
/// cluster is compared with the strongest cluster chance produces in the category, as SaTScan compares
/// secondary clusters, which accounts for the many clusters of a category.
///
/// **Selection.** The windows are the clusters DBSCAN found in the data, and every one of them holds at least
/// minPts complaints because DBSCAN reports nothing smaller. A replica that redistributes the N cases freely
/// over such windows gives a window with E = 0.03 no complaint at all, while the observed window has three by
/// construction: in a large category every three-complaint chance cluster of a small-radius category then looks
/// significant (on the 300k demo, most of the non-planted significant clusters were such triples). By default
/// (`HotspotConfig.conditionOnClusterSize`) a replica therefore gives each window a count conditioned on at
/// least minPts, which is the null given that the window is a cluster; the plain multinomial replica is the
/// option. Conditioned so, the LLR itself is no longer comparable between windows: a window with E = 0.001
/// reaches LLR ≈ 20 at its guaranteed minPts = 3 in every replica, which would set a floor under every replica's
/// maximum that no real hotspot of a town (O = 9 against E = 1.4: LLR ≈ 9) can pass. The conditional statistic
/// is therefore the evidence beyond what being a cluster guarantees, LLR(O) − LLR(minPts) (0 for a window at its
/// minimum), in the observed data and in the replicas alike; the published LLR stays Kulldorff's. Replicas do not re-run DBSCAN, so the p-values stay conditional on the windows' shapes: the strongest
/// chance clusters of a very large dense area can still pass. The expectation sees population structure only at
/// the scale of the disc (`backgroundMinimum` complaints), not inside it.
public enum ScanStatistic {
    /// Kulldorff's Poisson LLR for `observed` cases against `expected`, out of `total` cases in the category.
    @inline(__always)
    public static func logLikelihoodRatio(observed: Int, expected: Double, total: Int) -> Double {
        let o = Double(observed), n = Double(total)
        guard o > expected else { return 0 }
        guard expected > 0 else { return .infinity }
        let inside = o * log(o / expected)
        guard observed < total else { return inside }
        return inside + (n - o) * log((n - o) / (n - expected))
    }

    /// E for a cluster: `rate` × `background` × `footprintArea` / (π `radius`²), `radius` that of the background
    /// disc and `rate` the category's complaints per background complaint in the region; a background of 0 counts
    /// as 1.
    public static func expected(background: Int, rate: Double, footprintArea: Double, radius: Double) -> Double {
        rate * Double(max(1, background)) * footprintArea / (Double.pi * radius * radius)
    }

    /// The candidate background radii for a maximum `radius`: radius / 2^(j/2) for j = 0 … 8, smallest first.
    public static func backgroundRadii(_ radius: Double) -> [Double] {
        (0...8).reversed().map { radius / pow(2, Double($0) / 2) }
    }

    /// The footprint of members at (x, y) metres: their convex hull grown by `eps` (Steiner's formula).
    public static func footprintArea(x: [Double], y: [Double], eps: Double) -> Double {
        let hull = ConvexHull.measure(x: x, y: y)
        return hull.area + hull.perimeter * eps + Double.pi * eps * eps
    }

    /// Up to this many replicas at or above a cluster's statistic, its p-value is the Gumbel tail rather than the
    /// count (`ClusterSignificance.p`).
    public static let gumbelBelowHits = 10

    /// The LLR a cluster of expectation `expected` has at `minimum` complaints, the least DBSCAN lets a cluster
    /// hold: what the conditional replicas subtract (see **Selection**).
    static func excessBase(minimum: Int, expected: Double, total: Int) -> Double {
        logLikelihoodRatio(observed: max(0, min(minimum, total)), expected: expected, total: total)
    }

    public struct MonteCarloResult: Sendable, Hashable {
        /// Per cluster, in input order.
        public var monteCarloP: [Double]
        public var gumbelP: [Double?]
        /// The largest LLR of each replica, ascending.
        public var replicaMaxima: [Double]
    }

    /// Monte Carlo p-values for the clusters of one category: `expected[k]` and `llr[k]` per cluster, `total` the
    /// category's complaints. Deterministic for a seed.
    ///
    /// Without `minimumCount`, a replica is a multinomial redistribution of the `total` cases. With it, each
    /// cluster's replica count is binomial (total, E_k / max(total, ΣE)) conditioned on at least `minimumCount`,
    /// independently: the null given that each window is a cluster, since DBSCAN only reports windows holding
    /// minPts complaints; the statistic is then LLR(O) − LLR(`minimumCount`) for every cluster, observed and
    /// replicated (see `ScanStatistic`, **Selection**). `llr` is Kulldorff's LLR in both cases.
    public static func monteCarlo(expected: [Double], llr: [Double], total: Int, replicas: Int, seed: UInt64,
                                  minimumCount: Int? = nil) -> MonteCarloResult {
        let k = expected.count
        precondition(llr.count == k && replicas >= 0)
        var maxima = [Double](repeating: 0, count: replicas)
        if k > 0 && total > 0 {
            var rng = Xoshiro256(seed: seed)
            if let m = minimumCount {
                let sampler = ConditionalReplicaSampler(expected: expected, total: total, minimum: m)
                for r in 0..<replicas { maxima[r] = sampler.maxLLR(using: &rng) }
            } else {
                var sampler = ReplicaSampler(expected: expected, total: total)
                for r in 0..<replicas { maxima[r] = sampler.maxLLR(using: &rng) }
            }
        }
        maxima.sort()
        let statistic = minimumCount.map { m in
            (0..<k).map { llr[$0] - excessBase(minimum: m, expected: expected[$0], total: total) }
        } ?? llr
        return tail(statistic, maxima: maxima)
    }

    /// Monte Carlo p-values of `statistic` against the replicas' `maxima` (ascending), (1 + maxima >= it) /
    /// (replicas + 1), and the Gumbel tail fitted to the maxima.
    static func tail(_ statistic: [Double], maxima: [Double]) -> MonteCarloResult {
        let gumbel = GumbelFit(maxima)
        let denominator = Double(maxima.count + 1)
        var mc = [Double](repeating: 1, count: statistic.count), gp = [Double?](repeating: nil, count: statistic.count)
        for i in statistic.indices {
            // First replica maximum >= the cluster's statistic: the ones from there on count.
            var lo = 0, hi = maxima.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if maxima[mid] < statistic[i] { lo = mid + 1 } else { hi = mid }
            }
            mc[i] = Double(1 + maxima.count - lo) / denominator
            gp[i] = gumbel?.survival(statistic[i])
        }
        return MonteCarloResult(monteCarloP: mc, gumbelP: gp, replicaMaxima: maxima)
    }
}
