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

    /// What a bulk load under way set aside (type, name and SQL of each trigger and index), nil when none is.
    static func deferred(_ db: Database) throws -> [[String: String]]? {
        guard let json = try String.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = ?", arguments: [stateKey]) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]] ?? []
    }

    /// Drops the incidents table's SpatiaLite triggers after saving their SQL.
    static func deferIndex(_ db: Database) throws {
        if try deferred(db) != nil { return }
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

    /// Leaves an index or trigger out of what an interrupted bulk load will restore.
    static func forgetDeferred(_ db: Database, named name: String) throws {
        guard let saved = try deferred(db) else { return }
        let kept = String(decoding: try JSONSerialization.data(withJSONObject: saved.filter { $0["name"] != name }), as: UTF8.self)
        try db.execute(sql: "UPDATE store_state SET value = ? WHERE key = ?", arguments: [kept, stateKey])
    }

    /// Rebuilds the R*Tree from every incident and restores the triggers.
    static func restoreIndex(_ db: Database) throws {
        guard let saved = try deferred(db) else { return }
        guard let conn = db.sqliteConnection else { throw StoreError(.sqlite, "no connection") }
        var entries: [RTreeBulkLoader.Entry] = []
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, lon, lat FROM incidents")
        while let r = try cursor.next() {
            let lon: Double = r[1], lat: Double = r[2]
            entries.append(.init(id: r[0], minX: RTreeBulkLoader.down(lon), maxX: RTreeBulkLoader.up(lon),
                                 minY: RTreeBulkLoader.down(lat), maxY: RTreeBulkLoader.up(lat)))
        }
        try RTreeBulkLoader(table: "idx_incidents_geom").load(db: conn, entries: entries)
        entries = []
        for r in saved { try db.execute(sql: r["sql"]!) }
        try db.execute(sql: "DELETE FROM store_state WHERE key = ?", arguments: [stateKey])
    }

    let conn: OpaquePointer
    let actor: String
    let now: String
    private let insert: RawStatement
    private let reporter: RawStatement

    init(db: Database, actor: String) throws {
        guard let conn = db.sqliteConnection else { throw StoreError(.sqlite, "no connection") }
        self.conn = conn
        self.actor = actor
        self.now = Timestamp.format(Date())
        insert = try RawStatement(db: conn, sql: """
            INSERT INTO incidents (source, external_id, category, description, address, lon, lat, reported_at, status,
              resolved_at, updated_at, district, settlement, agency, approximate, attributes, geom)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            ON CONFLICT (source, external_id) DO NOTHING
            """)
        reporter = try RawStatement(db: conn, sql: "INSERT INTO reporters (incident_id, name, phone, email) VALUES (?1, ?2, ?3, ?4)")
    }

    /// Writes one incident and returns its new id, or nil when (source, external_id) was already there.
    /// Its events are written per batch by `recordCreations`.
    func write(_ p: PreparedIncident) throws -> Int64? {
        let inc = p.incident
        insert.bind(1, inc.source.rawValue)
        insert.bind(2, inc.externalID)
        insert.bind(3, inc.category)
        insert.bind(4, inc.description)
        insert.bind(5, inc.address)
        insert.bind(6, inc.location.lon)
        insert.bind(7, inc.location.lat)
        insert.bind(8, p.reported)
        insert.bind(9, inc.status.rawValue)
        insert.bind(10, p.resolved)
        insert.bind(11, now)
        insert.bind(12, p.district)
        insert.bind(13, p.settlement)
        insert.bind(14, p.agency)
        insert.bind(15, Int64(inc.approximateLocation ? 1 : 0))
        insert.bind(16, p.attributes)
        insert.bind(17, blob: p.blob)
        guard try insert.run() == 1 else { return nil }
        let id = sqlite3_last_insert_rowid(conn)
        if let r = inc.reporter, !r.isEmpty {
            reporter.bind(1, id)
            reporter.bind(2, r.name)
            reporter.bind(3, r.phone)
            reporter.bind(4, r.email)
            try reporter.run()
        }
        return id
    }

    /// The creation events of the incidents with ids in `range`, all written in this transaction: what
    /// `SpatiaLiteStore.recordCreation` writes for one incident, as two set-wise statements. Row by row, these
    /// 1.7 event rows per incident cost more than the incident itself.
    func recordCreations(_ range: ClosedRange<Int64>) throws {
        let opened = try RawStatement(db: conn, sql: """
            INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
            SELECT id, NULL, CASE WHEN status IN ('new', 'in_progress') THEN status ELSE 'new' END, reported_at, ?1, ''
            FROM incidents WHERE id BETWEEN ?2 AND ?3
            """)
        let closed = try RawStatement(db: conn, sql: """
            INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
            SELECT id, 'new', status, COALESCE(resolved_at, reported_at), CASE agency WHEN '' THEN ?1 ELSE agency END, ''
            FROM incidents WHERE id BETWEEN ?2 AND ?3 AND status NOT IN ('new', 'in_progress')
            """)
        for stmt in [opened, closed] {
            stmt.bind(1, actor)
            stmt.bind(2, range.lowerBound)
            stmt.bind(3, range.upperBound)
            try stmt.run()
        }
    }
}

