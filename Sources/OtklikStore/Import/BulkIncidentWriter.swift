public import OtklikCore
import Foundation
import GRDB
import CSpatiaLite

/// The bulk write path: raw prepared statements, geometry blobs built in Swift, and every index deferred but
/// the events' index by incident, which a load only appends to. The R*Tree triggers and the secondary B-tree
/// indexes are set aside for the load; at the end the R*Tree is rebuilt in one packed pass (see
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
    static func forgetDeferred(_ db: Database, named name: String) throws {
        guard let saved = try deferred(db) else { return }
        let kept = String(decoding: try JSONSerialization.data(withJSONObject: saved.filter { $0["name"] != name }), as: UTF8.self)
        try db.execute(sql: "UPDATE store_state SET value = ? WHERE key = ?", arguments: [kept, stateKey])
    }

    /// Builds the key if it was set aside, rebuilds the R*Tree from every incident and restores the indexes
    /// and triggers. The tree is packed on another thread while this one builds the B-tree indexes: both are
    /// a few seconds of a million-row load, and nothing else runs then. Returns the number of rows removed
    /// because they repeated an earlier row's key (see `buildKey`).
    @discardableResult
    static func restoreIndex(_ db: Database) throws -> Int {
        guard let saved = try deferred(db) else { return 0 }
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

    let conn: OpaquePointer
    let actor: String
    /// updated_at of every row of the load, as UTF-8.
    private let now: [UInt8]
    private let insert: RawStatement
    private let reporter: RawStatement
    private let opened: RawStatement
    private let closed: RawStatement

    init(db: Database, actor: String) throws {
        guard let conn = db.sqliteConnection else { throw StoreError(.sqlite, "no connection") }
        self.conn = conn
        self.actor = actor
        self.now = Array(Timestamp.format(Date()).utf8)
        // OR IGNORE skips a row whose key is there, as ON CONFLICT DO NOTHING would, and also works while the
        // key is set aside (ON CONFLICT names a key, and without it the statement does not prepare). It would
        // also skip a NULL in a NOT NULL column, but every such value comes from a non-optional field.
        insert = try RawStatement(db: conn, sql: """
            INSERT OR IGNORE INTO incidents (source, external_id, category, description, address, lon, lat, reported_at, status,
              resolved_at, updated_at, district, settlement, agency, approximate, attributes, geom)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            """)
        reporter = try RawStatement(db: conn, sql: "INSERT INTO reporters (incident_id, name, phone, email) VALUES (?1, ?2, ?3, ?4)")
        // The creation events, set-wise (see `recordCreations`).
        opened = try RawStatement(db: conn, sql: """
            INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
            SELECT id, NULL, CASE WHEN status IN ('new', 'in_progress') THEN status ELSE 'new' END, reported_at, ?1, ''
            FROM incidents WHERE id BETWEEN ?2 AND ?3
            """)
        closed = try RawStatement(db: conn, sql: """
            INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
            SELECT id, 'new', status, COALESCE(resolved_at, reported_at), CASE agency WHEN '' THEN ?1 ELSE agency END, ''
            FROM incidents WHERE id BETWEEN ?2 AND ?3 AND status NOT IN ('new', 'in_progress')
            """)
    }

    /// Writes a chunk of incidents and their creation events, inside the caller's transaction. Texts are bound
    /// in place from the chunk's one buffer (SQLITE_STATIC), so the insert copies each value once, into its
    /// record, with no allocation per value.
    func write(_ chunk: PreparedChunk) throws -> (inserted: Int, duplicates: Int) {
        var inserted = 0
        var first: Int64?, last: Int64 = 0
        try chunk.bytes.withUnsafeBufferPointer { bytes in
            try now.withUnsafeBufferPointer { nowBytes in
                defer { insert.clearBindings() }
                insert.bindStatic(11, nowBytes.baseAddress, nowBytes.count)
                var next = 0
                for row in 0..<chunk.count {
                    guard let id = try insertRow(row, of: chunk, bytes: bytes) else { continue }
                    inserted += 1
                    if first == nil { first = id }
                    last = id
                    while next < chunk.reporters.count && chunk.reporters[next].row < row { next += 1 }
                    if next < chunk.reporters.count && chunk.reporters[next].row == row {
                        let r = chunk.reporters[next].contact
                        reporter.bind(1, id)
                        reporter.bind(2, r.name)
                        reporter.bind(3, r.phone)
                        reporter.bind(4, r.email)
                        try reporter.run()
                    }
                }
            }
        }
        if let first { try recordCreations(first...last) }
        return (inserted, chunk.count - inserted)
    }

    /// Inserts one row of a chunk; returns its new id, or nil when (source, external_id) was already there.
    private func insertRow(_ row: Int, of chunk: PreparedChunk, bytes: UnsafeBufferPointer<UInt8>) throws -> Int64? {
        let base = row * PreparedChunk.fieldCount * 2
        func text(_ index: Int32, _ field: PreparedChunk.Field) {
            let at = base + 2 * field.rawValue
            let start = chunk.spans[at], count = chunk.spans[at + 1]
            if count < 0 { insert.bindNull(index) } else { insert.bindStatic(index, bytes.baseAddress.map { $0 + start }, count) }
        }
        text(1, .source)
        text(2, .externalID)
        text(3, .category)
        text(4, .description)
        text(5, .address)
        insert.bind(6, chunk.lon[row])
        insert.bind(7, chunk.lat[row])
        text(8, .reported)
        text(9, .status)
        text(10, .resolved)
        text(12, .district)
        text(13, .settlement)
        text(14, .agency)
        insert.bind(15, Int64(chunk.approximate[row] ? 1 : 0))
        text(16, .attributes)
        let at = base + 2 * PreparedChunk.Field.geometry.rawValue
        insert.bindStaticBlob(17, bytes.baseAddress.map { $0 + chunk.spans[at] }, chunk.spans[at + 1])
        guard try insert.run() == 1 else { return nil }
        return sqlite3_last_insert_rowid(conn)
    }

    /// The creation events of the incidents with ids in `range`, all written in this transaction: what
    /// `SpatiaLiteStore.recordCreation` writes for one incident, as two set-wise statements. Row by row, these
    /// 1.7 event rows per incident cost more than the incident itself.
    func recordCreations(_ range: ClosedRange<Int64>) throws {
        for stmt in [opened, closed] {
            stmt.bind(1, actor)
            stmt.bind(2, range.lowerBound)
            stmt.bind(3, range.upperBound)
            try stmt.run()
        }
    }
}

