public import struct Foundation.Date
public import OtklikCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a hotspot's priority score; `score` is their sum times `severityFactor` (see `ScoreWeights`).
public struct ScoreComponents: Sendable, Hashable {
    public var size: Double
    public var open: Double
    public var overdue: Double
    public var recency: Double
    public var recurrence: Double
    public var repeatAfterFix: Double
    public var severityFactor: Double

    public var sum: Double { size + open + overdue + recency + recurrence + repeatAfterFix }
}

/// A place where complaints of one category keep coming: one DBSCAN cluster with its history.
public struct Hotspot: Sendable, Hashable {
    /// Stable across runs on the same data: "<category>:<lowest member id>".
    public var id: String
    public var category: String
    /// Member incident ids, ascending.
    public var memberIDs: [Int64]
    public var count: Int
    public var openCount: Int
    public var overdueCount: Int
    public var resolvedCount: Int
    public var firstReport: Date
    public var lastReport: Date
    public var episodes: [Episode]
    public var repeatAfterFix: [RepeatAfterFix]
    /// Two or more episodes, or any repeat-after-fix complaint.
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
    public var score: Double
    public var components: ScoreComponents
}

/// The weights of the priority score. With a hotspot of n complaints, o open, d overdue, e episodes, r
/// repeat-after-fix complaints, its last report `age` days before `now`, and the category severity s (1…5):
///
///     size        = size        · log2(1 + n)
///     open        = open        · log2(1 + o)
///     overdue     = overdue     · log2(1 + d)
///     recency     = recency     · 2^(−age / recencyHalfLifeDays)
///     recurrence  = recurrence  · log2(e)              (0 for a single episode)
///     repeat      = repeat      · log2(1 + r)
///     score       = (s / 3) · (size + open + overdue + recency + recurrence + repeat)
///
/// Logarithms keep one huge cluster from burying every other place; severity scales the whole so a dangerous
/// category outranks a cosmetic one of the same shape. Ties are broken by hotspot id.
public struct ScoreWeights: Sendable, Hashable {
    public var size: Double
    public var open: Double
    public var overdue: Double
    public var recency: Double
    public var recencyHalfLifeDays: Double
    public var recurrence: Double
    public var repeatAfterFix: Double

    public init(size: Double = 1, open: Double = 1, overdue: Double = 1.5, recency: Double = 2,
                recencyHalfLifeDays: Double = 30, recurrence: Double = 1.5, repeatAfterFix: Double = 2) {
        self.size = size
        self.open = open
        self.overdue = overdue
        self.recency = recency
        self.recencyHalfLifeDays = recencyHalfLifeDays
        self.recurrence = recurrence
        self.repeatAfterFix = repeatAfterFix
    }

    public func components(count: Int, open: Int, overdue: Int, lastReport: Date, now: Date, episodes: Int,
                           repeats: Int, severity: Int) -> ScoreComponents {
        let age = max(0, now.timeIntervalSince(lastReport) / 86_400)
        return ScoreComponents(
            size: size * log2(1 + Double(count)),
            open: self.open * log2(1 + Double(open)),
            overdue: self.overdue * log2(1 + Double(overdue)),
            recency: recency * pow(2, -age / max(recencyHalfLifeDays, 1e-9)),
            recurrence: recurrence * log2(Double(max(1, episodes))),
            repeatAfterFix: repeatAfterFix * log2(1 + Double(repeats)),
            severityFactor: Double(min(5, max(1, severity))) / 3)
    }
}