/// An incident with every value the bulk insert binds already computed: its district and settlement, its
/// agency, its timestamps as text and its geometry blob. Preparing needs no connection, so an import prepares
/// the next batch on its own thread while the writer inserts the previous one.
public struct PreparedIncident: Sendable {
    let incident: Incident
    let district: String?
    let settlement: String?
    let agency: String
    let reported: String
    let resolved: String?
    let attributes: String?
    let blob: [UInt8]
}

extension SpatiaLiteStore {
    /// Finishes a bulk load that a previous process did not finish.
    func recoverDeferredIndex() throws {
        try pool.write { db in
            if try BulkIncidentWriter.deferred(db) != nil {
                logger.warning("finishing an interrupted bulk load: rebuilding the spatial index")
                try BulkIncidentWriter.restoreIndex(db)
            }
        }
    }

    /// Computes everything the bulk insert binds for these incidents (areas, agency, text timestamps,
    /// geometry), without the database.
    public func prepareBulk(_ incidents: [Incident]) throws -> [PreparedIncident] {
        let loc = try locator()
        return incidents.map { inc in
            let place = loc.assign(inc.location)
            let district = inc.district ?? place.district
            return PreparedIncident(
                incident: inc, district: district, settlement: inc.settlement ?? place.settlement,
                agency: agency(for: inc, district: district), reported: Timestamp.format(inc.reportedAt),
                resolved: inc.resolvedAt.map(Timestamp.format), attributes: IncidentRow.attributesJSON(inc.attributes),
                blob: SpatiaLiteBlob.point(lon: inc.location.lon, lat: inc.location.lat))
        }
    }

    /// Writes prepared incidents through the bulk path in one transaction. Call `beginBulk` first and
    /// `endBulk` at the end.
    public func bulkInsert(prepared: [PreparedIncident], actor: String) async throws -> (inserted: Int, duplicates: Int) {
        try await pool.writeWithoutTransaction { db in
            // The events and reporters written here refer to incidents inserted in the same statement batch, so
            // checking each reference costs a lookup per row and can find nothing wrong; the pragma has no
            // effect inside a transaction, hence the transaction is opened here.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            var result = (inserted: 0, duplicates: 0)
            try db.inTransaction {
                let w = try BulkIncidentWriter(db: db, actor: actor)
                var ins = 0, dup = 0
                var first: Int64?, last: Int64 = 0
                for p in prepared {
                    if let id = try w.write(p) {
                        ins += 1
                        if first == nil { first = id }
                        last = id
                    } else {
                        dup += 1
                    }
                }
                if let first { try w.recordCreations(first...last) }
                result = (ins, dup)
                return .commit
            }
            return result
        }
    }

    /// `prepareBulk` then `bulkInsert(prepared:)`.
    public func bulkInsert(_ incidents: [Incident], actor: String) async throws -> (inserted: Int, duplicates: Int) {
        try await bulkInsert(prepared: prepareBulk(incidents), actor: actor)
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