/// Incidents with every value the bulk insert binds already computed: district and settlement, agency,
/// timestamps as text, geometry blob. Preparing needs no connection, so an import prepares the next chunk on
/// its own thread while the writer inserts the previous one.
///
/// Packed: the texts and blobs of all rows sit back to back in one byte buffer, with a (start, length) span per
/// field and row, so that a chunk is a handful of allocations rather than a dozen per row, and the writer binds
/// values where they lie.
public struct PreparedChunk: Sendable {
    /// The fields kept in `bytes`, in their span order.
    enum Field: Int, CaseIterable {
        case source, externalID, category, description, address, reported, status, resolved, district, settlement,
             agency, attributes, geometry
    }
    static let fieldCount = Field.allCases.count

    var bytes: [UInt8] = []
    /// Per row, per field: start in `bytes` and length; length -1 for NULL.
    var spans: [Int] = []
    var lon: [Double] = []
    var lat: [Double] = []
    var approximate: [Bool] = []
    /// Rows with a reporter contact, in row order.
    var reporters: [(row: Int, contact: ReporterContact)] = []

    public var count: Int { lon.count }

    init(capacity: Int) {
        bytes.reserveCapacity(capacity * 320)
        spans.reserveCapacity(capacity * Self.fieldCount * 2)
        lon.reserveCapacity(capacity)
        lat.reserveCapacity(capacity)
        approximate.reserveCapacity(capacity)
    }

    mutating func append(_ inc: Incident, district: String?, settlement: String?, agency: String) {
        let row = count
        text(inc.source.rawValue)
        text(inc.externalID)
        text(inc.category)
        text(inc.description)
        text(inc.address)
        text(Timestamp.format(inc.reportedAt))
        text(inc.status.rawValue)
        text(inc.resolvedAt.map(Timestamp.format))
        text(district)
        text(settlement)
        text(agency)
        text(IncidentRow.attributesJSON(inc.attributes))
        let start = bytes.count
        SpatiaLiteBlob.appendPoint(to: &bytes, lon: inc.location.lon, lat: inc.location.lat)
        spans.append(start)
        spans.append(bytes.count - start)
        lon.append(inc.location.lon)
        lat.append(inc.location.lat)
        approximate.append(inc.approximateLocation)
        if let r = inc.reporter, !r.isEmpty { reporters.append((row, r)) }
    }

