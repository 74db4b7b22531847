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
    /// A complaint within this many days after a fix at the same hotspot is a repeat-after-fix.
    public var repeatWindowDays: Double
    public var weights: ScoreWeights

    public init(minPoints: Int = 3, eps: Double? = nil, timeWindowDays: Double? = nil, quietGapDays: Double = 14,
                repeatWindowDays: Double = 90, weights: ScoreWeights = ScoreWeights()) {
        self.minPoints = minPoints
        self.eps = eps
        self.timeWindowDays = timeWindowDays
        self.quietGapDays = quietGapDays
        self.repeatWindowDays = repeatWindowDays
        self.weights = weights
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
}

public struct HotspotReport: Sendable, Hashable {
    /// By score, highest first; equal scores by id.
    public var hotspots: [Hotspot]
    /// By agency name.
    public var agencyRates: [AgencyRepeatRate]
    /// In taxonomy order, every category of the taxonomy (zeros for one without incidents).
    public var categories: [CategorySummary]
}

/// The hotspot engine: DBSCAN per category, recurrence, areas, hull and score for each cluster.
public enum HotspotAnalysis {
    /// Points may come in any order: each category is clustered in id order, so the result depends on the set of
    /// points only. Filters (district, dates, category) are the caller's: pass the points you want analysed.
    public static func run(points: [HotspotPoint], taxonomy: Taxonomy, config: HotspotConfig = HotspotConfig(),
                           now: Date) throws(HotspotsError) -> HotspotReport {
        guard config.quietGapDays >= 0, config.quietGapDays.isFinite else {
            throw .invalidParameter(name: "quietGapDays", value: config.quietGapDays, reason: "must be >= 0")
        }
        guard config.repeatWindowDays >= 0, config.repeatWindowDays.isFinite else {
            throw .invalidParameter(name: "repeatWindowDays", value: config.repeatWindowDays, reason: "must be >= 0")
        }
        var byCategory: [String: [HotspotPoint]] = [:]
        for p in points {
            guard taxonomy[p.category] != nil else { throw .unknownCategory(code: p.category, pointID: p.id) }
            byCategory[p.category, default: []].append(p)
        }
        var hotspots: [Hotspot] = []
        var summaries: [CategorySummary] = []
        var failedFixes = Set<Int64>()
        var clusteredIDs = Set<Int64>()
        var repeatsByAgency: [String: Int] = [:]
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
            var recurringCount = 0
            for cluster in clusters {
                let h = makeHotspot(cluster, category: category, config: config, now: now)
                if h.recurring { recurringCount += 1 }
                for r in h.repeatAfterFix { repeatsByAgency[r.agency, default: 0] += 1 }
                failedFixes.formUnion(h.repeatAfterFix.map(\.fixedID))
                clusteredIDs.formUnion(h.memberIDs)
                hotspots.append(h)
            }
            let clustered = result.labels.filter { $0 >= 0 }.count
            summaries.append(CategorySummary(category: category.code, eps: eps, minPoints: config.minPoints,
                                             incidents: members.count, clustered: clustered,
                                             noise: members.count - clustered, hotspots: clusters.count,
                                             recurringHotspots: recurringCount))
        }
        hotspots.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        var rates: [String: AgencyRepeatRate] = [:]
        for p in points where p.fixedAt != nil {
            var r = rates[p.agency] ?? AgencyRepeatRate(agency: p.agency, fixes: 0, fixesAtHotspots: 0, failedFixes: 0,
                                                        repeatComplaints: 0, rate: nil)
            r.fixes += 1
            if clusteredIDs.contains(p.id) { r.fixesAtHotspots += 1 }
            if failedFixes.contains(p.id) { r.failedFixes += 1 }
            rates[p.agency] = r
        }
        let agencyRates = rates.values.map { r -> AgencyRepeatRate in
            var r = r
            r.repeatComplaints = repeatsByAgency[r.agency] ?? 0
            r.rate = r.fixes > 0 ? Double(r.failedFixes) / Double(r.fixes) : nil
            return r
        }.sorted { $0.agency < $1.agency }
        return HotspotReport(hotspots: hotspots, agencyRates: agencyRates, categories: summaries)
    }

    static func makeHotspot(_ members: [HotspotPoint], category: Category, config: HotspotConfig, now: Date) -> Hotspot {
        let recurrence = Recurrence.analyse(members, quietGap: config.quietGapDays * 86_400,
                                            window: config.repeatWindowDays * 86_400)
        let ids = members.map(\.id).sorted()
        let open = members.filter { $0.status.isOpen }.count
        let overdue = members.filter { $0.isOverdue(at: now, deadlineDays: category.deadlineDays) }.count
        let resolved = members.filter { $0.status == .resolved }.count
        let first = members.map(\.reportedAt).min()!, last = members.map(\.reportedAt).max()!
        let n = Double(members.count)
        let centroid = GeoPoint(lon: members.reduce(0) { $0 + $1.location.lon } / n,
                                lat: members.reduce(0) { $0 + $1.location.lat } / n)
        let shape: HotspotShape = ConvexHull.hull(members.map(\.location)).map { .polygon($0) } ?? .point(centroid)
        let components = config.weights.components(count: members.count, open: open, overdue: overdue,
                                                   lastReport: last, now: now, episodes: recurrence.episodes.count,
                                                   repeats: recurrence.repeats.count, severity: category.severity)
        return Hotspot(
            id: "\(category.code):\(ids[0])", category: category.code, memberIDs: ids, count: members.count,
            openCount: open, overdueCount: overdue, resolvedCount: resolved, firstReport: first, lastReport: last,
            episodes: recurrence.episodes, repeatAfterFix: recurrence.repeats,
            recurring: recurrence.episodes.count >= 2 || !recurrence.repeats.isEmpty,
            district: mode(members.compactMap(\.district)), settlement: mode(members.compactMap(\.settlement)),
            centroid: centroid, centroidX: members.reduce(0) { $0 + $1.x } / n,
            centroidY: members.reduce(0) { $0 + $1.y } / n, shape: shape,
            score: components.severityFactor * components.sum, components: components)
    }

    /// The most frequent value; ties go to the alphabetically first.
    static func mode(_ values: [String]) -> String? {
        var counts: [String: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }
}
