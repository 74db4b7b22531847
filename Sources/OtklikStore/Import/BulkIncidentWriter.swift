import OtklikCore
import Foundation
import GRDB
import CSpatiaLite

/// The bulk write path's row writer: raw prepared statements bound from a `PreparedChunk`, geometry blobs built
/// in Swift, creation events written set-wise. It writes with every index deferred but the events' index by
/// incident, which a load only appends to (see `DeferredIndexes`).
struct BulkIncidentWriter {
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
