import Foundation
import OtklikCore

/// Complaint, open and overdue counts per district and per settlement, from one grouped count in the store,
/// and reused for a while: choropleth layers are read far more often than the data changes. Writes through the
/// API invalidate it. Counts of a few filters are kept (the least recently used goes first), so that a
/// filtered district layer does not scan again for every tile.
actor RollupCache {
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
    private var cached: [String: (at: Date, used: UInt64, snapshot: Snapshot)] = [:]
    private var clock: UInt64 = 0
    /// Filters remembered at once; each snapshot is a few hundred small entries.
    static let capacity = 32
    private var generation = 0
    /// Counts being made, by filter key.
    private var counting: [String: Task<Snapshot, any Error>] = [:]

    init(store: any IncidentRepository, taxonomy: Taxonomy, ttl: Double) {
        self.store = store
        self.taxonomy = taxonomy
        self.ttl = ttl
    }

    func invalidate() {
        cached.removeAll()
        counting.removeAll()
        generation += 1
    }

    /// The counts for `filter`: remembered ones younger than the TTL, or one grouped count in the store (the
    /// database does the counting, so 10M rows are seconds, not a scan through the service). Callers asking for
    /// a filter that is being counted wait for that count instead of starting their own.
    func snapshot(_ filter: IncidentFilter = .all, now: Date = Date()) async throws -> Snapshot {
        let key = filter.key
        clock += 1
        if let c = cached[key], now.timeIntervalSince(c.at) < ttl {
            cached[key]?.used = clock
            return c.snapshot
        }
        if let running = counting[key] { return try await running.value }
        let startGeneration = generation
        let (store, cutoffs) = (self.store, AreaCountRow.overdueCutoffs(taxonomy, now: now))
        let task = Task { try Self.snapshot(of: try await store.areaCounts(IncidentQuery(filter), overdueBefore: cutoffs)) }
        counting[key] = task
        defer { if generation == startGeneration { counting[key] = nil } }
        let snap = try await task.value
        if generation == startGeneration {
            if cached.count >= Self.capacity, let oldest = cached.min(by: { $0.value.used < $1.value.used })?.key {
                cached.removeValue(forKey: oldest)
            }
            cached[key] = (now, clock, snap)
        }
        return snap
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