    private mutating func text(_ value: String?) {
        guard var value else {
            spans.append(0)
            spans.append(-1)
            return
        }
        let start = bytes.count
        value.withUTF8 { bytes.append(contentsOf: $0) }
        spans.append(start)
        spans.append(bytes.count - start)
    }
}

extension SpatiaLiteStore {
    /// Finishes a bulk load that a previous process did not finish. A load that is still running in another
    /// process holds its `LoadLock` and is left to finish itself.
    func recoverDeferredIndex() throws {
        guard try pool.read({ db in try BulkIncidentWriter.deferred(db) }) != nil else { return }
        guard let lock = try LoadLock.take(for: path) else {
            logger.info("a bulk load is writing to \(path); it rebuilds the indexes it set aside when it ends")
            return
        }
        try withExtendedLifetime(lock) {
            try pool.write { db in
                guard try BulkIncidentWriter.deferred(db) != nil else { return }
                logger.warning("finishing an interrupted bulk load: building the indexes it set aside")
                let removed = try BulkIncidentWriter.restoreIndex(db)
                if removed > 0 {
                    logger.warning("removed \(removed) incidents of the interrupted load that repeated the (source, external_id) of one loaded before them")
                }
            }
        }
    }

    /// Computes everything the bulk insert binds for these incidents (areas, agency, text timestamps,
    /// geometry), without the database. It also checks what the table's CHECK constraints check, since the
    /// bulk writer leaves them off (see `withBulkPragmas`): the position's range here, the status by its type.
    public func prepareBulk(_ incidents: [Incident]) throws -> PreparedChunk {
        let loc = try locator()
        var chunk = PreparedChunk(capacity: incidents.count)
        for inc in incidents {
            _ = try GeoPoint.validated(lon: inc.location.lon, lat: inc.location.lat)
            let place = loc.assign(inc.location, measuringDistance: false)
            let district = inc.district ?? place.district
            chunk.append(inc, district: district, settlement: inc.settlement ?? place.settlement,
                         agency: agency(for: inc, district: district))
        }
        return chunk
    }

    /// Starts a bulk load's writer (see `BulkLoad`). Call `beginBulk` first, `BulkLoad.finish` after the last
    /// chunk, then `endBulk`.
    public func bulkLoad(actor: String, transactionRows: Int) -> BulkLoad {
        BulkLoad(store: self, actor: actor, transactionRows: transactionRows)
    }

    /// The writer of a `BulkLoad`: one write access for the whole load, a transaction per `transactionRows`
    /// rows (rounded up to whole chunks), until `next` returns nil.
    func writeBulk(actor: String, transactionRows: Int, next: @escaping @Sendable () -> PreparedChunk?,
                   failed: @escaping @Sendable (any Error) -> Void,
                   wrote: @escaping @Sendable ((inserted: Int, duplicates: Int)) -> Void) async throws {
        try await pool.writeWithoutTransaction { db in
            do {
                try Self.withBulkPragmas(db) {
                    let w = try BulkIncidentWriter(db: db, actor: actor)
                    var open = 0
                    while let chunk = next() {
                        if open == 0 { try db.execute(sql: "BEGIN IMMEDIATE") }
                        wrote(try w.write(chunk))
                        open += chunk.count
                        if open >= transactionRows {
                            try db.execute(sql: "COMMIT")
                            open = 0
                        }
                    }
                    if open > 0 { try db.execute(sql: "COMMIT") }
                }
            } catch {
                failed(error)
                throw error
            }
        }
    }

    /// Runs `body` with two kinds of checks off that a bulk write cannot fail, both back on when it returns:
    /// - foreign keys: the events and reporters it adds refer to incidents inserted in the same transaction,
    ///   so checking each reference costs a lookup per row. The pragma has no effect inside a transaction,
    ///   hence the transactions are opened inside `body`;
    /// - CHECK constraints: `prepareBulk` has checked each position's range and a status cannot be other
    ///   than the four of its type. Evaluating them cost about 2 s of a million-row load's 12 s of inserts
    ///   (Benchmarks/import_floor.py). Every other write path keeps them.
    /// The writer's connection serves nothing else during the load's one write access.
    private static func withBulkPragmas<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
        defer {
            // A failed body leaves its transaction open, and inside one the foreign-key pragma does nothing.
            if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
            try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
            try? db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        return try body()
    }

