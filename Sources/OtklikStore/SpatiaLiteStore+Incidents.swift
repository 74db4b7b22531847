public import OtklikCore
public import Foundation
import GRDB
import CSpatiaLite

extension SpatiaLiteStore {
    public func insert(_ incidents: [Incident], actor: String) async throws -> [InsertOutcome] {
        let locator = try await locator()
        let now = Timestamp.format(Date())
        return try await write { db in
            // A bulk load into an empty database builds the key at its end (see DeferredIndexes). Without the
            // key an insert could not tell a repeat, and the load's end would have to choose which row to keep.
            guard try self.keyIsPresent(db) else {
                throw DomainError.unavailable("a bulk import is loading this database and has not built its (source, external_id) key yet; new incidents are accepted again when it ends", retryAfter: 30)
            }
            let ins = try db.cachedStatement(sql: """
                INSERT INTO incidents (source, external_id, category, description, address, lon, lat, reported_at,
                  status, resolved_at, updated_at, district, settlement, agency, approximate, attributes, geom)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326))
                ON CONFLICT (source, external_id) DO NOTHING
                """)
            var out: [InsertOutcome] = []
            out.reserveCapacity(incidents.count)
            var created: [GeoPoint] = []
            for inc in incidents {
                let place = locator.assign(inc.location, measuringDistance: false)
                let agency = self.agency(for: inc, district: inc.district ?? place.district)
                try ins.execute(arguments: [
                    inc.source.rawValue, inc.externalID, inc.category, inc.description, inc.address,
                    inc.location.lon, inc.location.lat, Timestamp.format(inc.reportedAt), inc.status.rawValue,
                    inc.resolvedAt.map(Timestamp.format), now, inc.district ?? place.district,
                    inc.settlement ?? place.settlement, agency, inc.approximateLocation,
                    IncidentRow.attributesJSON(inc.attributes), inc.location.lon, inc.location.lat,
                ])
                if db.changesCount == 1 {
                    let id = db.lastInsertedRowID
                    out.append(InsertOutcome(id: id, created: true))
                    created.append(inc.location)
                    try Self.recordCreation(db, id: id, incident: inc, agency: agency, actor: actor)
                    if let r = inc.reporter, !r.isEmpty {
                        try db.execute(sql: "INSERT INTO reporters (incident_id, name, phone, email) VALUES (?, ?, ?, ?)",
                                       arguments: [id, r.name, r.phone, r.email])
                    }
                } else {
                    let id = try Int64.fetchOne(db, sql: "SELECT id FROM incidents WHERE source = ? AND external_id = ?",
                                                arguments: [inc.source.rawValue, inc.externalID])
                    guard let id else { throw StoreError(.sqlite, "insert of \(inc.externalID) neither created nor found") }
                    out.append(InsertOutcome(id: id, created: false))
                }
            }
            // A replay of known keys only writes nothing.
            if !created.isEmpty { try self.noteCommit(db, changed: .written(created)) }
            return out
        }
    }

