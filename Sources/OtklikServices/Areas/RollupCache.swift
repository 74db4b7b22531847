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
    /// A remembered count: when it was made, how long it took, and the `generation` its count began in (one of an
    /// earlier generation is out of date, kept only to answer while a slow count is made again).
    private struct Entry { var at: Date; var used: UInt64; var snapshot: Snapshot; var seconds: Double; var generation: Int }
    private var cached: [String: Entry] = [:]
    private var clock: UInt64 = 0
    /// Filters remembered at once; each snapshot is a few hundred small entries.
    static let capacity = 32
    private var generation = 0
    /// Counts being made, by filter key, with when they began.
    private var counting: [String: (task: Task<Snapshot, any Error>, since: ContinuousClock.Instant)] = [:]
    private var stale: (wait: Duration, after: Duration) = (.seconds(1), .seconds(1))

    init(store: any IncidentRepository, taxonomy: Taxonomy, ttl: Double) {
        self.store = store
        self.taxonomy = taxonomy
        self.ttl = ttl
    }

    /// Makes every remembered count out of date (after a write); each stays to answer while a slow one is redone.
    func invalidate() {
        counting.removeAll()
        generation += 1
    }

    /// How long a request waits for a new count when the last count of its filter took at least `after`.
    func setStalePolicy(wait: Duration, after: Duration) { stale = (wait, after) }

    /// The counts for `filter`: remembered ones younger than the TTL and made since the last write, or one
    /// grouped count in the store (the database does the counting, so 10M rows are seconds, not a scan through
    /// the service). Callers asking for a filter that is being counted share that count. When the last count of
    /// the filter took a second or more (about 10 s at 10M rows on SQLite), a caller waits for the new one until a
    /// second after it began, then gets the last one; on a busy large store the figures then trail the writes by
    /// one count rather than every request after a write waiting for its own.
    func snapshot(_ filter: IncidentFilter = .all, now: Date = Date()) async throws -> Snapshot {
        let key = filter.key
        clock += 1
        let last = cached[key]
        if let c = last {
            cached[key]?.used = clock
            if c.generation == generation, now.timeIntervalSince(c.at) < ttl { return c.snapshot }
        }
        let task = counting[key]?.task ?? count(key: key, filter: filter, now: now)
        guard let last, last.seconds >= HotspotService.seconds(stale.after) else { return try await task.value }
        let left = stale.wait - (counting[key].map { ContinuousClock.now - $0.since } ?? .zero)
        if left > .zero, case .success(let current)? = await HotspotService.result(of: task, within: left) { return current }
        return last.snapshot
    }

    /// Starts the grouped count for `filter`; it keeps its result when it ends, whoever still waits for it.
    private func count(key: String, filter: IncidentFilter, now: Date) -> Task<Snapshot, any Error> {
        let began = generation
        let (store, cutoffs) = (self.store, AreaCountRow.overdueCutoffs(taxonomy, now: now))
        let task = Task {
            let started = ContinuousClock.now
            let result: Result<Snapshot, any Error>
            do { result = .success(try Self.snapshot(of: try await store.areaCounts(IncidentQuery(filter), overdueBefore: cutoffs))) }
            catch { result = .failure(error) }
            await self.finish(key, result, at: now, seconds: HotspotService.seconds(ContinuousClock.now - started), generation: began)
            return try result.get()
        }
        counting[key] = (task, .now)
        return task
    }

    private func finish(_ key: String, _ result: Result<Snapshot, any Error>, at: Date, seconds: Double, generation began: Int) {
        if began == generation { counting[key] = nil }
        guard case .success(let snap) = result else { return }
        // A count begun before a write is still newer than the one it replaces, but never replaces one begun later.
        if let e = cached[key], e.generation > began { return }
        if cached[key] == nil, cached.count >= Self.capacity,
           let oldest = cached.min(by: { $0.value.used < $1.value.used })?.key {
            cached.removeValue(forKey: oldest)
        }
        clock += 1
        cached[key] = Entry(at: at, used: clock, snapshot: snap, seconds: seconds, generation: began)
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
