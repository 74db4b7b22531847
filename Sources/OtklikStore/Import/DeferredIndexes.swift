import Foundation
import GRDB

/// The indexes and triggers a bulk load sets aside, and their rebuild. The R*Tree triggers and the secondary
/// B-tree indexes are set aside for the load; at the end the R*Tree is rebuilt in one packed pass (see
/// RTreeBulkLoader) and the B-trees are recreated by sorting, which is several times cheaper than keeping them
/// up to date row by row. What was set aside is saved in `store_state` first, so a load that dies half way is
/// finished at the next open (see `LoadLock`).
///
/// The (source, external_id) key is set aside too when the table is empty, which is when it costs most (a
/// million-row first import spent a third of its inserting time on it) and when nothing but the load can
/// have written: a server's insert refuses to write without the key (see `SpatiaLiteStore.insert`). Rows
/// that repeat a key earlier in the load are then removed when the key is built, which leaves what the key
/// would have kept. Into a table with rows, the key stays, since removing a repeat could then remove a row
/// that a server had acknowledged.
enum DeferredIndexes {
    static let stateKey = "deferred_incident_triggers"

    /// What a bulk load under way set aside (type, name and SQL of each trigger and index), nil when none is.
    static func saved(_ db: Database) throws -> [[String: String]]? {
        guard let json = try String.fetchOne(db, sql: "SELECT value FROM store_state WHERE key = ?", arguments: [stateKey]) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]] ?? []
    }

    /// Saves the SQL of the triggers and indexes a load sets aside, then drops them.
    static func setAside(_ db: Database) throws {
        if try saved(db) != nil { return }
        // Triggers on incidents (the R*Tree upkeep and SpatiaLite's geometry checks) and the indexes of
        // incidents and events, but for the events' index by incident, which a load only appends to (new
        // incidents take ids above every existing one), so keeping it costs less than building it again from all
        // events at the end; and the key, unless the table is empty (see above).
        let rows = try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE (type = 'trigger' AND tbl_name = 'incidents')
               OR (type = 'index' AND sql IS NOT NULL AND tbl_name IN ('incidents', 'incident_events')
                   AND name <> 'incident_events_incident'
                   AND (name <> ?1 OR NOT EXISTS (SELECT 1 FROM incidents)))
            """, arguments: [IncidentKey.index])
        let saved = rows.map { ["type": $0[0] as String, "name": $0[1] as String, "sql": $0[2] as String] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: saved), as: UTF8.self)
        try db.execute(sql: "INSERT INTO store_state (key, value) VALUES (?, ?)", arguments: [stateKey, json])
        for r in saved {
            try db.execute(sql: "DROP \(r["type"] == "index" ? "INDEX" : "TRIGGER") IF EXISTS \"\(r["name"]!)\"")
        }
    }

    /// Leaves an index or trigger out of what an interrupted bulk load will restore.
    static func forget(_ db: Database, named name: String) throws {
        guard let saved = try Self.saved(db) else { return }
        let kept = String(decoding: try JSONSerialization.data(withJSONObject: saved.filter { $0["name"] != name }), as: UTF8.self)
        try db.execute(sql: "UPDATE store_state SET value = ? WHERE key = ?", arguments: [kept, stateKey])
    }

    /// Builds the key if it was set aside, rebuilds the R*Tree from every incident and restores the indexes
    /// and triggers. The tree is packed on another thread while this one builds the B-tree indexes: both are
    /// a few seconds of a million-row load, and nothing else runs then. Returns the number of rows removed
    /// because they repeated an earlier row's key (see `buildKey`).
    @discardableResult
    static func restore(_ db: Database) throws -> Int {
        guard let saved = try Self.saved(db) else { return 0 }
        guard let conn = db.sqliteConnection else { throw StoreError(.sqlite, "no connection") }
        var removed = 0
        let rtree = RTreeBulkLoader(table: "idx_incidents_geom")
        let capacity = try rtree.nodeCapacity(db: conn)
        let plan = try withSortingPragmas(db) {
            // The key first: the rows it removes must not reach the R*Tree.
            if let key = saved.first(where: { $0["name"] == IncidentKey.index }) { removed = try buildKey(db, sql: key["sql"]!) }
            let plan = try OffThread(spatialEntries(conn)) { RTreeBulkLoader.plan($0, capacity: capacity) }
            for r in saved where r["type"] == "index" && r["name"] != IncidentKey.index { try db.execute(sql: r["sql"]!) }
            return plan
        }
        try rtree.write(plan.value(), db: conn)
        for r in saved where r["type"] != "index" { try db.execute(sql: r["sql"]!) }
        try db.execute(sql: "DELETE FROM store_state WHERE key = ?", arguments: [stateKey])
        return removed
    }

    /// Runs `body`, which builds B-tree indexes, with SQLite's sorter on every core and a small page cache,
    /// then puts both back. The sorter sorts in memory up to the cache's size: with the 32 MB cache a
    /// million-row index was two or three large runs sorted on one thread. With 4 MB it is many small runs,
    /// which `PRAGMA threads` sorts on helper threads while the table is still being read, and which fit the
    /// processor's caches. The five indexes of a million-row import took 4.8-5.2 s instead of 7.3-7.7 s
    /// (sqlite3 on a copy of the import's database), and the sorter's memory went from 70 MB to 20 MB.
    private static func withSortingPragmas<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        let cores = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        try db.execute(sql: "PRAGMA threads = \(cores)")
        try db.execute(sql: "PRAGMA cache_size = -4096")
        defer {
            try? db.execute(sql: "PRAGMA threads = 0")
            try? db.execute(sql: "PRAGMA cache_size = \(SpatiaLiteStore.cacheKiB)")
        }
        return try body()
    }

    /// Builds the (source, external_id) key set aside for a load into an empty table. When rows repeat a key,
    /// which a live key would have refused, each repeat is removed with its events and reporter contact:
    /// the row with the lowest id (the first one loaded) stays, as the live key would have kept it. A load
    /// with no repeats pays for one index build and nothing else.
    private static func buildKey(_ db: Database, sql: String) throws -> Int {
        do {
            try db.execute(sql: sql)
            return 0
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
            try db.execute(sql: """
                CREATE TEMP TABLE repeated_keys (id INTEGER PRIMARY KEY);
                INSERT INTO temp.repeated_keys
                  SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY source, external_id ORDER BY id) AS n FROM incidents)
                  WHERE n > 1;
                DELETE FROM incident_events WHERE incident_id IN temp.repeated_keys;
                DELETE FROM reporters WHERE incident_id IN temp.repeated_keys;
                DELETE FROM incidents WHERE id IN temp.repeated_keys;
                """)
            let removed = db.changesCount
            try db.execute(sql: "DROP TABLE temp.repeated_keys")
            try db.execute(sql: sql)
            return removed
        }
    }

    /// Every incident's R*Tree entry: its id and its position rounded outward to float32.
    private static func spatialEntries(_ conn: OpaquePointer) throws -> [RTreeBulkLoader.Entry] {
        var entries: [RTreeBulkLoader.Entry] = []
        let scan = try RawStatement(db: conn, sql: "SELECT id, lon, lat FROM incidents")
        try scan.forEachRow { row in
            let lon = row.double(1), lat = row.double(2)
            entries.append(.init(id: row.int64(0), minX: RTreeBulkLoader.down(lon), maxX: RTreeBulkLoader.up(lon),
                                 minY: RTreeBulkLoader.down(lat), maxY: RTreeBulkLoader.up(lat)))
        }
        return entries
    }
}
