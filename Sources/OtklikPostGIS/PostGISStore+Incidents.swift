public import OtklikCore
public import Foundation
import PostgresNIO

extension PostGISStore {
    public func insert(_ incidents: [Incident], actor: String) async throws -> [InsertOutcome] {
        guard !incidents.isEmpty else { return [] }
        let now = IncidentColumns.stamp(Date())
        let places = try await place(incidents.map(\.location))
        return try await transaction("insert") { conn in
            var out: [InsertOutcome] = []
            out.reserveCapacity(incidents.count)
            var changed: [StoreChangeNote.Point] = []
            for (inc, placed) in zip(incidents, places) {
                let district = inc.district ?? placed.district
                let agency = self.agency(category: inc.category, given: inc.agency, district: district)
                var sql = SQL()
                sql.text = """
                    INSERT INTO incidents (source, external_id, category, description, address, lon, lat, reported_at,
                      status, resolved_at, updated_at, district, settlement, agency, approximate, attributes)
                    VALUES (\(sql.bind(inc.source.rawValue)), \(sql.bind(inc.externalID)), \(sql.bind(inc.category)),
                      \(sql.bind(inc.description)), \(sql.bind(inc.address)), \(sql.bind(inc.location.lon)), \(sql.bind(inc.location.lat)),
                      \(sql.bind(IncidentColumns.stamp(inc.reportedAt))), \(sql.bind(inc.status.rawValue)),
                      \(sql.bind(inc.resolvedAt.map(IncidentColumns.stamp))), \(sql.bind(now)), \(sql.bind(district)),
                      \(sql.bind(inc.settlement ?? placed.settlement)), \(sql.bind(agency)), \(sql.bind(inc.approximateLocation)),
                      \(sql.bind(IncidentColumns.attributesJSON(inc.attributes))))
                    ON CONFLICT (source, external_id) DO NOTHING RETURNING id
                    """
                if let row = try await conn.rows(sql, logger: self.logger).first {
                    let id = try row.decode(Int64.self)
                    out.append(InsertOutcome(id: id, created: true))
                    try await Self.recordCreation(conn, id: id, status: inc.status, reportedAt: inc.reportedAt,
                                                  resolvedAt: inc.resolvedAt, agency: agency, actor: actor, logger: self.logger)
                    if let r = inc.reporter, !r.isEmpty {
                        var rep = SQL()
                        rep.text = "INSERT INTO reporters (incident_id, name, phone, email) VALUES (\(rep.bind(id)), \(rep.bind(r.name)), \(rep.bind(r.phone)), \(rep.bind(r.email)))"
                        try await conn.rows(rep, logger: self.logger)
                    }
                    changed.append(.init(location: inc.location, category: inc.category))
                } else {
                    var find = SQL()
                    find.text = "SELECT id FROM incidents WHERE source = \(find.bind(inc.source.rawValue)) AND external_id = \(find.bind(inc.externalID))"
                    guard let row = try await conn.rows(find, logger: self.logger).first else {
                        throw PostGISError(.query, "insert of \(inc.externalID) neither created nor found")
                    }
                    out.append(InsertOutcome(id: try row.decode(Int64.self), created: false))
                }
            }
            try await StoreChangeNote.points(changed).send(on: conn, from: self.origin, logger: self.logger)
            return out
        }
    }

    /// District and settlement of each point, in order (see `Placement`).
    func place(_ points: [GeoPoint]) async throws -> [(district: String?, settlement: String?)] {
        var sql = SQL()
        let lons = sql.bind(points.map(\.lon)), lats = sql.bind(points.map(\.lat)), radius = sql.bind(settlementRadius)
        let p = Placement.point(lon: "u.x", lat: "u.y")
        sql.text = """
            SELECT \(Placement.district(p)), \(Placement.settlement(p, radius: radius))
            FROM unnest(\(lons)::float8[], \(lats)::float8[]) WITH ORDINALITY AS u(x, y, n) ORDER BY u.n
            """
        return try await rows(sql).map { row in
            let (d, s) = try row.decode((String?, String?).self)
            return (d, s)
        }
    }

