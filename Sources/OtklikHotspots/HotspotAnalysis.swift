public import struct Foundation.Date
public import OtklikCore

public struct HotspotConfig: Sendable, Hashable {
    /// DBSCAN minPts (the point itself counts).
    public var minPoints: Int
    /// Overrides every category's `radius_m` when set (metres).
    public var eps: Double?
    /// ST-DBSCAN when set: neighbours must also be reported within this many days of each other.
    public var timeWindowDays: Double?
    /// A gap of at least this many days between reports starts a new episode.
    public var quietGapDays: Double
    /// A complaint within this many days after a fix, within the category radius of it, makes the fix fail.
    public var repeatWindowDays: Double
    public var weights: ScoreWeights
    /// The fewest complaints that make an episode (a burst); shorter runs are background.
    public var minEpisode: Int
    /// The largest radius (metres) of the disc around a cluster's centroid whose complaints of every category
    /// estimate its background (`ScanStatistic`).
    public var backgroundRadius: Double
    /// The background disc shrinks (down to `backgroundRadius` / 16) while it still holds this many complaints.
    public var backgroundMinimum: Int
    /// Monte Carlo replicas for the p-values.
    public var replicas: Int
    /// Replicas give every cluster at least `minPoints` complaints, as DBSCAN does (the null given that the window
    /// is a cluster); false: a plain multinomial redistribution of the category's complaints (`ScanStatistic`).
    public var conditionOnClusterSize: Bool
    /// Seed of the Monte Carlo replicas: the same seed and data give the same p-values.
    public var seed: UInt64
    /// A cluster is significant when its Benjamini-Hochberg q is at most this.
    public var fdrLevel: Double

    public init(minPoints: Int = 3, eps: Double? = nil, timeWindowDays: Double? = nil, quietGapDays: Double = 14,
                repeatWindowDays: Double = 90, weights: ScoreWeights = ScoreWeights(), minEpisode: Int = 2,
                backgroundRadius: Double = 2000, backgroundMinimum: Int = 100, replicas: Int = 999,
                conditionOnClusterSize: Bool = true, seed: UInt64 = 20_250_101, fdrLevel: Double = 0.05) {
        self.minPoints = minPoints
        self.eps = eps
        self.timeWindowDays = timeWindowDays
        self.quietGapDays = quietGapDays
        self.repeatWindowDays = repeatWindowDays
        self.weights = weights
        self.minEpisode = minEpisode
        self.backgroundRadius = backgroundRadius
        self.backgroundMinimum = backgroundMinimum
        self.replicas = replicas
        self.conditionOnClusterSize = conditionOnClusterSize
        self.seed = seed
        self.fdrLevel = fdrLevel
    }
}

/// What DBSCAN made of one category.
public struct CategorySummary: Sendable, Hashable {
    public var category: String
    public var eps: Double
    public var minPoints: Int
    public var incidents: Int
    public var clustered: Int
    public var noise: Int
    public var hotspots: Int
    public var recurringHotspots: Int
    public var significantHotspots: Int
}

public struct HotspotReport: Sendable, Hashable {
    /// Significant hotspots first, each group by score, highest first; equal scores by id.
    public var hotspots: [Hotspot]
    /// By agency name.
    public var agencyRates: [AgencyRepeatRate]
    /// In taxonomy order, every category of the taxonomy (zeros for one without incidents).
    public var categories: [CategorySummary]
}

extension HotspotReport {
    /// The governor's list: the significant hotspots (the engine ranks them first), or with `all` every cluster,
    /// the non-significant ones after them.
    public func listed(all: Bool = false) -> ArraySlice<Hotspot> {
        all ? hotspots[...] : hotspots.prefix { $0.significant }
    }

    /// The report of the categories `codes` only, out of a run over every category: their hotspots with the
    /// expectations, p- and q-values of the whole run, their summaries, and the agencies' rates over `points`
    /// (the run's points of those categories).
    public func restricted(to codes: Set<String>, points: [HotspotPoint]) -> HotspotReport {
        let kept = hotspots.filter { codes.contains($0.category) }
        return HotspotReport(hotspots: kept, agencyRates: HotspotAnalysis.agencyRates(points: points, hotspots: kept),
                             categories: categories.filter { codes.contains($0.category) })
    }
}

