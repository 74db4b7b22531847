public import OtklikCore
import Foundation
import GRDB
import CSpatiaLite

/// The bulk write path: raw prepared statements, geometry blobs built in Swift, and every index but the
/// (source, external_id) key deferred. The R*Tree triggers and the secondary B-tree indexes are set aside for
/// the load; at the end the R*Tree is rebuilt in one packed pass (see RTreeBulkLoader) and the B-trees are
/// recreated by sorting, which is several times cheaper than keeping them up to date row by row. What was set
/// aside is saved in `store_state` first, so a load that dies half way is finished at the next open.
struct BulkIncidentWriter {
    static let stateKey = "deferred_incident_triggers"

    /// Drops the incidents table's SpatiaLite triggers after saving their SQL.
    static func deferIndex(_ db: Database) throws {
        if try String.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = ?", arguments: [stateKey]) != nil { return }
        // Triggers on incidents (the R*Tree upkeep and SpatiaLite's geometry checks) and the secondary indexes
        // of incidents and events; the UNIQUE (source, external_id) index has no SQL and stays.
        let rows = try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE (type = 'trigger' AND tbl_name = 'incidents')
               OR (type = 'index' AND sql IS NOT NULL AND tbl_name IN ('incidents', 'incident_events'))
            """)
        let saved = rows.map { ["type": $0[0] as String, "name": $0[1] as String, "sql": $0[2] as String] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: saved), as: UTF8.self)
        try db.execute(sql: "INSERT INTO store_state (key, value) VALUES (?, ?)", arguments: [stateKey, json])
        for r in saved {
            try db.execute(sql: "DROP \(r["type"] == "index" ? "INDEX" : "TRIGGER") IF EXISTS \"\(r["name"]!)\"")
        }
    }

    /// Rebuilds the R*Tree from every incident and restores the triggers.
    static func restoreIndex(_ db: Database) throws {
        guard let json = try String.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = ?", arguments: [stateKey]) else { return }
        guard let conn = db.sqliteConnection else { throw StoreError(.sqlite, "no connection") }
        var entries: [RTreeBulkLoader.Entry] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, lon, lat FROM incidents")
        while let r = try cursor.next() {
            let lon: Double = r[1], lat: Double = r[2]
            entries.append(.init(id: r[0], minX: RTreeBulkLoader.down(lon), maxX: RTreeBulkLoader.up(lon),
                                 minY: RTreeBulkLoader.down(lat), maxY: RTreeBulkLoader.up(lat)))
        }
        try RTreeBulkLoader(table: "idx_incidents_geom").load(db: conn, entries: entries)
        let saved = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]] ?? []
        for r in saved { try db.execute(sql: r["sql"]!) }
        try db.execute(sql: "DELETE FROM store_state WHERE key = ?", arguments: [stateKey])
    }

    let db: Database
    let conn: OpaquePointer
    let locator: AreaLocator
    let taxonomy: Taxonomy
    let actor: String
    let now: String
    let agencyFor: (Incident, String?) -> String
    private let insert: RawStatement
    private let event: RawStatement
    private let reporter: RawStatement

    init(db: Database, locator: AreaLocator, taxonomy: Taxonomy, actor: String,
         agencyFor: @escaping (Incident, String?) -> String) throws {
        guard let conn = db.sqliteConnection else { throw StoreError(.sqlite, "no connection") }
        self.db = db
        self.conn = conn
        self.locator = locator
        self.taxonomy = taxonomy
        self.actor = actor
        self.agencyFor = agencyFor
        self.now = Timestamp.format(Date())
        insert = try RawStatement(db: conn, sql: """
            INSERT INTO incidents (source, external_id, category, description, address, lon, lat, reported_at, status,
              resolved_at, updated_at, district, settlement, agency, approximate, attributes, geom)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            ON CONFLICT (source, external_id) DO NOTHING
            """)
        event = try RawStatement(db: conn, sql: """
            INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note) VALUES (?1, ?2, ?3, ?4, ?5, '')
            """)
        reporter = try RawStatement(db: conn, sql: "INSERT INTO reporters (incident_id, name, phone, email) VALUES (?1, ?2, ?3, ?4)")
    }

    /// Writes one incident; returns false when (source, external_id) was already there.
    func write(_ inc: Incident) throws -> Bool {
        let place = locator.assign(inc.location)
        let reported = Timestamp.format(inc.reportedAt)
        insert.bind(1, inc.source.rawValue)
        insert.bind(2, inc.externalID)
        insert.bind(3, inc.category)
        insert.bind(4, inc.description)
        insert.bind(5, inc.address)
        insert.bind(6, inc.location.lon)
        insert.bind(7, inc.location.lat)
        insert.bind(8, reported)
        insert.bind(9, inc.status.rawValue)
        insert.bind(10, inc.resolvedAt.map(Timestamp.format))
        insert.bind(11, now)
        insert.bind(12, inc.district ?? place.district)
        insert.bind(13, inc.settlement ?? place.settlement)
        insert.bind(14, agencyFor(inc, inc.district ?? place.district))
        insert.bind(15, Int64(inc.approximateLocation ? 1 : 0))
        insert.bind(16, IncidentRow.attributesJSON(inc.attributes))
        insert.bind(17, blob: SpatiaLiteBlob.point(lon: inc.location.lon, lat: inc.location.lat))
        guard try insert.run() == 1 else { return false }
        let id = sqlite3_last_insert_rowid(conn)
        func ev(_ from: String?, _ to: String, _ at: String, _ who: String) throws {
            event.bind(1, id)
            event.bind(2, from)
            event.bind(3, to)
            event.bind(4, at)
            event.bind(5, who)
            try event.run()
        }
        if inc.status.isOpen {
            try ev(nil, inc.status.rawValue, reported, actor)
        } else {
            try ev(nil, "new", reported, actor)
            try ev("new", inc.status.rawValue, Timestamp.format(inc.resolvedAt ?? inc.reportedAt), inc.agency.isEmpty ? actor : inc.agency)
        }
        if let r = inc.reporter, !r.isEmpty {
            reporter.bind(1, id)
            reporter.bind(2, r.name)
            reporter.bind(3, r.phone)
            reporter.bind(4, r.email)
            try reporter.run()
        }
        return true
    }
}

extension SpatiaLiteStore {
    /// Finishes a bulk load that a previous process did not finish.
    func recoverDeferredIndex() throws {
        try pool.write { db in
            if try String.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = ?", arguments: [BulkIncidentWriter.stateKey]) != nil {
                logger.warning("finishing an interrupted bulk load: rebuilding the spatial index")
                try BulkIncidentWriter.restoreIndex(db)
            }
        }
    }

    /// Writes incidents through the bulk path in one transaction per call. Call `beginBulk` first and
    /// `endBulk` at the end.
    public func bulkInsert(_ incidents: [Incident], actor: String) async throws -> (inserted: Int, duplicates: Int) {
        let loc = try locator()
        let taxonomy = self.taxonomy
        return try await pool.write { db in
            let w = try BulkIncidentWriter(db: db, locator: loc, taxonomy: taxonomy, actor: actor,
                                           agencyFor: { inc, district in self.agency(for: inc, district: district) })
            var ins = 0, dup = 0
            for inc in incidents { if try w.write(inc) { ins += 1 } else { dup += 1 } }
            return (ins, dup)
        }
    }

    public func beginBulk() async throws {
        try await pool.write { db in try BulkIncidentWriter.deferIndex(db) }
    }

    public func endBulk() async throws {
        try await pool.write { db in try BulkIncidentWriter.restoreIndex(db) }
    }

    /// SQLite's own check of the spatial index structure; "ok" when sound.
    public func checkSpatialIndex() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT rtreecheck('idx_incidents_geom')") ?? "" }
    }
}