    /// The first event of an incident: it appeared with its status; a closed one also records when it closed, by
    /// its agency. The bulk merge writes the same rows set-wise (`PostGISBulkLoad`).
    static func recordCreation(_ conn: PostgresConnection, id: Int64, status: IncidentStatus, reportedAt: Date,
                               resolvedAt: Date?, agency: String, actor: String, logger: Logger) async throws {
        var sql = SQL()
        let reported = sql.bind(IncidentColumns.stamp(reportedAt)), who = sql.bind(actor), incident = sql.bind(id)
        if status.isOpen {
            sql.text = "INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note) VALUES (\(incident), NULL, \(sql.bind(status.rawValue)), \(reported), \(who), '')"
        } else {
            sql.text = """
                INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note) VALUES
                  (\(incident), NULL, 'new', \(reported), \(who), ''),
                  (\(incident), 'new', \(sql.bind(status.rawValue)), \(sql.bind(IncidentColumns.stamp(resolvedAt ?? reportedAt))),
                   \(sql.bind(agency.isEmpty ? actor : agency)), '')
                """
        }
        try await conn.rows(sql, logger: logger)
    }

    public func incident(id: Int64) async throws -> Incident? {
        var sql = SQL()
        sql.text = """
            SELECT \(IncidentColumns.all), r.name, r.phone, r.email, r.incident_id IS NOT NULL
            FROM incidents i LEFT JOIN reporters r ON r.incident_id = i.id WHERE i.id = \(sql.bind(id))
            """
        guard let row = try await readRows(sql, confirmMiss: true).first else { return nil }
        var inc = try IncidentColumns.decode(row)
        let r = row.makeRandomAccess()
        if try r[20].decode(Bool.self) {
            inc.reporter = ReporterContact(name: try r[17].decode(String?.self), phone: try r[18].decode(String?.self),
                                           email: try r[19].decode(String?.self))
        }
        return inc
    }

    public func incidents(_ query: IncidentQuery) async throws -> [Incident] {
        var sql = SQL()
        let whereSQL = Filter.whereSQL(query, paging: true, into: &sql)
        sql.text = "SELECT \(IncidentColumns.all) FROM incidents i\(whereSQL)"
        sql.text += query.order == .idAscending ? " ORDER BY i.id" : " ORDER BY i.reported_at DESC, i.id DESC"
        if let limit = query.limit {
            let p = sql.bind(limit)
            sql.text += " LIMIT \(p)"
        }
        if query.offset > 0 {
            let p = sql.bind(query.offset)
            sql.text += " OFFSET \(p)"
        }
        return try await readRows(sql).map(IncidentColumns.decode)
    }

    public func count(_ query: IncidentQuery) async throws -> Int {
        var sql = SQL()
        let whereSQL = Filter.whereSQL(query, paging: true, into: &sql)
        sql.text = "SELECT count(*) FROM incidents i\(whereSQL)"
        return try await readRows(sql).first.map { try $0.decode(Int.self) } ?? 0
    }

    public func scan(_ query: IncidentQuery, chunkSize: Int = 5000,
                     _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        try await keysetScan(query, chunkSize: chunkSize, limit: query.limit, columns: IncidentColumns.all,
                             decode: IncidentColumns.decode, body)
    }

    public func scanForAnalysis(_ query: IncidentQuery, chunkSize: Int = 50_000,
                                _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        try await keysetScan(query, chunkSize: chunkSize, limit: nil, columns: IncidentColumns.lean,
                             decode: IncidentColumns.decodeLean, body)
    }

    /// Every match in id order, a chunk at a time: each chunk is one keyset query (`id > last`), so memory holds
    /// one chunk and no query holds a snapshot open while `body` works.
    private func keysetScan(_ query: IncidentQuery, chunkSize: Int, limit: Int?, columns: String,
                            decode: (PostgresRow) throws -> Incident,
                            _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        var q = query
        q.order = .idAscending
        q.offset = 0
        var remaining = limit
        let chunk = max(1, chunkSize)
        while true {
            let size = min(chunk, remaining ?? chunk)
            if size == 0 { return }
            var sql = SQL()
            let whereSQL = Filter.whereSQL(q, paging: true, into: &sql)
            sql.text = "SELECT \(columns) FROM incidents i\(whereSQL) ORDER BY i.id LIMIT \(sql.bind(size))"
            let page = try await readRows(sql).map(decode)
            if page.isEmpty { return }
            try await body(page)
            if let r = remaining { remaining = r - page.count }
            if page.count < size { return }
            q.afterID = page.last!.id
        }
    }