/// The hotspot engine: DBSCAN per category, recurrence, significance against the surroundings, hull and score for
/// each cluster.
public enum HotspotAnalysis {
    /// Points may come in any order: each category is clustered in id order, so the result depends on the set of
    /// points only. Filters (district, dates, category) are the caller's: pass the points you want analysed. The
    /// expectations come from the points passed, so a category filter applied before the call leaves each
    /// category as its own background; filter the report instead (`HotspotReport.restricted(to:points:)`) to
    /// keep every category's complaints in it.
    public static func run(points: [HotspotPoint], taxonomy: Taxonomy, config: HotspotConfig = HotspotConfig(),
                           now: Date) throws(HotspotsError) -> HotspotReport {
        try validate(config)
        var byCategory: [String: [HotspotPoint]] = [:]
        for p in points {
            guard taxonomy[p.category] != nil else { throw .unknownCategory(code: p.category, pointID: p.id) }
            byCategory[p.category, default: []].append(p)
        }
        var drafts: [Draft] = []
        var summaries: [CategorySummary] = []
        for category in taxonomy.categories {
            let eps = config.eps ?? category.radiusMeters
            let members = (byCategory[category.code] ?? []).sorted { $0.id < $1.id }
            let result: DBSCANResult
            if let days = config.timeWindowDays {
                result = try DBSCAN.run(x: members.map(\.x), y: members.map(\.y),
                                        t: members.map { $0.reportedAt.timeIntervalSince1970 }, eps: eps,
                                        timeWindow: days * 86_400, minPoints: config.minPoints)
            } else {
                result = try DBSCAN.run(x: members.map(\.x), y: members.map(\.y), eps: eps, minPoints: config.minPoints)
            }
            var clusters = [[HotspotPoint]](repeating: [], count: result.clusterCount)
            for (i, l) in result.labels.enumerated() where l >= 0 { clusters[l].append(members[i]) }
            for cluster in clusters {
                drafts.append(draft(cluster, category: category, eps: eps, total: members.count, config: config, now: now))
            }
            let clustered = result.labels.filter { $0 >= 0 }.count
            summaries.append(CategorySummary(category: category.code, eps: eps, minPoints: config.minPoints,
                                             incidents: members.count, clustered: clustered,
                                             noise: members.count - clustered, hotspots: clusters.count,
                                             recurringHotspots: 0, significantHotspots: 0))
        }
        let significance = Significance.assess(drafts.map(\.input), points: points, config: config)
        var hotspots: [Hotspot] = []
        hotspots.reserveCapacity(drafts.count)
        for (d, s) in zip(drafts, significance) { hotspots.append(d.finish(s, weights: config.weights, now: now)) }
        hotspots.sort {
            if $0.significant != $1.significant { return $0.significant }
            return $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id
        }
        var slot: [String: Int] = [:]
        for (i, s) in summaries.enumerated() { slot[s.category] = i }
        for h in hotspots {
            guard let i = slot[h.category] else { continue }
            if h.recurring { summaries[i].recurringHotspots += 1 }
            if h.significant { summaries[i].significantHotspots += 1 }
        }
        return HotspotReport(hotspots: hotspots, agencyRates: agencyRates(points: points, hotspots: hotspots),
                             categories: summaries)
    }

    static func validate(_ config: HotspotConfig) throws(HotspotsError) {
        guard config.quietGapDays >= 0, config.quietGapDays.isFinite else {
            throw .invalidParameter(name: "quietGapDays", value: config.quietGapDays, reason: "must be >= 0")
        }
        guard config.repeatWindowDays >= 0, config.repeatWindowDays.isFinite else {
            throw .invalidParameter(name: "repeatWindowDays", value: config.repeatWindowDays, reason: "must be >= 0")
        }
        guard config.minEpisode >= 1 else {
            throw .invalidParameter(name: "minEpisode", value: Double(config.minEpisode), reason: "must be >= 1")
        }
        guard config.backgroundRadius > 0, config.backgroundRadius.isFinite else {
            throw .invalidParameter(name: "backgroundRadius", value: config.backgroundRadius,
                                    reason: "must be a positive finite number of metres")
        }
        guard config.backgroundMinimum >= 1 else {
            throw .invalidParameter(name: "backgroundMinimum", value: Double(config.backgroundMinimum),
                                    reason: "must be >= 1")
        }
        guard config.replicas >= 1 else {
            throw .invalidParameter(name: "replicas", value: Double(config.replicas), reason: "must be >= 1")
        }
        guard config.fdrLevel > 0, config.fdrLevel <= 1 else {
            throw .invalidParameter(name: "fdrLevel", value: config.fdrLevel, reason: "must be in (0, 1]")
        }
    }

    /// A hotspot before its significance is known (that needs every cluster of its category).
    struct Draft {
        var hotspot: Hotspot
        var input: Significance.Input
        var severity: Int

        func finish(_ s: ClusterSignificance, weights: ScoreWeights, now: Date) -> Hotspot {
            var h = hotspot
            h.significance = s
            h.components = weights.components(logLikelihoodRatio: s.strength, count: h.count,
                                              open: h.openCount, overdue: h.overdueCount, lastReport: h.lastReport,
                                              now: now, episodes: h.episodes.count, failedFixes: h.failedFixes.count,
                                              severity: severity)
            h.score = h.components.severityFactor * h.components.sum
            return h
        }
    }

