import Foundation
import OtklikCore
import Synchronization

/// Complaint, open and overdue counts per district and per settlement, computed from one scan of the store
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

    init(store: any IncidentRepository, taxonomy: Taxonomy, ttl: Double) {
        self.store = store
        self.taxonomy = taxonomy
        self.ttl = ttl
    }

    func invalidate() {
        cached.removeAll()
        generation += 1
    }

    func snapshot(_ filter: IncidentFilter = .all, now: Date = Date()) async throws -> Snapshot {
        let key = filter.key
        clock += 1
        if let c = cached[key], now.timeIntervalSince(c.at) < ttl {
            cached[key]?.used = clock
            return c.snapshot
        }
        let startGeneration = generation
        let box = Box()
        let taxonomy = self.taxonomy
        try await store.scanForAnalysis(IncidentQuery(filter), chunkSize: 10_000) { chunk in
            box.state.withLock { s in
                for inc in chunk {
                    let open = inc.status.isOpen
                    let overdue = inc.isOverdue(at: now, taxonomy: taxonomy)
                    s.total += 1
                    if let d = inc.district { s.byDistrict[d, default: Counts()].add(open: open, overdue: overdue) }
                    if let name = inc.settlement {
                        s.bySettlement[SettlementKey(name: name, district: inc.district ?? ""), default: Counts()].add(open: open, overdue: overdue)
                        s.bySettlementName[name, default: Counts()].add(open: open, overdue: overdue)
                    }
                }
            }
        }
        let snap = box.state.withLock { $0 }
        if generation == startGeneration {
            if cached.count >= Self.capacity, let oldest = cached.min(by: { $0.value.used < $1.value.used })?.key {
                cached.removeValue(forKey: oldest)
            }
            cached[key] = (now, clock, snap)
        }
        return snap
    }

    private final class Box: Sendable {
        let state = Mutex(Snapshot(byDistrict: [:], bySettlement: [:], bySettlementName: [:], total: 0))
    }
}

extension RollupCache.Counts {
    mutating func add(open: Bool, overdue: Bool) {
        complaints += 1
        if open { self.open += 1 }
        if overdue { self.overdue += 1 }
    }
}