    /// Writes incidents already in memory through a `BulkLoad`: prepared `BulkLoad.chunkRows` at a time while
    /// the writer stores the previous chunk, committed every `transactionRows`. Call `beginBulk` first and
    /// `endBulk` at the end. `written` gets the count of incidents handed over so far.
    public func bulkInsert(_ incidents: [Incident], actor: String, transactionRows: Int = BulkLoad.transactionRows,
                           written: (Int) -> Void = { _ in }) async throws -> (inserted: Int, duplicates: Int) {
        let load = bulkLoad(actor: actor, transactionRows: transactionRows)
        do {
            for start in stride(from: 0, to: incidents.count, by: BulkLoad.chunkRows) {
                let end = min(incidents.count, start + BulkLoad.chunkRows)
                try await load.send(prepareBulk(Array(incidents[start..<end])))
                written(end)
            }
        } catch {
            _ = try? await load.finish()   // what was sent is committed
            throw error
        }
        return try await load.finish()
    }

    /// Takes the database's `LoadLock`, sets the deferred indexes aside and, when nothing else has the file
    /// open, switches it to a rollback journal for the load (see `useRollbackJournal`). Throws when another
    /// load is writing to the same file.
    public func beginBulk() async throws {
        // The areas are read now: nothing reads the database while the load writes.
        _ = try locator()
        guard let lock = try LoadLock.take(for: path) else {
            throw StoreError(.busy, "another import is loading into \(path); run this one when it has finished")
        }
        heldLoadLock.withLock { $0 = lock }
        do {
            try await pool.write { db in try BulkIncidentWriter.deferIndex(db) }
        } catch {
            heldLoadLock.withLock { $0 = nil }
            throw error
        }
        await useRollbackJournal()
    }

    /// Rebuilds what `beginBulk` set aside, returns the file to WAL and releases the `LoadLock`. Returns the
    /// number of incidents removed because they repeated the key of one loaded before them (only when the key
    /// was set aside, see `BulkIncidentWriter`); they were counted as inserted while the load ran.
    @discardableResult
    public func endBulk() async throws -> Int {
        defer { heldLoadLock.withLock { $0 = nil } }
        let removed = try await pool.write { db in try BulkIncidentWriter.restoreIndex(db) }
        try await useWAL()
        return removed
    }

    /// The journal a bulk load writes through: "delete" (rollback) when it had the file to itself, else "wal".
    public func journalMode() async throws -> String {
        try await pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// WAL writes every page twice (into the WAL, then into the file at the checkpoint) and the checkpoints
    /// run on the writer's thread. A rollback journal writes a new page once and journals only the pages that
    /// existed before the transaction, which a load mostly appends past: a million-row import took 2–4 s less.
    ///
    /// SQLite allows the switch only when no other connection has the file open, so a running server (or any
    /// reader) keeps the load in WAL, where it runs as before. A server that starts during the load waits for
    /// a commit, switches the file back to WAL itself, and the load goes on in WAL from its next
    /// transaction. A commit is as durable either way (synchronous FULL while in the rollback journal); a
    /// load killed half way leaves a hot journal, which the next open rolls back before it returns to WAL.
    private func useRollbackJournal() async {
        pool.releaseMemory()   // closes this process's idle readers, which would keep the file in WAL
        do {
            let mode = try await pool.writeWithoutTransaction { db -> String in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") ?? ""
                if mode == "delete" { try db.execute(sql: "PRAGMA synchronous = FULL") }
                return mode
            }
            if mode != "delete" { logger.info("bulk load in WAL mode: another connection has the database open") }
        } catch {
            logger.info("bulk load in WAL mode: another connection has the database open (\(error))")
        }
    }

    private func useWAL() async throws {
        let mode = try await pool.writeWithoutTransaction { db -> String in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            return try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") ?? ""
        }
        guard mode == "wal" else {
            throw StoreError(.sqlite, "the database stayed in \(mode) journal mode after a bulk load; the next open returns it to WAL")
        }
    }

    /// SQLite's own check of the spatial index structure; "ok" when sound.
    public func checkSpatialIndex() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT rtreecheck('idx_incidents_geom')") ?? "" }
    }
}