    static func draft(_ members: [HotspotPoint], category: Category, eps: Double, total: Int, config: HotspotConfig,
                      now: Date) -> Draft {
        let recurrence = Recurrence.analyse(members, quietGap: config.quietGapDays * 86_400,
                                            window: config.repeatWindowDays * 86_400, radius: eps,
                                            minEpisode: config.minEpisode)
        let ids = members.map(\.id).sorted()
        let open = members.filter { $0.status.isOpen }.count
        let overdue = members.filter { $0.isOverdue(at: now, deadlineDays: category.deadlineDays) }.count
        let resolved = members.filter { $0.status == .resolved }.count
        let first = members.map(\.reportedAt).min()!, last = members.map(\.reportedAt).max()!
        let n = Double(members.count)
        let centroid = GeoPoint(lon: members.reduce(0) { $0 + $1.location.lon } / n,
                                lat: members.reduce(0) { $0 + $1.location.lat } / n)
        let shape: HotspotShape = ConvexHull.hull(members.map(\.location)).map { .polygon($0) } ?? .point(centroid)
        let cx = members.reduce(0) { $0 + $1.x } / n, cy = members.reduce(0) { $0 + $1.y } / n
        let placeholder = ClusterSignificance(observed: members.count, expected: 0, ratio: 0, logLikelihoodRatio: 0,
                                              monteCarloP: 1, gumbelP: nil, placeP: 1, q: 1, significant: false,
                                              background: 0, backgroundRadius: 0, footprintArea: 0)
        let hotspot = Hotspot(
            id: "\(category.code):\(ids[0])", featureID: UInt64(bitPattern: ids[0]), category: category.code,
            memberIDs: ids, count: members.count, openCount: open, overdueCount: overdue, resolvedCount: resolved,
            firstReport: first, lastReport: last, episodes: recurrence.episodes,
            loneComplaints: recurrence.loneComplaints, failedFixes: recurrence.failedFixes,
            recurring: recurrence.recurring, district: mode(members.compactMap(\.district)),
            settlement: mode(members.compactMap(\.settlement)), centroid: centroid, centroidX: cx, centroidY: cy,
            shape: shape, significance: placeholder, score: 0,
            components: ScoreComponents(strength: 0, size: 0, open: 0, overdue: 0, recency: 0, recurrence: 0,
                                        repeatAfterFix: 0, severityFactor: 1))
        let input = Significance.Input(category: category.code, observed: members.count, categoryTotal: total,
                                       centroidX: cx, centroidY: cy,
                                       footprintArea: ScanStatistic.footprintArea(x: members.map(\.x), y: members.map(\.y), eps: eps),
                                       burst: BurstWindow.largest(of: recurrence.episodes, quietGap: config.quietGapDays * 86_400))
        return Draft(hotspot: hotspot, input: input, severity: category.severity)
    }

    /// Repeat-after-fix rates per agency over `points`, from the failed fixes of `hotspots`.
    public static func agencyRates(points: [HotspotPoint], hotspots: [Hotspot]) -> [AgencyRepeatRate] {
        var clusteredIDs = Set<Int64>()
        var failed = Set<Int64>()
        var repeatsByAgency: [String: Set<Int64>] = [:]
        for h in hotspots {
            clusteredIDs.formUnion(h.memberIDs)
            for f in h.failedFixes {
                failed.insert(f.fixedID)
                repeatsByAgency[f.agency, default: []].insert(f.complaintID)
            }
        }
        var rates: [String: AgencyRepeatRate] = [:]
        for p in points where p.fixedAt != nil {
            var r = rates[p.agency] ?? AgencyRepeatRate(agency: p.agency, fixes: 0, fixesAtHotspots: 0, failedFixes: 0,
                                                        repeatComplaints: 0, rate: nil)
            r.fixes += 1
            if clusteredIDs.contains(p.id) { r.fixesAtHotspots += 1 }
            if failed.contains(p.id) { r.failedFixes += 1 }
            rates[p.agency] = r
        }
        return rates.values.map { r -> AgencyRepeatRate in
            var r = r
            r.repeatComplaints = repeatsByAgency[r.agency]?.count ?? 0
            r.rate = r.fixes > 0 ? Double(r.failedFixes) / Double(r.fixes) : nil
            return r
        }.sorted { $0.agency < $1.agency }
    }

    /// The most frequent value; ties go to the alphabetically first.
    static func mode(_ values: [String]) -> String? {
        var counts: [String: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }
}