    /// Whether the (source, external_id) key is there. Looking it up in `sqlite_master` is a scan of the whole
    /// schema (about 15 µs); the answer is kept until the schema version changes, which SQLite reads from
    /// the file's header at each transaction.
    func keyIsPresent(_ db: Database) throws -> Bool {
        let version = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA schema_version")) ?? -1
        if let known = keyPresence.withLock({ $0 }), known.schemaVersion == version { return known.present }
        let present = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?)",
                                        arguments: [IncidentKey.index]) == true
        keyPresence.withLock { $0 = (version, present) }
        return present
    }

    /// The first event of an incident: it appeared with its status; a closed one also records when it closed,
    /// by its agency, so that "fixed, then complained about again" can be seen for imported history too.
    /// `BulkIncidentWriter.recordCreations` writes the same rows set-wise.
    static func recordCreation(_ db: Database, id: Int64, incident inc: Incident, agency: String, actor: String) throws {
        let reported = Timestamp.format(inc.reportedAt)
        if inc.status.isOpen {
            try db.execute(sql: "INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note) VALUES (?, NULL, ?, ?, ?, '')",
                           arguments: [id, inc.status.rawValue, reported, actor])
        } else {
            try db.execute(sql: "INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note) VALUES (?, NULL, 'new', ?, ?, '')",
                           arguments: [id, reported, actor])
            try db.execute(sql: "INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note) VALUES (?, 'new', ?, ?, ?, '')",
                           arguments: [id, inc.status.rawValue, Timestamp.format(inc.resolvedAt ?? inc.reportedAt), agency.isEmpty ? actor : agency])
        }
    }

    public func incident(id: Int64) async throws -> Incident? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(IncidentRow.columns) FROM incidents i WHERE i.id = ?", arguments: [id]) else {
                return nil
            }
            var inc = try IncidentRow.decode(row)
            if let r = try Row.fetchOne(db, sql: "SELECT name, phone, email FROM reporters WHERE incident_id = ?", arguments: [id]) {
                inc.reporter = ReporterContact(name: r[0], phone: r[1], email: r[2])
            }
            return inc
        }
    }

    public func incidents(_ query: IncidentQuery) async throws -> [Incident] {
        try await pool.read { db in try self.fetchPage(db, query) }
    }

    /// R*Tree candidates for a box (float32 bounds, so a superset of the exact answer), counted only up to just past
    /// the plan threshold: the answer decides a plan, and counting all of a large box would cost more than the page.
    static func rtreeCandidates(_ db: Database, _ b: BBox) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM (SELECT 1 FROM idx_incidents_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ? LIMIT ?)
            """, arguments: [b.maxLon, b.minLon, b.maxLat, b.minLat, rtreeCandidateLimit + 1]) ?? 0
    }

    /// Above this many candidates a box is answered by scanning the table in id order, which stops after one
    /// page, rather than by intersecting a large R*Tree id list.
    static let rtreeCandidateLimit = 5_000

    /// Whether a box is answered through the R*Tree (see `rtreeCandidateLimit`).
    ///
    /// The answer is remembered for a minute: a client reading a large box follows `next` links, and the
    /// server reads each page in chunks, so one box asked the same question a hundred times in a row for
    /// 100,000 features, half a millisecond each. The plan decides only the speed, never the rows (both
    /// plans test the stored coordinates), so an answer a minute old costs at most a slower page.
    func usesRTree(_ db: Database, _ b: BBox) throws -> Bool {
        let now = ContinuousClock.now
        if let known = boxPlans.withLock({ $0[b] }), now - known.at < .seconds(60) { return known.usesRTree }
        let answer = try Self.rtreeCandidates(db, b) <= Self.rtreeCandidateLimit
        boxPlans.withLock { plans in
            if plans.count >= 256 { plans.removeAll() }
            plans[b] = (answer, now)
        }
        return answer
    }

    func fetchPage(_ db: Database, _ query: IncidentQuery) throws -> [Incident] {
        let (sql, args) = try pageSQL(db, query, columns: IncidentRow.columns)
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: args)
        var out: [Incident] = []
        while let row = try cursor.next() { out.append(try IncidentRow.decode(row)) }
        return out
    }

    public func incidentText(_ query: IncidentQuery) async throws -> IncidentTextPage {
        try await pool.read { db in try self.fetchTextPage(db, query) }
    }

    /// The page of `fetchPage`, copied column by column from SQLite's own buffers into one page buffer.
    func fetchTextPage(_ db: Database, _ query: IncidentQuery) throws -> IncidentTextPage {
        let (sql, args) = try pageSQL(db, query, columns: IncidentRow.textColumns)
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(args)
        let raw = statement.sqliteStatement
        var page = IncidentTextPage(capacity: query.limit.map { min($0, 10_000) } ?? 1000)
        let cursor = try Row.fetchCursor(statement)
        while try cursor.next() != nil {
            let row = IncidentTextPage.Row(id: sqlite3_column_int64(raw, 0), lon: sqlite3_column_double(raw, 1),
                                           lat: sqlite3_column_double(raw, 2), approximate: sqlite3_column_int(raw, 3) != 0)
            page.append(row) { field in
                let c = Int32(4 + field.rawValue)
                guard let p = sqlite3_column_text(raw, c) else { return nil }
                return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(raw, c)))
            }
        }
        return page
    }

    /// The SQL of one page: the plan (R*Tree or id-order scan), filters, order and paging.
    func pageSQL(_ db: Database, _ query: IncidentQuery, columns: String) throws -> (String, StatementArguments) {
        let useRTree = try query.bbox.map { try usesRTree(db, $0) } ?? true
        let qb = QueryBuilder(query, includePaging: true, useRTree: useRTree)
        var sql = "SELECT \(columns) FROM incidents i\(qb.whereSQL)"
        sql += query.order == .idAscending ? " ORDER BY i.id" : " ORDER BY i.reported_at DESC, i.id DESC"
        var args = qb.statementArguments
        if let limit = query.limit {
            sql += " LIMIT ? OFFSET ?"
            args += [limit, query.offset]
        } else if query.offset > 0 {
            sql += " LIMIT -1 OFFSET ?"
            args += [query.offset]
        }
        return (sql, args)
    }

    public func count(_ query: IncidentQuery) async throws -> Int {
        try await pool.read { db in
            if QueryBuilder.onlyBBox(query), let b = query.bbox {
                // Entries whose float32 bounds lie inside the box are inside for sure; only those that straddle an
                // edge need the exact test on the stored coordinates.
                let inside = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM idx_incidents_geom WHERE xmin >= ? AND xmax <= ? AND ymin >= ? AND ymax <= ?
                    """, arguments: [b.minLon, b.maxLon, b.minLat, b.maxLat]) ?? 0
                let edge = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM incidents i WHERE i.id IN (
                      SELECT pkid FROM idx_incidents_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?
                        AND NOT (xmin >= ? AND xmax <= ? AND ymin >= ? AND ymax <= ?))
                    AND i.lon BETWEEN ? AND ? AND i.lat BETWEEN ? AND ?
                    """, arguments: [b.maxLon, b.minLon, b.maxLat, b.minLat, b.minLon, b.maxLon, b.minLat, b.maxLat,
                                     b.minLon, b.maxLon, b.minLat, b.maxLat]) ?? 0
                return inside + edge
            }
            let useRTree = try query.bbox.map { try self.usesRTree(db, $0) } ?? true
            let qb = QueryBuilder(query, includePaging: true, useRTree: useRTree)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM incidents i\(qb.whereSQL)", arguments: qb.statementArguments) ?? 0
        }
    }

    public func scan(_ query: IncidentQuery, chunkSize: Int = 5000,
                     _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        var q = query
        q.order = .idAscending
        q.offset = 0
        var remaining = query.limit
        while true {
            q.limit = min(chunkSize, remaining ?? chunkSize)
            if q.limit == 0 { return }
            let page = try await incidents(q)
            if page.isEmpty { return }
            try await body(page)
            if let r = remaining { remaining = r - page.count }
            if page.count < q.limit! { return }
            q.afterID = page.last!.id
        }
    }

    public func scanForAnalysis(_ query: IncidentQuery, chunkSize: Int = 50_000,
                                _ body: @Sendable ([Incident]) async throws -> Void) async throws {
        var q = query
        q.order = .idAscending
        q.offset = 0
        q.limit = nil
        while true {
            let qb = QueryBuilder(q, includePaging: true)
            let sql = "SELECT \(IncidentRow.leanColumns) FROM incidents i\(qb.whereSQL) ORDER BY i.id LIMIT \(chunkSize)"
            let args = qb.statementArguments
            let page = try await pool.read { db in
                let cursor = try Row.fetchCursor(db, sql: sql, arguments: args)
                var out: [Incident] = []
                out.reserveCapacity(chunkSize)
                while let row = try cursor.next() { out.append(try IncidentRow.decodeLean(row)) }
                return out
            }
            if page.isEmpty { return }
            try await body(page)
            if page.count < chunkSize { return }
            q.afterID = page.last!.id
        }
    }

    /// Records the note as internal (see `IncidentNotes`).
    public func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, at: Date) async throws -> Incident {
        try await changeStatus(id: id, to: to, actor: actor, note: note, visibility: .internal, at: at)
    }

    public func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, visibility: NoteVisibility,
                             at: Date) async throws -> Incident {
        try await write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT status FROM incidents WHERE id = ?", arguments: [id]) else {
                throw DomainError.notFound(what: "incident", id: String(id))
            }
            let from = IncidentStatus(rawValue: current) ?? .new
            guard from.canTransition(to: to) else { throw DomainError.illegalTransition(id: id, from: from, to: to) }
            let stamp = Timestamp.format(at)
            try db.execute(sql: "UPDATE incidents SET status = ?, resolved_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [to.rawValue, to.isOpen ? nil : stamp, stamp, id])
            try db.execute(sql: """
                INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note, visibility)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, from.rawValue, to.rawValue, stamp, actor, note, visibility.rawValue])
            let row = try Row.fetchOne(db, sql: "SELECT \(IncidentRow.columns) FROM incidents i WHERE i.id = ?", arguments: [id])!
            let changed = try IncidentRow.decode(row)
            try self.noteCommit(db, changed: .written([changed.location]))
            return changed
        }
    }

    /// The note as the public may read it: internal notes read as empty text.
    static let publicNote = "CASE WHEN visibility = 'public' THEN note ELSE '' END"

    public func events(incidentID: Int64) async throws -> [StatusEvent] {
        try await pool.read { db in
            try Self.decodeEvents(Row.fetchAll(db, sql: """
                SELECT incident_id, from_status, to_status, at, actor, \(Self.publicNote) FROM incident_events
                WHERE incident_id = ? ORDER BY at, id
                """, arguments: [incidentID]))
        }
    }

    public func allEvents(since: Date?) async throws -> [StatusEvent] {
        try await pool.read { db in
            try Self.decodeEvents(Row.fetchAll(db, sql: """
                SELECT incident_id, from_status, to_status, at, actor, \(Self.publicNote) FROM incident_events
                WHERE at >= ? ORDER BY at, id
                """, arguments: [since.map(Timestamp.format) ?? ""]))
        }
    }

    public func recordedEvents(incidentID: Int64) async throws -> [RecordedEvent] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT incident_id, from_status, to_status, at, actor, note, visibility FROM incident_events
                WHERE incident_id = ? ORDER BY at, id
                """, arguments: [incidentID])
            return try zip(Self.decodeEvents(rows), rows).map { event, row in
                RecordedEvent(event: event, visibility: NoteVisibility(rawValue: row[6]) ?? .internal)
            }
        }
    }

    static func decodeEvents(_ rows: [Row]) throws -> [StatusEvent] {
        try rows.map { r in
            StatusEvent(incidentID: r[0], from: (r[1] as String?).flatMap(IncidentStatus.init(rawValue:)),
                        to: IncidentStatus(rawValue: r[2]) ?? .new, at: try Timestamp.parse(r[3], field: "at"),
                        actor: r[4], note: r[5])
        }
    }

    public func nearby(_ point: GeoPoint, radius: Double, query: IncidentQuery) async throws -> [(Incident, Double)] {
        let dLat = radius / 110_000 + 1e-6
        let dLon = min(180, dLat / max(0.01, cos(point.lat * .pi / 180)))
        var q = query
        q.bbox = BBox(minLon: max(-180, point.lon - dLon), minLat: max(-90, point.lat - dLat),
                      maxLon: min(180, point.lon + dLon), maxLat: min(90, point.lat + dLat))
        let limit = query.limit
        q.limit = nil
        q.offset = 0
        let candidates = try await incidents(q)
        var out: [(Incident, Double)] = []
        for inc in candidates {
            let d = metric.distance(point, inc.location)
            if d <= radius { out.append((inc, d)) }
        }
        out.sort { ($0.1, $0.0.id ?? 0) < ($1.1, $1.0.id ?? 0) }
        if let limit, out.count > limit { out.removeLast(out.count - limit) }
        return out
    }

    public func stats(_ query: IncidentQuery) async throws -> IncidentStats {
        try await pool.read { db in
            let qb = QueryBuilder(query, includePaging: false)
            func group(_ column: String) throws -> [String: Int] {
                var out: [String: Int] = [:]
                for r in try Row.fetchAll(db, sql: "SELECT coalesce(\(column), ''), count(*) FROM incidents i\(qb.whereSQL) GROUP BY 1",
                                          arguments: qb.statementArguments) {
                    out[r[0]] = r[1]
                }
                return out
            }
            let byStatus = try group("i.status")
            return IncidentStats(total: byStatus.values.reduce(0, +), byDistrict: try group("i.district"),
                                 byCategory: try group("i.category"), byStatus: byStatus)
        }
    }

    public func areaCounts(_ query: IncidentQuery, overdueBefore: [String: Date]) async throws -> [AreaCountRow] {
        try await pool.read { db in
            let qb = QueryBuilder(query, includePaging: false, useRTree: false)
            var arguments: [(any DatabaseValueConvertible)?] = []
            let open = "i.status IN (\(Array(repeating: "?", count: AreaCountRow.openStatuses.count).joined(separator: ",")))"
            arguments += AreaCountRow.openStatuses.map { $0 }
            var overdue = "0"
            if !overdueBefore.isEmpty {
                // Stored times are fixed-width UTC text, so text order is time order.
                let cases = overdueBefore.sorted { $0.key < $1.key }
                overdue = "\(open) AND i.reported_at < CASE i.category \(String(repeating: "WHEN ? THEN ? ", count: cases.count))END"
                arguments += AreaCountRow.openStatuses.map { $0 }
                for (code, cutoff) in cases { arguments += [code, Timestamp.format(cutoff.wholeSecondAbove)] }
            }
            let sql = """
                SELECT i.district, i.settlement, count(*), coalesce(sum(CASE WHEN \(open) THEN 1 ELSE 0 END), 0),
                  coalesce(sum(CASE WHEN \(overdue) THEN 1 ELSE 0 END), 0)
                FROM incidents i\(qb.whereSQL) GROUP BY 1, 2
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments((arguments + qb.arguments).map { $0?.databaseValue ?? .null })).map { r in
                AreaCountRow(district: r[0], settlement: r[1], complaints: r[2], open: r[3], overdue: r[4])
            }
        }
    }

    public func extent(_ query: IncidentQuery) async throws -> Extent {
        try await pool.read { db in
            let qb = QueryBuilder(query, includePaging: false)
            guard let r = try Row.fetchOne(db, sql: """
                SELECT min(i.lon), min(i.lat), max(i.lon), max(i.lat), min(i.reported_at), max(i.reported_at)
                FROM incidents i\(qb.whereSQL)
                """, arguments: qb.statementArguments), let minLon: Double = r[0] else {
                return Extent(bbox: nil, first: nil, last: nil)
            }
            return Extent(bbox: BBox(minLon: minLon, minLat: r[1], maxLon: r[2], maxLat: r[3]),
                          first: try (r[4] as String?).map { s throws in try Timestamp.parse(s, field: "reported_at") },
                          last: try (r[5] as String?).map { s throws in try Timestamp.parse(s, field: "reported_at") })
        }
    }
}
