import Foundation
import Logging
import PostgresNIO
import Synchronization

/// What a bulk load into an empty database sets aside, and its rebuild: the secondary indexes of the incidents
/// and their events, the (source, external_id) key, and the foreign keys that point at the incidents. Kept up
/// to date row by row they cost most of a first import (the events' foreign key alone doubled the time of
/// copying the events; the GiST index and the key were most of the rest); built once at the end they are a few
/// seconds of sorting.
///
/// The SQL that recreates each one is saved in `bulk_load_deferred` in the transaction that drops it, so a
/// load that dies half way is finished by the next process that opens the store (see `PostGISStore.migrate`).
/// A load holds `lockKey` for its whole run: recovery leaves a load that is still running alone.
///
/// The key is set aside only when the table is empty, which is when nothing but the load can have written: a
/// server's insert needs the key (`ON CONFLICT`) and is refused while it is missing. Rows that repeated an
/// earlier row's key are removed when the key is built, which leaves what the key would have kept.
enum PostGISDeferredIndexes {
    /// The advisory lock a bulk load holds: loads run one at a time, and recovery skips a running one.
    static let lockKey = 715_319

    /// Sets the indexes, the key and the foreign keys aside when the incidents table is empty; returns whether
    /// it did. A table with rows, or one another transaction holds for longer than a few seconds, is left as
    /// it is (the load then merges with everything live).
    static func setAsideIfEmpty(_ conn: PostgresConnection, logger: Logger) async throws -> Bool {
        try await conn.query("BEGIN", logger: logger)
        do {
            try await conn.query("SET LOCAL lock_timeout = '5s'", logger: logger)
            do {
                try await conn.query("LOCK TABLE incidents, incident_events IN ACCESS EXCLUSIVE MODE", logger: logger)
            } catch let e as PSQLError where e.serverInfo?[.sqlState] == "55P03" {
                try await conn.query("ROLLBACK", logger: logger)
                logger.info("the incidents table is in use; the load keeps its indexes live")
                return false
            }
            let empty = try await conn.query("SELECT NOT EXISTS (SELECT 1 FROM incidents)", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            guard empty else {
                try await conn.query("ROLLBACK", logger: logger)
                return false
            }
            var aside: [(kind: String, name: String, create: String, cleanup: String?, drop: String)] = []
            for row in try await conn.query("""
                SELECT c.conname, c.conrelid::regclass::text, a.attname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.confrelid = 'incidents'::regclass AND c.contype = 'f' ORDER BY c.conname
                """, logger: logger).collect() {
                let (name, table, column, def) = try row.decode((String, String, String, String).self)
                aside.append(("foreign", name, "ALTER TABLE \(table) ADD CONSTRAINT \(quoted(name)) \(def)",
                              "DELETE FROM \(table) t WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = t.\(quoted(column)))",
                              "ALTER TABLE \(table) DROP CONSTRAINT \(quoted(name))"))
            }
            // A key is rebuilt as its unique index (which other index builds may run beside) and then named the
            // constraint again (`restore`).
            for row in try await conn.query("""
                SELECT conname, pg_get_indexdef(conindid) FROM pg_constraint
                WHERE conrelid = 'incidents'::regclass AND contype = 'u' ORDER BY conname
                """, logger: logger).collect() {
                let (name, def) = try row.decode((String, String).self)
                aside.append(("key", name, def, nil, "ALTER TABLE incidents DROP CONSTRAINT \(quoted(name))"))
            }
            for row in try await conn.query("""
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                WHERE i.indrelid IN ('incidents'::regclass, 'incident_events'::regclass) AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY 1
                """, logger: logger).collect() {
                let (name, def) = try row.decode((String, String).self)
                aside.append(("index", name, def, nil, "DROP INDEX \(name)"))
            }
            for (n, a) in aside.enumerated() {
                try await conn.query("""
                    INSERT INTO bulk_load_deferred (seq, kind, name, create_sql, cleanup_sql)
                    VALUES (\(n), \(a.kind), \(a.name), \(a.create), \(a.cleanup))
                    """, logger: logger)
                try await conn.query(PostgresQuery(unsafeSQL: a.drop), logger: logger)
            }
            try await conn.query("COMMIT", logger: logger)
            return true
        } catch {
            _ = try? await conn.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Whether a load set something aside that is not rebuilt yet.
    static func pending(_ conn: PostgresConnection, logger: Logger) async throws -> Bool {
        try await conn.query("SELECT EXISTS (SELECT 1 FROM bulk_load_deferred)", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
    }

    /// One thing set aside, as `bulk_load_deferred` records it.
    private struct Deferred: Sendable {
        let seq: Int
        let kind: String
        let name: String
        let create: String
        let cleanup: String?
    }

    /// Builds what was set aside, each in a transaction of its own that also removes its record, so that a
    /// failure half way leaves the rest recorded for the next attempt. The key comes first (removing the rows
    /// that repeat an earlier row's key, when there are any), then the indexes, then the foreign keys
    /// (removing the events and contacts left without their incident, when there are any). Each of
    /// `connections` takes the next one when it is free: index builds on one table run side by side, a foreign
    /// key waits for them. The identity sequence gives back the ids reserved and not used. Returns the number
    /// of rows removed as repeats.
    static func restore(_ connections: [PostgresConnection], logger: Logger) async throws -> Int {
        guard let first = connections.first else { return 0 }
        let order = ["key": 0, "index": 1, "foreign": 2]
        let items = try await first.query("SELECT seq, kind, name, create_sql, cleanup_sql FROM bulk_load_deferred", logger: logger)
            .collect()
            .map { row in
                let (seq, kind, name, create, cleanup) = try row.decode((Int, String, String, String, String?).self)
                return Deferred(seq: seq, kind: kind, name: name, create: create, cleanup: cleanup)
            }
            .sorted { (order[$0.kind, default: 3], $0.seq) < (order[$1.kind, default: 3], $1.seq) }
        guard !items.isEmpty else { return 0 }
        let queue = WorkQueue(items)
        let repeats = try await withThrowingTaskGroup(of: Int.self) { group in
            for conn in connections {
                group.addTask {
                    var removed = 0
                    while let item = queue.next() {
                        // The key's rows must be final before a foreign key is checked against them.
                        if item.kind == "foreign" { try await waitForKeys(conn, logger: logger) }
                        removed += try await rebuild(item, on: conn, logger: logger)
                    }
                    return removed
                }
            }
            return try await group.reduce(0, +)
        }
        try await first.query("""
            SELECT setval(pg_get_serial_sequence('incidents', 'id'), coalesce((SELECT max(id) FROM incidents), 0) + 1, false)
            """, logger: logger)
        // Fresh statistics, so that the first queries after a large load are planned for its size.
        try await first.query("ANALYZE incidents, incident_events, reporters", logger: logger)
        return repeats
    }

    /// Waits until no key is left to build (another connection may be building it).
    private static func waitForKeys(_ conn: PostgresConnection, logger: Logger) async throws {
        while try await conn.query("SELECT EXISTS (SELECT 1 FROM bulk_load_deferred WHERE kind = 'key')", logger: logger)
            .collect().first?.decode(Bool.self) ?? false {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Builds one thing set aside and removes its record, in one transaction; returns the rows removed as repeats.
    private static func rebuild(_ item: Deferred, on conn: PostgresConnection, logger: Logger) async throws -> Int {
        var repeats = 0
        try await conn.query("BEGIN", logger: logger)
        do {
            try await conn.query("SAVEPOINT rebuild", logger: logger)
            do {
                try await conn.query(PostgresQuery(unsafeSQL: item.create), logger: logger)
            } catch let e as PSQLError where e.serverInfo?[.sqlState] == (item.kind == "key" ? "23505" : "23503") && item.kind != "index" {
                try await conn.query("ROLLBACK TO SAVEPOINT rebuild", logger: logger)
                if item.kind == "key" {
                    repeats = try await conn.query("""
                        WITH gone AS (DELETE FROM incidents a USING incidents b
                          WHERE a.source = b.source AND a.external_id = b.external_id AND a.id > b.id RETURNING a.id)
                        SELECT count(DISTINCT id) FROM gone
                        """, logger: logger).collect().first?.decode(Int.self) ?? 0
                } else if let cleanup = item.cleanup {
                    try await conn.query(PostgresQuery(unsafeSQL: cleanup), logger: logger)
                }
                try await conn.query(PostgresQuery(unsafeSQL: item.create), logger: logger)
            }
            if item.kind == "key" {
                let name = quoted(item.name)
                try await conn.query(PostgresQuery(unsafeSQL: "ALTER TABLE incidents ADD CONSTRAINT \(name) UNIQUE USING INDEX \(name)"), logger: logger)
            }
            try await conn.query("DELETE FROM bulk_load_deferred WHERE seq = \(item.seq)", logger: logger)
            try await conn.query("COMMIT", logger: logger)
            logger.debug("rebuilt \(item.name)")
            return repeats
        } catch {
            _ = try? await conn.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Finishes what a load that is no longer running set aside; a running load (it holds `lockKey`) is left to
    /// finish itself.
    static func recover(_ conn: PostgresConnection, logger: Logger) async throws {
        guard try await pending(conn, logger: logger) else { return }
        let locked = try await conn.query("SELECT pg_try_advisory_lock(\(lockKey))", logger: logger)
            .collect().first?.decode(Bool.self) ?? false
        guard locked else {
            logger.info("a bulk load is writing to this database; it builds the indexes it set aside when it ends")
            return
        }
        do {
            logger.warning("finishing an interrupted bulk load: building the indexes it set aside")
            let removed = try await restore([conn], logger: logger)
            if removed > 0 {
                logger.warning("removed \(removed) incidents of the interrupted load that repeated the (source, external_id) of one loaded before them")
            }
        } catch {
            _ = try? await conn.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
        try await conn.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
    }

    private static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Items taken one at a time by several tasks.
private final class WorkQueue<Item: Sendable>: Sendable {
    private let items: Mutex<ArraySlice<Item>>
    init(_ items: [Item]) { self.items = Mutex(items[...]) }
    func next() -> Item? { items.withLock { $0.popFirst() } }
}
