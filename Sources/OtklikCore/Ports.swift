public import struct Foundation.Date

/// Which incidents: the one filter that the store, the analyses and the tiles all take. Every part combines
/// with AND; an empty list or nil means "any".
public struct IncidentFilter: Sendable, Hashable {
    public var bbox: BBox?
    public var window: TimeWindow
    public var categories: [String]
    public var statuses: [IncidentStatus]
    public var district: String?
    public var settlement: String?

    /// Every incident.
    public static let all = IncidentFilter()

    public init(bbox: BBox? = nil, window: TimeWindow = .all, categories: [String] = [], statuses: [IncidentStatus] = [],
                district: String? = nil, settlement: String? = nil) {
        self.bbox = bbox
        self.window = window
        self.categories = categories
        self.statuses = statuses
        self.district = district
        self.settlement = settlement
    }

    /// The same filter with another box.
    public func with(bbox: BBox?) -> IncidentFilter {
        var f = self
        f.bbox = bbox
        return f
    }

    /// A canonical text form (for cache keys): equal filters give equal keys, whatever the order of their lists.
    public var key: String {
        var parts: [String] = []
        if let b = bbox { parts.append("bbox=\(b.minLon),\(b.minLat),\(b.maxLon),\(b.maxLat)") }
        if let s = window.start { parts.append("start=\(s.timeIntervalSince1970)") }
        if let e = window.end { parts.append("end=\(e.timeIntervalSince1970)") }
        if !categories.isEmpty { parts.append("category=" + Set(categories).sorted().joined(separator: ",")) }
        if !statuses.isEmpty { parts.append("status=" + Set(statuses.map(\.rawValue)).sorted().joined(separator: ",")) }
        if let d = district { parts.append("district=" + d) }
        if let s = settlement { parts.append("settlement=" + s) }
        return parts.joined(separator: "|")
    }
}

/// What to read from the incident store: a filter, plus paging and order.
public struct IncidentQuery: Sendable, Hashable {
    public enum Order: Sendable, Hashable { case idAscending, reportedDescending }
    public var filter: IncidentFilter
    public var ids: [Int64]?
    /// Keyset paging: only ids greater than this (with `.idAscending`).
    public var afterID: Int64?
    public var offset: Int
    public var limit: Int?
    public var order: Order

    public var bbox: BBox? { get { filter.bbox } set { filter.bbox = newValue } }
    public var window: TimeWindow { get { filter.window } set { filter.window = newValue } }
    public var categories: [String] { get { filter.categories } set { filter.categories = newValue } }
    public var statuses: [IncidentStatus] { get { filter.statuses } set { filter.statuses = newValue } }
    public var district: String? { get { filter.district } set { filter.district = newValue } }
    public var settlement: String? { get { filter.settlement } set { filter.settlement = newValue } }

    public init(_ filter: IncidentFilter, ids: [Int64]? = nil, afterID: Int64? = nil, offset: Int = 0, limit: Int? = nil,
                order: Order = .idAscending) {
        self.filter = filter
        self.ids = ids
        self.afterID = afterID
        self.offset = offset
        self.limit = limit
        self.order = order
    }

    public init(bbox: BBox? = nil, window: TimeWindow = .all, categories: [String] = [], statuses: [IncidentStatus] = [],
                district: String? = nil, settlement: String? = nil, ids: [Int64]? = nil, afterID: Int64? = nil,
                offset: Int = 0, limit: Int? = nil, order: Order = .idAscending) {
        self.init(IncidentFilter(bbox: bbox, window: window, categories: categories, statuses: statuses,
                                 district: district, settlement: settlement),
                  ids: ids, afterID: afterID, offset: offset, limit: limit, order: order)
    }
}

/// The result of writing one incident: its id, and whether it was new or already known by
/// (source, external_id).
public struct InsertOutcome: Sendable, Hashable {
    public var id: Int64
    public var created: Bool
    public init(id: Int64, created: Bool) {
        self.id = id
        self.created = created
    }
}

/// Complaints, open complaints and overdue complaints of one (district, settlement) pair: a row of the counts
/// behind the choropleths and the area reports.
public struct AreaCountRow: Sendable, Hashable {
    public var district: String?
    public var settlement: String?
    public var complaints: Int
    public var open: Int
    public var overdue: Int
    public init(district: String?, settlement: String?, complaints: Int, open: Int, overdue: Int) {
        self.district = district
        self.settlement = settlement
        self.complaints = complaints
        self.open = open
        self.overdue = overdue
    }

