public import struct Foundation.Date
public import OtklikCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a hotspot's priority score; `score` is their sum times `severityFactor` (see `ScoreWeights`).
public struct ScoreComponents: Sendable, Hashable {
    /// How far the cluster exceeds what its surroundings predict (from its log-likelihood ratio).
    public var strength: Double
    public var size: Double
    public var open: Double
    public var overdue: Double
    public var recency: Double
    /// From the number of episodes (bursts).
    public var recurrence: Double
    /// From the number of failed fixes.
    public var repeatAfterFix: Double
    public var severityFactor: Double

    public var sum: Double { strength + size + open + overdue + recency + recurrence + repeatAfterFix }
}

/// A place where complaints of one category keep coming: one DBSCAN cluster with its history and how it compares
/// with what its surroundings predict.
public struct Hotspot: Sendable, Hashable {
    /// Stable across runs on the same data: "<category>:<lowest member id>".
    public var id: String
    /// The lowest member id as an unsigned integer (its bit pattern), for formats that want numeric feature ids
    /// (vector tiles). Unique across categories because incident ids are.
    public var featureID: UInt64
    public var category: String
    /// Member incident ids, ascending.
    public var memberIDs: [Int64]
    public var count: Int
    public var openCount: Int
    public var overdueCount: Int
    public var resolvedCount: Int
    public var firstReport: Date
    public var lastReport: Date
    /// Bursts of at least `HotspotConfig.minEpisode` complaints, oldest first.
    public var episodes: [Episode]
    /// Members outside every episode.
    public var loneComplaints: Int
    /// Fixes at this hotspot that did not hold, one entry per fix, by fix time.
    public var failedFixes: [FailedFix]
    /// Two or more episodes, or a failed fix of an episode's complaint followed by an episode (`Recurrence.analyse`).
    public var recurring: Bool
    /// The most common district / settlement among members (ties: alphabetical); nil when no member has one.
    public var district: String?
    public var settlement: String?
    /// Mean of the members' lon/lat.
    public var centroid: GeoPoint
    /// Mean of the members' projected coordinates (metres, the caller's CRS).
    public var centroidX: Double
    public var centroidY: Double
    public var shape: HotspotShape
    /// Observed against expected, LLR, p, q and the significance flag.
    public var significance: ClusterSignificance
    public var score: Double
    public var components: ScoreComponents

    /// The failed fixes under their older name.
    public var repeatAfterFix: [FailedFix] { failedFixes }
    /// Whether the cluster is more than its surroundings explain, after the FDR over the run.
    public var significant: Bool { significance.significant }
}

/// The weights of the priority score. With a hotspot of n complaints, o open, d overdue, e episodes, f failed
/// fixes, log-likelihood ratio L, its last report `age` days before `now`, and the category severity s (1…5):
///
///     strength    = strength    · log2(1 + L)
///     size        = size        · log2(1 + n)
///     open        = open        · log2(1 + o)
///     overdue     = overdue     · log2(1 + d)
///     recency     = recency     · 2^(−age / recencyHalfLifeDays)
///     recurrence  = recurrence  · log2(e)              (0 for one episode or none)
///     repeat      = repeat      · log2(1 + f)
///     score       = (s / 3) · (strength + size + open + overdue + recency + recurrence + repeat)
///
/// Strength carries what raw size used to: how much the place exceeds what its surroundings predict, so a big
/// cluster in a big town no longer outranks a tight one in a village by size alone; size keeps a small weight for
/// the workload. Logarithms keep one huge cluster from burying every other place; severity scales the whole so a
/// dangerous category outranks a cosmetic one of the same shape. The report ranks significant hotspots first,
/// then by score; ties are broken by hotspot id.
public struct ScoreWeights: Sendable, Hashable {
    public var strength: Double
    public var size: Double
    public var open: Double
    public var overdue: Double
    public var recency: Double
    public var recencyHalfLifeDays: Double
    public var recurrence: Double
    public var repeatAfterFix: Double

    public init(strength: Double = 1.5, size: Double = 0.5, open: Double = 1, overdue: Double = 1.5, recency: Double = 2,
                recencyHalfLifeDays: Double = 30, recurrence: Double = 1.5, repeatAfterFix: Double = 2) {
        self.strength = strength
        self.size = size
        self.open = open
        self.overdue = overdue
        self.recency = recency
        self.recencyHalfLifeDays = recencyHalfLifeDays
        self.recurrence = recurrence
        self.repeatAfterFix = repeatAfterFix
    }

    public func components(logLikelihoodRatio: Double, count: Int, open: Int, overdue: Int, lastReport: Date,
                           now: Date, episodes: Int, failedFixes: Int, severity: Int) -> ScoreComponents {
        let age = max(0, now.timeIntervalSince(lastReport) / 86_400)
        return ScoreComponents(
            strength: strength * log2(1 + max(0, logLikelihoodRatio)),
            size: size * log2(1 + Double(count)),
            open: self.open * log2(1 + Double(open)),
            overdue: self.overdue * log2(1 + Double(overdue)),
            recency: recency * pow(2, -age / max(recencyHalfLifeDays, 1e-9)),
            recurrence: recurrence * log2(Double(max(1, episodes))),
            repeatAfterFix: repeatAfterFix * log2(1 + Double(failedFixes)),
            severityFactor: Double(min(5, max(1, severity))) / 3)
    }
}
