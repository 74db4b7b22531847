import Foundation
import OtklikCore

/// Districts and settlements joined with their complaint statistics, for the choropleth collections and the
/// district report.
struct AreaStatistics: Sendable {
    let services: AppServices

    struct Row: Sendable {
        var id: String
        var area: Area
        var rollup: AreaRollup
        var properties: [(String, JSONValue)]
    }

    static func per1000(_ complaints: Int, _ population: Int?) -> Double? {
        guard let p = population, p > 0 else { return nil }
        return (Double(complaints) * 1000 / Double(p) * 100).rounded() / 100
    }

    func districts(filter: AnalysisFilter = AnalysisFilter()) async throws -> [Row] {
        let areas = try await services.store.areas(level: .district)
        let settlements = try await services.store.areas(level: .settlement)
        let snap = try await services.rollups.snapshot()
        let recurring = try await services.analysis.recurringHotspotsByDistrict(filter)
        // A district without its own population counts the people of its settlements.
        var settlementPopulation: [String: Int] = [:]
        for s in settlements { if let parent = s.parent, let p = s.population { settlementPopulation[parent, default: 0] += p } }
        return areas.enumerated().map { i, a in
            let c = snap.byDistrict[a.name] ?? RollupCache.Counts()
            let population = a.population ?? settlementPopulation[a.name]
            let rollup = AreaRollup(name: a.name, complaints: c.complaints, open: c.open, overdue: c.overdue,
                                    population: population, per1000: Self.per1000(c.complaints, population),
                                    recurringHotspots: recurring.isEmpty ? nil : (recurring[a.name] ?? 0))
            let id = String(a.id ?? Int64(i + 1))
            let props: [(String, JSONValue)] = [
                ("id", .number(Double(id) ?? 0)), ("name", .string(a.name)), ("kind", .optional(a.kind)),
                ("population", population.map { .int($0) } ?? .null), ("approximate", .bool(a.approximate)),
                ("complaints", .int(c.complaints)), ("open", .int(c.open)), ("overdue", .int(c.overdue)),
                ("per_1000", rollup.per1000.map { .number($0) } ?? .null),
                ("recurring_hotspots", rollup.recurringHotspots.map { .int($0) } ?? .null),
            ]
            return Row(id: id, area: a, rollup: rollup, properties: props)
        }
    }

    func settlements() async throws -> [Row] {
        let areas = try await services.store.areas(level: .settlement)
        let snap = try await services.rollups.snapshot()
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
            let rollup = AreaRollup(name: a.name, complaints: c.complaints, open: c.open, overdue: c.overdue,
                                    population: a.population, per1000: Self.per1000(c.complaints, a.population))
            let id = String(a.id ?? Int64(i + 1))
            let props: [(String, JSONValue)] = [
                ("id", .number(Double(id) ?? 0)), ("name", .string(a.name)), ("district", .optional(a.parent)),
                ("kind", .optional(a.kind)), ("population", a.population.map { .int($0) } ?? .null),
                ("complaints", .int(c.complaints)), ("open", .int(c.open)), ("overdue", .int(c.overdue)),
                ("per_1000", rollup.per1000.map { .number($0) } ?? .null),
            ]
            return Row(id: id, area: a, rollup: rollup, properties: props)
        }
    }
}