    /// Each category's overdue cutoff at `now`: an open complaint reported before it is past its deadline
    /// (`Incident.isOverdue`). Categories without a deadline have none.
    public static func overdueCutoffs(_ taxonomy: Taxonomy, now: Date) -> [String: Date] {
        var out: [String: Date] = [:]
        for code in taxonomy.codes { if let c = taxonomy[code] { out[code] = now.addingTimeInterval(-Double(c.deadlineDays) * 86_400) } }
        return out
    }

    /// The statuses counted as open.
    public static let openStatuses = IncidentStatus.allCases.filter(\.isOpen).map(\.rawValue)
}

/// Counts for `otklik stats` and the reports.
public struct IncidentStats: Sendable, Hashable {
    public var total: Int
    public var byDistrict: [String: Int]
    public var byCategory: [String: Int]
    public var byStatus: [String: Int]
    public init(total: Int, byDistrict: [String: Int], byCategory: [String: Int], byStatus: [String: Int]) {
        self.total = total
        self.byDistrict = byDistrict
        self.byCategory = byCategory
        self.byStatus = byStatus
    }
}

public struct Extent: Sendable, Hashable {
    public var bbox: BBox?
    public var first: Date?
    public var last: Date?
    public init(bbox: BBox?, first: Date?, last: Date?) {
        self.bbox = bbox
        self.first = first
        self.last = last
    }
}

/// Errors of the domain that any backend reports the same way; the HTTP layer maps them to 404/409/503.
public enum DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(what: String, id: String)
    case illegalTransition(id: Int64, from: IncidentStatus, to: IncidentStatus)
    case conflict(String)
    /// The store cannot take this write now but will soon (a bulk load into an empty database has not built
    /// its key yet); a client should send it again after `retryAfter` seconds.
    case unavailable(String, retryAfter: Int)

    public var description: String {
        switch self {
        case .notFound(let what, let id): return "\(what) '\(id)' not found"
        case .illegalTransition(let id, let from, let to):
            return "incident \(id): status cannot change from \(from.rawValue) to \(to.rawValue)"
        case .conflict(let text): return text
        case .unavailable(let text, _): return text
        }
    }
}

/// The incident storage port. SpatiaLite implements it today; a PostGIS backend will implement the same.
public protocol IncidentRepository: Sendable {
    /// Writes a batch atomically (all or nothing). Known (source, external_id) pairs are not written again.
    /// District, settlement and agency are derived here from the current area layers.
    func insert(_ incidents: [Incident], actor: String) async throws -> [InsertOutcome]
    func incident(id: Int64) async throws -> Incident?
    /// One page, in the query's order.
    func incidents(_ query: IncidentQuery) async throws -> [Incident]
    func count(_ query: IncidentQuery) async throws -> Int
    /// The same page as `incidents`, as stored text: the fast path of feature pages.
    func incidentText(_ query: IncidentQuery) async throws -> IncidentTextPage
    /// Every match, visited in id order in bounded memory (chunked reads).
    func scan(_ query: IncidentQuery, chunkSize: Int, _ body: @Sendable ([Incident]) async throws -> Void) async throws
    /// Like `scan`, for analysis: incidents carry place, category, times, status and agency only (no description,
    /// address or attributes), which is what the hotspot engine reads, at a fraction of the cost.
    func scanForAnalysis(_ query: IncidentQuery, chunkSize: Int, _ body: @Sendable ([Incident]) async throws -> Void) async throws
    /// Applies a validated transition and records the event; throws `DomainError`.
    func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, at: Date) async throws -> Incident
    func events(incidentID: Int64) async throws -> [StatusEvent]
    /// Every status event (for recurrence analysis), in time order.
    func allEvents(since: Date?) async throws -> [StatusEvent]
    /// Incidents within `radius` metres of `point`, nearest first, with their distance.
    func nearby(_ point: GeoPoint, radius: Double, query: IncidentQuery) async throws -> [(Incident, Double)]
    func stats(_ query: IncidentQuery) async throws -> IncidentStats
    /// One row per (district, settlement) among the matches, counted where the data lives: a complaint is
    /// overdue when it is open and was reported before its category's entry in `overdueBefore`.
    func areaCounts(_ query: IncidentQuery, overdueBefore: [String: Date]) async throws -> [AreaCountRow]
    func extent(_ query: IncidentQuery) async throws -> Extent
}

