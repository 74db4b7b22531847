import Foundation
import OtklikCore
import Synchronization

/// A second, trivially correct implementation of the storage ports: the HTTP layer's behaviour (paging,
/// filters, auth, problems) is checked against it in milliseconds, and against SpatiaLite in `SpatiaLiteStoreTests`.
final class MemoryStore: IncidentRepository, AreaRepository, Sendable {
    private struct State {
        var incidents: [Incident] = []
        var events: [StatusEvent] = []
        var areas: [AreaLevel: [Area]] = [:]
    }
    private let state = Mutex(State())

    private func locator(_ s: State) -> AreaLocator {
        AreaLocator(districts: s.areas[.district] ?? [], settlements: s.areas[.settlement] ?? []) { a, b in
            let dx = (a.lon - b.lon) * 111_000 * cos(a.lat * .pi / 180), dy = (a.lat - b.lat) * 111_000
            return (dx * dx + dy * dy).squareRoot()
        }
    }

    func insert(_ incidents: [Incident], actor: String) async throws -> [InsertOutcome] {
        state.withLock { s in
            let loc = locator(s)
            var out: [InsertOutcome] = []
            for var inc in incidents {
                if let existing = s.incidents.first(where: { $0.source == inc.source && $0.externalID == inc.externalID }) {
                    out.append(InsertOutcome(id: existing.id!, created: false))
                    continue
                }
                inc.id = Int64(s.incidents.count + 1)
                let a = loc.assign(inc.location)
                inc.district = a.district
                inc.settlement = a.settlement
                s.incidents.append(inc)
                s.events.append(StatusEvent(incidentID: inc.id!, from: nil, to: inc.status, at: inc.reportedAt, actor: actor, note: ""))
                out.append(InsertOutcome(id: inc.id!, created: true))
            }
            return out
        }
    }

    func incident(id: Int64) async throws -> Incident? {
        state.withLock { s in s.incidents.first { $0.id == id } }
    }

    private func matching(_ q: IncidentQuery) -> [Incident] {
        var list = state.withLock { $0.incidents }.filter { i in
            (q.bbox.map { $0.contains(i.location) } ?? true) && q.window.contains(i.reportedAt)
                && (q.categories.isEmpty || q.categories.contains(i.category))
                && (q.statuses.isEmpty || q.statuses.contains(i.status))
                && (q.district.map { $0 == i.district } ?? true) && (q.settlement.map { $0 == i.settlement } ?? true)
                && (q.ids.map { $0.contains(i.id!) } ?? true) && (q.afterID.map { i.id! > $0 } ?? true)
        }
        if q.order == .reportedDescending { list.sort { $0.reportedAt > $1.reportedAt } }
        return list
    }

    func incidents(_ query: IncidentQuery) async throws -> [Incident] {
        let all = matching(query).dropFirst(query.offset)
        return Array(query.limit.map { all.prefix($0) } ?? all)
    }

    func count(_ query: IncidentQuery) async throws -> Int { matching(query).count }

    func scan(_ query: IncidentQuery, chunkSize: Int, _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        let all = matching(query)
        for start in stride(from: 0, to: all.count, by: chunkSize) {
            try await body(Array(all[start..<min(all.count, start + chunkSize)]))
        }
    }

    func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, at: Date) async throws -> Incident {
        try state.withLock { s in
            guard let i = s.incidents.firstIndex(where: { $0.id == id }) else { throw DomainError.notFound(what: "incident", id: String(id)) }
            let from = s.incidents[i].status
            guard from.canTransition(to: to) else { throw DomainError.illegalTransition(id: id, from: from, to: to) }
            s.incidents[i].status = to
            s.incidents[i].resolvedAt = to.isOpen ? nil : at
            s.events.append(StatusEvent(incidentID: id, from: from, to: to, at: at, actor: actor, note: note))
            return s.incidents[i]
        }
    }

    func events(incidentID: Int64) async throws -> [StatusEvent] {
        state.withLock { $0.events.filter { $0.incidentID == incidentID } }
    }

    func allEvents(since: Date?) async throws -> [StatusEvent] {
        state.withLock { $0.events.filter { since == nil || $0.at >= since! } }
    }

    func nearby(_ point: GeoPoint, radius: Double, query: IncidentQuery) async throws -> [(Incident, Double)] {
        matching(query).compactMap { i -> (Incident, Double)? in
            let dx = (i.location.lon - point.lon) * 111_000 * cos(point.lat * .pi / 180), dy = (i.location.lat - point.lat) * 111_000
            let d = (dx * dx + dy * dy).squareRoot()
            return d <= radius ? (i, d) : nil
        }.sorted { $0.1 < $1.1 }
    }

    func stats(_ query: IncidentQuery) async throws -> IncidentStats {
        let m = matching(query)
        return IncidentStats(total: m.count, byDistrict: Dictionary(grouping: m, by: { $0.district ?? "" }).mapValues(\.count),
                             byCategory: Dictionary(grouping: m, by: \.category).mapValues(\.count),
                             byStatus: Dictionary(grouping: m, by: \.status.rawValue).mapValues(\.count))
    }

    func extent(_ query: IncidentQuery) async throws -> Extent {
        let m = matching(query)
        return Extent(bbox: BBox.enclosing(m.map(\.location)), first: m.map(\.reportedAt).min(), last: m.map(\.reportedAt).max())
    }

    func replaceAreas(_ areas: [Area], level: AreaLevel) async throws -> Int {
        state.withLock { s in
            s.areas[level] = areas.enumerated().map { i, a in var a = a; a.id = Int64(i + 1); return a }
            let loc = locator(s)
            for i in s.incidents.indices {
                let a = loc.assign(s.incidents[i].location)
                s.incidents[i].district = a.district
                s.incidents[i].settlement = a.settlement
            }
            return areas.count
        }
    }

    func areas(level: AreaLevel) async throws -> [Area] {
        state.withLock { $0.areas[level] ?? [] }
    }
}
