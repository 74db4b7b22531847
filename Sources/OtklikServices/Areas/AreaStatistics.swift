public import Foundation
public import OtklikCore

/// Districts and settlements joined with their complaint figures, for the choropleth collections, the
/// district tiles and the district report: one place computes them, so every output gives the same numbers.
public struct AreaStatistics: Sendable {
    let store: any IncidentRepository & AreaRepository
    let analysis: any AnalysisProvider
    let rollups: RollupCache

    public init(store: any IncidentRepository & AreaRepository, taxonomy: Taxonomy, analysis: any AnalysisProvider,
                ttl: TimeInterval) {
        self.store = store
        self.analysis = analysis
        self.rollups = RollupCache(store: store, taxonomy: taxonomy, ttl: ttl)
    }

    /// Complaints per 1,000 residents, to two decimals; nil without a population (never 0, which would read
    /// as "no complaints").
    public static func per1000(_ complaints: Int, _ population: Int?) -> Double? {
        guard let p = population, p > 0 else { return nil }
        return (Double(complaints) * 1000 / Double(p) * 100).rounded() / 100
    }

    /// Forgets the remembered counts (after a write).
    public func invalidate() { rollups.invalidate() }

    /// How long a request waits for new counts after a write when the last count of its filter took at least
    /// `after`; then it gets the last counts (default: 1 s and 1 s).
    public func setStalePolicy(wait: Duration, after: Duration) { rollups.setStalePolicy(wait: wait, after: after) }

    /// Every district with the complaints that pass `filter`. A district without its own population counts
    /// the people of its settlements. Recurring hotspots come from the analysis for the same filter, unless
    /// `withHotspots` is false (the district tiles do not show them and need not wait for an analysis).
    public func districts(filter: IncidentFilter = .all, withHotspots: Bool = true) async throws -> [DistrictFigure] {
        let areas = try await store.areas(level: .district)
        let settlements = try await store.areas(level: .settlement)
        // The counts and the analysis are independent: made (or waited for, after a write) side by side.
        async let counted = rollups.snapshot(filter)
        let recurring = withHotspots ? try await analysis.recurringHotspotsByDistrict(filter) : [:]
        let snap = try await counted
        var settlementPopulation: [String: Int] = [:]
        for s in settlements { if let parent = s.parent, let p = s.population { settlementPopulation[parent, default: 0] += p } }
        return areas.enumerated().map { i, a in
            let c = snap.byDistrict[a.name] ?? RollupCache.Counts()
            let population = a.population ?? settlementPopulation[a.name]
            let rollup = AreaCounts(name: a.name, complaints: c.complaints, open: c.open, overdue: c.overdue,
                                    population: population, per1000: Self.per1000(c.complaints, population),
                                    recurringHotspots: recurring.isEmpty ? nil : (recurring[a.name] ?? 0))
            return DistrictFigure(area: a, rowID: a.id ?? Int64(i + 1), figures: rollup)
        }
    }

    /// Every settlement with its complaints.
    public func settlements(filter: IncidentFilter = .all) async throws -> [SettlementFigure] {
        let areas = try await store.areas(level: .settlement)
        let snap = try await rollups.snapshot(filter)
        // Names repeat across districts; use the (name, district) key when the settlement names its district.
        var nameCount: [String: Int] = [:]
        for a in areas { nameCount[a.name, default: 0] += 1 }
        return areas.enumerated().map { i, a in
            let c: RollupCache.Counts
            if nameCount[a.name] == 1 {
                c = snap.bySettlementName[a.name] ?? RollupCache.Counts()
            } else {
                c = snap.bySettlement[RollupCache.SettlementKey(name: a.name, district: a.parent ?? "")] ?? RollupCache.Counts()
            }
            let rollup = AreaCounts(name: a.name, complaints: c.complaints, open: c.open, overdue: c.overdue,
                                    population: a.population, per1000: Self.per1000(c.complaints, a.population))
            return SettlementFigure(area: a, rowID: a.id ?? Int64(i + 1), figures: rollup)
        }
    }
}