extension IncidentRepository {
    public func incidentText(_ query: IncidentQuery) async throws -> IncidentTextPage {
        let list = try await incidents(query)
        var page = IncidentTextPage(capacity: list.count)
        for inc in list { page.append(inc) }
        return page
    }

    public func scanForAnalysis(_ query: IncidentQuery, chunkSize: Int, _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        try await scan(query, chunkSize: chunkSize, body)
    }
}

/// A backend that can say how much room it takes (for `/metrics`).
public protocol DatabaseSizeReporting: Sendable {
    /// Bytes the database occupies (files, or the database's own size on a server).
    func databaseSize() throws -> Int64
}

/// Everything a running service needs of its storage backend. SpatiaLite implements it; a second backend
/// implements the same and nothing above it changes.
public typealias IncidentStore = IncidentRepository & AreaRepository & DatabaseSizeReporting & IncidentNotes & AccessAudit
    & StoreChangeFeed

/// The area storage port.
public protocol AreaRepository: Sendable {
    /// Replaces every area of a level, then re-derives district and settlement for all incidents.
    func replaceAreas(_ areas: [Area], level: AreaLevel) async throws -> Int
    func areas(level: AreaLevel) async throws -> [Area]
}

// MARK: - Note visibility and the personal-data audit

/// Who may read the note of a status change. An operator's note often holds what only the agency should see (the
/// caller's name, a phone number, what was said on the phone), so a note is internal unless marked public; public
/// notes are what Open311 shows as `status_notes`.
public enum NoteVisibility: String, Sendable, Hashable, CaseIterable, Codable {
    case `public`
    case `internal`
}

/// A status event as an operator sees it: its note whatever the visibility, and the visibility.
public struct RecordedEvent: Sendable, Hashable {
    public var event: StatusEvent
    public var visibility: NoteVisibility
    public init(event: StatusEvent, visibility: NoteVisibility) {
        self.event = event
        self.visibility = visibility
    }
}

/// Status notes with a visibility.
///
/// `IncidentRepository.changeStatus` records its note as internal, and `IncidentRepository.events` and `allEvents`
/// give an internal note as empty text: whatever publishes events through those (Open311, OGC, reports) shows
/// public notes only, without having to know that other notes exist.
public protocol IncidentNotes: Sendable {
    /// `changeStatus` with the note's visibility.
    func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, visibility: NoteVisibility,
                      at: Date) async throws -> Incident
    /// Every event of an incident with every note, in time order; for callers allowed to read internal notes.
    func recordedEvents(incidentID: Int64) async throws -> [RecordedEvent]
}

/// One read of a reporter's contact (name, phone, e-mail) through the API.
public struct ContactRead: Sendable, Hashable, Codable {
    public var at: Date
    /// The name of the API key that read it (never the key).
    public var keyName: String
    public var incidentID: Int64
    /// What was asked, e.g. `GET /api/v1/incidents/{id}`.
    public var route: String
    public init(at: Date, keyName: String, incidentID: Int64, route: String) {
        self.at = at
        self.keyName = keyName
        self.incidentID = incidentID
        self.route = route
    }
}

/// Who read personal data, and when each key was last used. Writes here are part of serving the read: a contact
/// that cannot be recorded is not shown.
public protocol AccessAudit: Sendable {
    func recordContactReads(_ reads: [ContactRead]) async throws
    /// Reads at or after `since`, of one key when `keyName` is set, oldest first.
    func contactReads(since: Date?, keyName: String?) async throws -> [ContactRead]
    func recordKeyUse(name: String, at: Date) async throws
    /// The last recorded use of every key that has one, by key name.
    func keyLastUse() async throws -> [String: Date]
}

extension Date {
    /// The first whole second at or after this instant: `t < wholeSecondAbove` holds for a whole-second `t`
    /// exactly when `t < self`, so a cutoff can be compared with stored whole-second times.
    public var wholeSecondAbove: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
