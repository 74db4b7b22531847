import Foundation
import OtklikCore

/// Complaint, open and overdue counts per district and per settlement, from one grouped count in the store,
/// and reused for a while: choropleth layers are read far more often than the data changes. Writes invalidate
/// it. Counts of a few filters are kept (the least recently used goes first), so that a filtered district layer
/// does not count again for every tile. Callers asking for a filter that is being counted share that count.
final class RollupCache: Sendable {
    struct Counts: Sendable, Hashable { var complaints = 0; var open = 0; var overdue = 0 }

    struct Snapshot: Sendable {
        var byDistrict: [String: Counts]
        /// Keyed by settlement name and district name, because names repeat (there are several Сосновка).
        var bySettlement: [SettlementKey: Counts]
        var bySettlementName: [String: Counts]
        var total: Int
    }

    struct SettlementKey: Hashable, Sendable { var name: String; var district: String }

    private let store: any IncidentRepository
    private let taxonomy: Taxonomy
    private let ttl: Double
    /// Filters remembered at once; each snapshot is a few hundred small entries. A count that took a second or
    /// more (about 10 s at 10M rows on SQLite) answers, after a second, while it is made again after a write: on a
    /// busy large store the figures trail the writes by one count rather than every request waiting for its own.
    private let cache = AnalysisCache<Snapshot>(maxEntries: 32, maxBytes: Int.max,
                                                stale: .init(wait: .seconds(1), after: .seconds(1)), cost: { _ in 1 })

    init(store: any IncidentRepository, taxonomy: Taxonomy, ttl: Double) {
        self.store = store
        self.taxonomy = taxonomy
        self.ttl = ttl
    }

    /// Makes every remembered count out of date (after a write).
    func invalidate() { cache.invalidate() }

    /// How long a request waits for a new count when the last count of its filter took at least `after`.
    func setStalePolicy(wait: Duration, after: Duration) { cache.setStalePolicy(.init(wait: wait, after: after)) }

    /// The counts for `filter`: remembered ones younger than the TTL and made since the last write, or one
    /// grouped count in the store (the database does the counting, so 10M rows are seconds, not a scan through
    /// the service).
    func snapshot(_ filter: IncidentFilter = .all, now: Date = Date()) async throws -> Snapshot {
        let (store, cutoffs) = (self.store, AreaCountRow.overdueCutoffs(taxonomy, now: now))
        return try await cache.value(for: filter.key, ttl: ttl) {
            Self.snapshot(of: try await store.areaCounts(IncidentQuery(filter), overdueBefore: cutoffs))
        }
    }

    static func snapshot(of rows: [AreaCountRow]) -> Snapshot {
        var s = Snapshot(byDistrict: [:], bySettlement: [:], bySettlementName: [:], total: 0)
        for r in rows {
            let c = Counts(complaints: r.complaints, open: r.open, overdue: r.overdue)
            s.total += r.complaints
            if let d = r.district { s.byDistrict[d, default: Counts()].add(c) }
            if let name = r.settlement {
                s.bySettlement[SettlementKey(name: name, district: r.district ?? ""), default: Counts()].add(c)
                s.bySettlementName[name, default: Counts()].add(c)
            }
        }
        return s
    }
}

extension RollupCache.Counts {
    mutating func add(_ other: Self) {
        complaints += other.complaints
        open += other.open
        overdue += other.overdue
    }
}
