public import Foundation
public import OtklikCore
import Synchronization

/// The store as the server holds it: every call goes to `base`, and whatever a write made stale goes at once,
/// whoever wrote it (see `apply`). A write through the server applies its own change before it returns; the
/// changes other writers commit (other instances, an import beside the server) come from the store's
/// `StoreChangeFeed` and are applied the same way.
///
/// Counts are remembered because an OGC items page reports `numberMatched`, and counting a district's 64,000
/// incidents cost more than reading and encoding the 1,000 of the page. A count is reused until the next
/// change applied, and for at most `countTTL` seconds, which bounds how stale it can be should a change never
/// be reported (a writer that does not tell, such as an older `otklik` on the same file).
public final class ServingStore: IncidentRepository, AreaRepository, DatabaseSizeReporting, @unchecked Sendable {
    public let base: any IncidentStore
    public let tiles: TileState
    /// District and settlement names and the region's extent; replacing areas here reads them again.
    public let places: PlaceResolver

    public let countTTL: TimeInterval
    private let counts = Mutex<[IncidentQuery: (count: Int, generation: UInt64, at: Date)]>([:])

    /// Drops the figures made from every incident: the hotspot analyses and the area rollups.
    private let dropFigures: @Sendable () async -> Void

    /// - Parameter dropFigures: forgets the remembered figures that count every incident (hotspots, rollups).
    public init(_ base: any IncidentStore, tiles: TileState = TileState(), countTTL: TimeInterval = 30,
                dropFigures: @escaping @Sendable () async -> Void = {}) {
        self.base = base
        self.tiles = tiles
        self.countTTL = countTTL
        self.places = PlaceResolver(store: base)
        self.dropFigures = dropFigures
    }

    /// Drops exactly what `change` made stale. Incidents written at known points: the incident tiles that draw
    /// them (their own tile and the neighbours whose buffer reaches them, at every zoom; untouched tiles stay
    /// cached with their ETags), the in-memory tile points around them, and the district and hotspot layers,
    /// every remembered count, the hotspot analyses and the area rollups, which all count every incident.
    /// Everything: all of that, every tile, and the area names too.
    public func apply(_ change: StoreChange) async {
        switch change {
        case .written(let points):
            guard !points.isEmpty else { return }
            tiles.incidentWritten(at: points)
        case .everything:
            places.invalidate()
            tiles.everythingChanged()
        }
        await dropFigures()
    }

    public func insert(_ incidents: [Incident], actor: String) async throws -> [InsertOutcome] {
        let outcomes = try await base.insert(incidents, actor: actor)
        // A replay of a known (source, external_id) writes nothing, so it touches no tile.
        await apply(.written(zip(incidents, outcomes).filter { $0.1.created }.map { $0.0.location }))
        return outcomes
    }

    public func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, at: Date) async throws -> Incident {
        let updated = try await base.changeStatus(id: id, to: to, actor: actor, note: note, at: at)
        await apply(.written([updated.location]))
        return updated
    }

    public func replaceAreas(_ areas: [Area], level: AreaLevel) async throws -> Int {
        let n = try await base.replaceAreas(areas, level: level)
        // Districts and settlements of every incident are derived again: every tile may change.
        await apply(.everything)
        return n
    }

    public func incident(id: Int64) async throws -> Incident? { try await base.incident(id: id) }
    public func incidents(_ query: IncidentQuery) async throws -> [Incident] { try await base.incidents(query) }
    public func incidentText(_ query: IncidentQuery) async throws -> IncidentTextPage { try await base.incidentText(query) }
    public func count(_ query: IncidentQuery) async throws -> Int {
        guard query.afterID == nil else { return try await base.count(query) }
        var key = query
        key.offset = 0
        key.limit = nil
        key.order = .idAscending
        let generation = tiles.currentGeneration
        let now = Date()
        if let hit = counts.withLock({ $0[key] }), hit.generation == generation, now.timeIntervalSince(hit.at) < countTTL {
            return hit.count
        }
        let n = try await base.count(query)
        counts.withLock { memo in
            if memo.count >= 512 { memo.removeAll() }
            memo[key] = (n, generation, now)
        }
        return n
    }
    public func scan(_ query: IncidentQuery, chunkSize: Int, _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        try await base.scan(query, chunkSize: chunkSize, body)
    }
    public func scanForAnalysis(_ query: IncidentQuery, chunkSize: Int, _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        try await base.scanForAnalysis(query, chunkSize: chunkSize, body)
    }
    public func events(incidentID: Int64) async throws -> [StatusEvent] { try await base.events(incidentID: incidentID) }
    public func allEvents(since: Date?) async throws -> [StatusEvent] { try await base.allEvents(since: since) }
    public func nearby(_ point: GeoPoint, radius: Double, query: IncidentQuery) async throws -> [(Incident, Double)] {
        try await base.nearby(point, radius: radius, query: query)
    }
    public func stats(_ query: IncidentQuery) async throws -> IncidentStats { try await base.stats(query) }
    public func areaCounts(_ query: IncidentQuery, overdueBefore: [String: Date]) async throws -> [AreaCountRow] {
        try await base.areaCounts(query, overdueBefore: overdueBefore)
    }
    public func extent(_ query: IncidentQuery) async throws -> Extent { try await base.extent(query) }
    public func areas(level: AreaLevel) async throws -> [Area] { try await base.areas(level: level) }
    public func databaseSize() throws -> Int64 { try base.databaseSize() }
}
