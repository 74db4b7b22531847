public import struct Foundation.Date
public import OtklikCore

/// Complaint figures for one district or settlement, for one category or all of them.
public struct AreaRollupRow: Sendable, Hashable {
    public var level: AreaLevel
    public var name: String
    /// For a settlement, its district (settlement names repeat across districts).
    public var district: String?
    /// nil: all categories together.
    public var category: String?
    public var population: Int?
    public var incidents: Int
    public var open: Int
    public var overdue: Int
    public var hotspots: Int
    public var recurringHotspots: Int
    /// incidents per 1,000 residents; nil without a positive population.
    public var perThousand: Double?
    /// Marshall's global empirical-Bayes rate per 1,000 residents (`EmpiricalBayes`), estimated over every area of
    /// the level with a population, including those with no complaints; nil without a positive population.
    public var smoothedPerThousand: Double?
}

/// Roll-ups per district and per settlement, by category and overall.
public enum AreaRollup {
    /// Rows for every area with at least one incident or hotspot (every known area too when `includeEmpty`),
    /// districts first, then settlements; inside a level and category, by smoothed rate (highest first, areas
    /// without population last), then incidents, then name. Categories: all first, then taxonomy order.
    ///
    /// Points are matched to areas by name: districts by `district`, settlements by (`settlement`, `district`)
    /// against the settlement's `parent`, or by name alone when only one settlement has that name.
    public static func compute(points: [HotspotPoint], hotspots: [Hotspot], areas: [Area], taxonomy: Taxonomy,
                               now: Date, includeEmpty: Bool = false) -> [AreaRollupRow] {
        struct Key: Hashable { var name: String; var district: String? }

        var districtPop: [String: Int?] = [:]
        var settlementPop: [Key: Int?] = [:]
        var settlementsByName: [String: [Key]] = [:]
        for a in areas {
            switch a.level {
            case .district: districtPop[a.name] = a.population
            case .settlement:
                let k = Key(name: a.name, district: a.parent)
                settlementPop[k] = a.population
                settlementsByName[a.name, default: []].append(k)
            }
        }
        func settlementKey(_ name: String, _ district: String?) -> Key {
            let k = Key(name: name, district: district)
            if settlementPop[k] != nil { return k }
            if let only = settlementsByName[name], only.count == 1 { return only[0] }
            return k
        }
        let deadlines = Dictionary(uniqueKeysWithValues: taxonomy.categories.map { ($0.code, $0.deadlineDays) })
        // tallies[level][category or ""][area]
        var districts: [String: [Key: Tally]] = [:]
        var settlements: [String: [Key: Tally]] = [:]
        for p in points {
            let overdue = deadlines[p.category].map { p.isOverdue(at: now, deadlineDays: $0) } ?? false
            for cat in ["", p.category] {
                if let d = p.district {
                    districts[cat, default: [:]][Key(name: d, district: nil), default: Tally()].add(p, overdue)
                }
                if let s = p.settlement {
                    settlements[cat, default: [:]][settlementKey(s, p.district), default: Tally()].add(p, overdue)
                }
            }
        }
        for h in hotspots {
            for cat in ["", h.category] {
                if let d = h.district {
                    districts[cat, default: [:]][Key(name: d, district: nil), default: Tally()].addHotspot(h)
                }
                if let s = h.settlement {
                    settlements[cat, default: [:]][settlementKey(s, h.district), default: Tally()].addHotspot(h)
                }
            }
        }
        let categories = [""] + taxonomy.codes
        var rows: [AreaRollupRow] = []
        for level in [AreaLevel.district, .settlement] {
            let known: [Key] = level == .district ? districtPop.keys.map { Key(name: $0, district: nil) } : Array(settlementPop.keys)
            func population(_ k: Key) -> Int? {
                level == .district ? (districtPop[k.name] ?? nil) : (settlementPop[k] ?? nil)
            }
            for cat in categories {
                let tallies = (level == .district ? districts[cat] : settlements[cat]) ?? [:]
                var keys = Set(tallies.keys)
                if includeEmpty { keys.formUnion(known) }
                // EB over every populated area of the level, with zeros where nothing was reported.
                let universe = Array(Set(known).union(keys))
                let eb = EmpiricalBayes.rates(events: universe.map { Double(tallies[$0]?.incidents ?? 0) },
                                              population: universe.map { population($0).map { Double($0) } })
                var smoothed: [Key: Double] = [:]
                for (i, k) in universe.enumerated() { if let r = eb[i] { smoothed[k] = r * 1000 } }
                var levelRows: [AreaRollupRow] = []
                for k in keys {
                    let t = tallies[k] ?? Tally()
                    let pop = population(k)
                    let per = pop.flatMap { $0 > 0 ? Double(t.incidents) / Double($0) * 1000 : nil }
                    levelRows.append(AreaRollupRow(level: level, name: k.name, district: k.district,
                                                   category: cat.isEmpty ? nil : cat, population: pop,
                                                   incidents: t.incidents, open: t.open, overdue: t.overdue,
                                                   hotspots: t.hotspots, recurringHotspots: t.recurring,
                                                   perThousand: per, smoothedPerThousand: smoothed[k]))
                }
                levelRows.sort { a, b in
                    let ra = a.smoothedPerThousand ?? -1, rb = b.smoothedPerThousand ?? -1
                    if ra != rb { return ra > rb }
                    if a.incidents != b.incidents { return a.incidents > b.incidents }
                    return (a.name, a.district ?? "") < (b.name, b.district ?? "")
                }
                rows += levelRows
            }
        }
        return rows
    }
}

/// Running totals for one area.
private struct Tally {
    var incidents = 0, open = 0, overdue = 0, hotspots = 0, recurring = 0

    mutating func add(_ p: HotspotPoint, _ isOverdue: Bool) {
        incidents += 1
        if p.status.isOpen { open += 1 }
        if isOverdue { overdue += 1 }
    }

    mutating func addHotspot(_ h: Hotspot) {
        hotspots += 1
        if h.recurring { recurring += 1 }
    }
}
