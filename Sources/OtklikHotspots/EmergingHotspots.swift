/// The pattern of one location over time, after ESRI's Emerging Hot Spot Analysis ("How Emerging Hot Spot
/// Analysis works", ArcGIS Pro): Gi* per time slice, then a Mann-Kendall test on the location's z-scores.
public enum EmergingClass: String, Sendable, Hashable, CaseIterable {
    case noPattern = "no_pattern"
    case newHotSpot = "new_hot_spot", consecutiveHotSpot = "consecutive_hot_spot"
    case intensifyingHotSpot = "intensifying_hot_spot", persistentHotSpot = "persistent_hot_spot"
    case diminishingHotSpot = "diminishing_hot_spot", sporadicHotSpot = "sporadic_hot_spot"
    case oscillatingHotSpot = "oscillating_hot_spot", historicalHotSpot = "historical_hot_spot"
    case newColdSpot = "new_cold_spot", consecutiveColdSpot = "consecutive_cold_spot"
    case intensifyingColdSpot = "intensifying_cold_spot", persistentColdSpot = "persistent_cold_spot"
    case diminishingColdSpot = "diminishing_cold_spot", sporadicColdSpot = "sporadic_cold_spot"
    case oscillatingColdSpot = "oscillating_cold_spot", historicalColdSpot = "historical_cold_spot"
}

public struct EmergingResult: Sendable, Hashable {
    public var pattern: EmergingClass
    /// Mann-Kendall on the location's Gi* z-scores (undefined slices count as 0); nil when not computable.
    public var trend: MannKendallResult?
    /// Gi_Bin per slice, oldest first.
    public var binsPerSlice: [Int]
}

public enum EmergingHotspots {
    /// Classifies one location from its per-slice Gi_Bin values (oldest first) and the Mann-Kendall test of its
    /// z-scores. A slice is "hot" when bin >= `level`, "cold" when bin <= −`level` (level 1, 2, 3 = 90, 95, 99 %).
    /// With n slices, H hot slices and `last` the final slice, the rules for hot spots are, in this order
    /// (cold spots mirror them with cold for hot and an increasing trend for a decreasing one):
    ///
    /// 1. new: last is hot and it is the only hot slice (H = 1).
    /// 2. consecutive: last is hot, the final uninterrupted run of hot slices is at least 2 long, no slice before
    ///    that run is hot, and H/n < 0.9.
    /// 3. intensifying: H/n >= 0.9, last is hot, and the trend is significantly increasing.
    /// 4. diminishing: H/n >= 0.9, last is hot, and the trend is significantly decreasing.
    /// 5. persistent: H/n >= 0.9, last is hot, and no significant trend. (ESRI's wording does not name the final
    ///    slice; requiring it keeps persistent and historical disjoint, since historical is "the most recent time
    ///    period is not hot, but at least ninety percent of the intervals have been".)
    /// 6. oscillating: last is hot, H/n < 0.9, and some earlier slice is cold.
    /// 7. sporadic: last is hot, H/n < 0.9, no slice is cold (an on-and-off history).
    /// 8. historical: last is not hot and H/n >= 0.9.
    /// Hot rules are tried when the last slice is hot, cold rules when it is cold; otherwise historical hot, then
    /// historical cold; otherwise no pattern.
    public static func classify(bins: [Int], trend: MannKendallResult?, level: Int = 2) -> EmergingClass {
        let n = bins.count
        guard n > 0 else { return .noPattern }
        let hot = bins.map { $0 >= level }, cold = bins.map { $0 <= -level }
        if hot[n - 1] { return rules(flags: hot, opposite: cold, trend: trend?.trend, towards: .increasing, hot: true) }
        if cold[n - 1] { return rules(flags: cold, opposite: hot, trend: trend?.trend, towards: .decreasing, hot: false) }
        let nf = Double(n)
        if Double(hot.filter { $0 }.count) / nf >= 0.9 { return .historicalHotSpot }
        if Double(cold.filter { $0 }.count) / nf >= 0.9 { return .historicalColdSpot }
        return .noPattern
    }

    private static func rules(flags: [Bool], opposite: [Bool], trend: MannKendallResult.Trend?,
                              towards: MannKendallResult.Trend, hot: Bool) -> EmergingClass {
        let n = flags.count
        let count = flags.filter { $0 }.count
        let share = Double(count) / Double(n)
        var run = 0
        while run < n && flags[n - 1 - run] { run += 1 }
        let t = trend ?? MannKendallResult.Trend.none
        if count == 1 { return hot ? .newHotSpot : .newColdSpot }
        if run >= 2 && run == count && share < 0.9 { return hot ? .consecutiveHotSpot : .consecutiveColdSpot }
        if share >= 0.9 {
            if t == towards { return hot ? .intensifyingHotSpot : .intensifyingColdSpot }
            if t != .none { return hot ? .diminishingHotSpot : .diminishingColdSpot }
            return hot ? .persistentHotSpot : .persistentColdSpot
        }
        if opposite.contains(true) { return hot ? .oscillatingHotSpot : .oscillatingColdSpot }
        return hot ? .sporadicHotSpot : .sporadicColdSpot
    }
}
