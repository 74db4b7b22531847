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
        // Tallies in flat arrays indexed [category slot][area index]; slot 0 is all categories. Names are hashed
        // once per point (a million string-keyed dictionary updates per level would dominate the cost).
        let codes = taxonomy.codes
        let slot = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0 + 1) })
        var districtIndex: [String: Int] = [:], districtKeys: [Key] = []
        var settlementIndex: [Key: Int] = [:], settlementKeys: [Key] = []
        var dT = [[Tally]](repeating: [], count: codes.count + 1)
        var sT = [[Tally]](repeating: [], count: codes.count + 1)
        func districtSlot(_ name: String) -> Int {
            if let i = districtIndex[name] { return i }
            let i = districtKeys.count
            districtIndex[name] = i
            districtKeys.append(Key(name: name, district: nil))
            for c in dT.indices { dT[c].append(Tally()) }
            return i
        }
        var resolved: [Key: Int] = [:]
        func settlementSlot(_ name: String, _ district: String?) -> Int {
            let raw = Key(name: name, district: district)
            if let i = resolved[raw] { return i }
            let k = settlementKey(name, district)
            let i: Int
            if let known = settlementIndex[k] {
                i = known
            } else {
                i = settlementKeys.count
                settlementIndex[k] = i
                settlementKeys.append(k)
                for c in sT.indices { sT[c].append(Tally()) }
            }
            resolved[raw] = i
            return i
        }
        let deadlines = Dictionary(uniqueKeysWithValues: taxonomy.categories.map { ($0.code, $0.deadlineDays) })
        for p in points {
            let overdue = deadlines[p.category].map { p.isOverdue(at: now, deadlineDays: $0) } ?? false
            let c = slot[p.category]
            if let d = p.district {
                let a = districtSlot(d)
                dT[0][a].add(p, overdue)
                if let c { dT[c][a].add(p, overdue) }
            }
            if let name = p.settlement {
                let a = settlementSlot(name, p.district)
                sT[0][a].add(p, overdue)
                if let c { sT[c][a].add(p, overdue) }
            }
        }
        for h in hotspots {
            let c = slot[h.category]
            if let d = h.district {
                let a = districtSlot(d)
                dT[0][a].addHotspot(h)
                if let c { dT[c][a].addHotspot(h) }
            }
            if let name = h.settlement {
                let a = settlementSlot(name, h.district)
                sT[0][a].addHotspot(h)
                if let c { sT[c][a].addHotspot(h) }
            }
        }
        func nonEmpty(_ tallies: [Tally], _ keys: [Key]) -> [Key: Tally] {
            var out: [Key: Tally] = [:]
            for (i, t) in tallies.enumerated() where t.incidents > 0 || t.hotspots > 0 { out[keys[i]] = t }
            return out
        }
        var districts: [String: [Key: Tally]] = [:]
        var settlements: [String: [Key: Tally]] = [:]
        for (k, code) in ([""] + codes).enumerated() {
            districts[code] = nonEmpty(dT[k], districtKeys)
            settlements[code] = nonEmpty(sT[k], settlementKeys)
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