    /// Records the note as internal (see `IncidentNotes`).
    public func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, at: Date) async throws -> Incident {
        try await changeStatus(id: id, to: to, actor: actor, note: note, visibility: .internal, at: at)
    }

    public func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, visibility: NoteVisibility,
                             at: Date) async throws -> Incident {
        let stamp = IncidentColumns.stamp(at)
        return try await transaction("status change") { conn in
            var lock = SQL()
            lock.text = "SELECT status FROM incidents WHERE id = \(lock.bind(id)) FOR UPDATE"
            guard let current = try await conn.rows(lock, logger: self.logger).first else {
                throw DomainError.notFound(what: "incident", id: String(id))
            }
            let from = IncidentStatus(rawValue: try current.decode(String.self)) ?? .new
            guard from.canTransition(to: to) else { throw DomainError.illegalTransition(id: id, from: from, to: to) }
            var up = SQL()
            up.text = """
                UPDATE incidents SET status = \(up.bind(to.rawValue)), resolved_at = \(up.bind(to.isOpen ? nil : stamp)),
                  updated_at = \(up.bind(stamp)) WHERE id = \(up.bind(id)) RETURNING \(IncidentColumns.all.replacingOccurrences(of: "i.", with: ""))
                """
            guard let row = try await conn.rows(up, logger: self.logger).first else {
                throw DomainError.notFound(what: "incident", id: String(id))
            }
            var event = SQL()
            event.text = """
                INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note, visibility)
                VALUES (\(event.bind(id)), \(event.bind(from.rawValue)), \(event.bind(to.rawValue)), \(event.bind(stamp)),
                  \(event.bind(actor)), \(event.bind(note)), \(event.bind(visibility.rawValue)))
                """
            try await conn.rows(event, logger: self.logger)
            let incident = try IncidentColumns.decode(row)
            try await StoreChangeNote.points([.init(location: incident.location, category: incident.category)])
                .send(on: conn, from: self.origin, logger: self.logger)
            return incident
        }
    }

    /// The note as the public may read it: internal notes read as empty text.
    static let publicNote = "CASE WHEN visibility = 'public' THEN note ELSE '' END"

    public func events(incidentID: Int64) async throws -> [StatusEvent] {
        var sql = SQL()
        sql.text = """
            SELECT incident_id, from_status, to_status, at, actor, \(Self.publicNote) FROM incident_events
            WHERE incident_id = \(sql.bind(incidentID)) ORDER BY at, id
            """
        return try await readRows(sql, confirmMiss: true).map(Self.decodeEvent)
    }

    public func allEvents(since: Date?) async throws -> [StatusEvent] {
        var sql = SQL()
        let after = since.map { "WHERE at >= \(sql.bind(IncidentColumns.stamp($0)))" } ?? ""
        sql.text = "SELECT incident_id, from_status, to_status, at, actor, \(Self.publicNote) FROM incident_events \(after) ORDER BY at, id"
        return try await readRows(sql).map(Self.decodeEvent)
    }

    public func recordedEvents(incidentID: Int64) async throws -> [RecordedEvent] {
        var sql = SQL()
        sql.text = """
            SELECT incident_id, from_status, to_status, at, actor, note, visibility FROM incident_events
            WHERE incident_id = \(sql.bind(incidentID)) ORDER BY at, id
            """
        return try await readRows(sql, confirmMiss: true).map { row in
            RecordedEvent(event: try Self.decodeEvent(row),
                          visibility: NoteVisibility(rawValue: try row.makeRandomAccess()[6].decode(String.self)) ?? .internal)
        }
    }

    static func decodeEvent(_ row: PostgresRow) throws -> StatusEvent {
        let r = row.makeRandomAccess()
        return StatusEvent(incidentID: try r[0].decode(Int64.self),
                           from: try r[1].decode(String?.self).flatMap(IncidentStatus.init(rawValue:)),
                           to: IncidentStatus(rawValue: try r[2].decode(String.self)) ?? .new, at: try r[3].decode(Date.self),
                           actor: try r[4].decode(String.self), note: try r[5].decode(String.self))
    }

    /// Within `radius` metres on the WGS84 ellipsoid, nearest first; the box around the point lets the GiST
    /// index find the candidates.
    public func nearby(_ point: GeoPoint, radius: Double, query: IncidentQuery) async throws -> [(Incident, Double)] {
        var q = query
        q.limit = nil
        q.offset = 0
        var sql = SQL()
        let whereSQL = Filter.whereSQL(q, paging: true, into: &sql)
        let p = "ST_SetSRID(ST_MakePoint(\(sql.bind(point.lon)), \(sql.bind(point.lat))), 4326)::geography"
        let r = sql.bind(radius)
        sql.text = """
            SELECT \(IncidentColumns.all), ST_Distance(i.geom::geography, \(p)) AS d FROM incidents i\(whereSQL)
            \(whereSQL.isEmpty ? "WHERE" : "AND") ST_DWithin(i.geom::geography, \(p), \(r))
            ORDER BY d, i.id
            """
        if let limit = query.limit {
            let p = sql.bind(limit)
            sql.text += " LIMIT \(p)"
        }
        return try await readRows(sql).map { row in (try IncidentColumns.decode(row), try row.makeRandomAccess()[17].decode(Double.self)) }
    }

    public func stats(_ query: IncidentQuery) async throws -> IncidentStats {
        var sql = SQL()
        let whereSQL = Filter.whereSQL(query, paging: false, into: &sql)
        sql.text = """
            SELECT coalesce(i.status, ''), coalesce(i.district, ''), i.category, count(*) FROM incidents i\(whereSQL)
            GROUP BY 1, 2, 3
            """
        var byStatus: [String: Int] = [:], byDistrict: [String: Int] = [:], byCategory: [String: Int] = [:]
        for row in try await readRows(sql) {
            let (status, district, category, n) = try row.decode((String, String, String, Int).self)
            byStatus[status, default: 0] += n
            byDistrict[district, default: 0] += n
            byCategory[category, default: 0] += n
        }
        return IncidentStats(total: byStatus.values.reduce(0, +), byDistrict: byDistrict, byCategory: byCategory, byStatus: byStatus)
    }

    public func areaCounts(_ query: IncidentQuery, overdueBefore: [String: Date]) async throws -> [AreaCountRow] {
        var sql = SQL()
        let open = "i.status = ANY(\(sql.bind(AreaCountRow.openStatuses)))"
        var overdue = "false"
        if !overdueBefore.isEmpty {
            let cases = overdueBefore.sorted { $0.key < $1.key }
                .map { "WHEN \(sql.bind($0.key)) THEN \(sql.bind($0.value.wholeSecondAbove))" }.joined(separator: " ")
            overdue = "\(open) AND i.reported_at < CASE i.category \(cases) END"
        }
        let select = "SELECT i.district, i.settlement, count(*), count(*) FILTER (WHERE \(open)), count(*) FILTER (WHERE \(overdue))"
        let whereSQL = Filter.whereSQL(query, paging: false, into: &sql)
        sql.text = "\(select) FROM incidents i\(whereSQL) GROUP BY 1, 2"
        return try await readRows(sql).map { row in
            let (district, settlement, complaints, open, overdue) = try row.decode((String?, String?, Int, Int, Int).self)
            return AreaCountRow(district: district, settlement: settlement, complaints: complaints, open: open, overdue: overdue)
        }
    }

    public func extent(_ query: IncidentQuery) async throws -> Extent {
        var sql = SQL()
        let whereSQL = Filter.whereSQL(query, paging: false, into: &sql)
        sql.text = "SELECT min(i.lon), min(i.lat), max(i.lon), max(i.lat), min(i.reported_at), max(i.reported_at) FROM incidents i\(whereSQL)"
        guard let row = try await readRows(sql).first else { return Extent(bbox: nil, first: nil, last: nil) }
        let (minLon, minLat, maxLon, maxLat, first, last) = try row.decode((Double?, Double?, Double?, Double?, Date?, Date?).self)
        guard let minLon, let minLat, let maxLon, let maxLat else { return Extent(bbox: nil, first: nil, last: nil) }
        return Extent(bbox: BBox(minLon: minLon, minLat: minLat, maxLon: maxLon, maxLat: maxLat), first: first, last: last)
    }
}
