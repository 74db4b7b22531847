public import OtklikCore
import Foundation
import PostgresNIO
import Synchronization

extension PostGISStore: BulkIncidentLoading {
    /// A bulk load on a connection of its own: each batch is streamed with `COPY … FROM STDIN` into a temporary
    /// staging table and merged into the incidents in a few set-based statements (placed by `ST_Covers` and
    /// KNN, deduplicated, `ON CONFLICT` on the key); a transaction holds `transactionRows` rows. A load that
    /// stops keeps every batch handed over before it (the open transaction is committed at the end either way).
    public func withBulkLoad<T>(_ options: BulkLoadOptions, _ body: (PostGISBulkLoad) async throws -> T) async throws
        -> (value: T, written: BulkLoadCounts) {
        let load = try await PostGISBulkLoad.start(store: self, options: options)
        do {
            let value = try await body(load)
            let written = try await load.finishWriting()
            await load.close()
            return (value, written)
        } catch {
            _ = try? await load.finishWriting()
            await load.close()
            throw error
        }
    }
}

/// One bulk load into a PostGIS store (see `PostGISStore.withBulkLoad`).
public final class PostGISBulkLoad: BulkIncidentLoader {
    private struct State {
        var written = BulkLoadCounts()
        var openRows = 0
        var finished = false
        var failure: (any Error)?
    }

    private let store: PostGISStore
    private let connection: PostgresConnection
    private let actor: String
    private let transactionRows: Int
    private let loadedAt: Date
    private let state = Mutex(State())

    private static let staging = "otklik_staging"
    /// The staging table's columns that `COPY` fills, in the order of each line.
    private static let columns = ["seq", "source", "external_id", "category", "description", "address", "lon", "lat",
                                  "reported_at", "status", "resolved_at", "district", "settlement", "agency", "approximate",
                                  "attributes", "reporter_name", "reporter_phone", "reporter_email"]

    private init(store: PostGISStore, connection: PostgresConnection, options: BulkLoadOptions) {
        self.store = store
        self.connection = connection
        self.actor = options.actor
        self.transactionRows = max(1, options.transactionRows)
        self.loadedAt = IncidentColumns.stamp(Date())
    }

    static func start(store: PostGISStore, options: BulkLoadOptions) async throws -> PostGISBulkLoad {
        try await store.waitUntilReady()
        let l = store.location
        let config = PostgresConnection.Configuration(host: l.host, port: l.port, username: l.user, password: l.password,
                                                      database: l.database, tls: .disable)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: store.logger)
        } catch {
            throw store.described(error, "cannot connect to \(l) for the load")
        }
        let load = PostGISBulkLoad(store: store, connection: connection, options: options)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TEMP TABLE \(staging) (
                  seq integer NOT NULL, source text NOT NULL, external_id text NOT NULL, category text NOT NULL,
                  description text NOT NULL, address text NOT NULL, lon float8 NOT NULL, lat float8 NOT NULL,
                  reported_at timestamptz NOT NULL, status text NOT NULL, resolved_at timestamptz, district text,
                  settlement text, agency text NOT NULL, approximate boolean NOT NULL, attributes text,
                  reporter_name text, reporter_phone text, reporter_email text, incident_id bigint)
                """), logger: store.logger)
        } catch {
            await load.close()
            throw store.described(error, "cannot prepare the load")
        }
        return load
    }

    public var written: BulkLoadCounts { state.withLock { $0.written } }

    public func load(_ batch: [Incident]) async throws {
        try state.withLock { s in
            if let failure = s.failure { throw failure }
            if s.finished { throw PostGISError(.load, "the load has finished writing; nothing more can be loaded") }
        }
        guard !batch.isEmpty else { return }
        for inc in batch { _ = try GeoPoint.validated(lon: inc.location.lon, lat: inc.location.lat) }
        do {
            let counts = try await merge(batch)
            let commitNow = state.withLock { s in
                s.written.inserted += counts.inserted
                s.written.duplicates += counts.duplicates
                s.openRows += batch.count
                return s.openRows >= transactionRows
            }
            if commitNow { try await commit() }
        } catch {
            let described = store.described(error, "bulk load")
            state.withLock { $0.failure = described }
            _ = try? await connection.query("ROLLBACK", logger: store.logger)
            throw described
        }
    }

    public func finishWriting() async throws -> BulkLoadCounts {
        let (failure, alreadyFinished) = state.withLock { s in
            defer { s.finished = true }
            return (s.failure, s.finished)
        }
        if let failure { throw failure }
        if !alreadyFinished { try await commit() }
        return written
    }

    func close() async {
        try? await connection.close()
    }

    private func commit() async throws {
        let open = state.withLock { s in
            defer { s.openRows = 0 }
            return s.openRows
        }
        guard open > 0 else { return }
        do {
            try await StoreChangeNote.everything.send(on: connection, from: store.origin, logger: store.logger)
            try await connection.query("COMMIT", logger: store.logger)
            await store.noteCommit()
        } catch {
            let described = store.described(error, "bulk load commit")
            state.withLock { $0.failure = described }
            throw described
        }
    }

    /// Copies one batch into the staging table and merges it; returns what it wrote.
    private func merge(_ batch: [Incident]) async throws -> BulkLoadCounts {
        let conn = connection, logger = store.logger
        if state.withLock({ $0.openRows == 0 }) { try await conn.query("BEGIN", logger: logger) }
        try await conn.query(PostgresQuery(unsafeSQL: "TRUNCATE \(Self.staging)"), logger: logger)
        let text = Self.copyText(batch)
        try await conn.copyFrom(table: Self.staging, columns: Self.columns, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.writeBytes(text)
            try await writer.write(buffer)
        }
        // Places: the given district and settlement, else the ones the areas give.
        var place = SQL()
        let p = Placement.point(lon: "s.lon", lat: "s.lat"), radius = place.bind(store.settlementRadius)
        place.text = """
            UPDATE \(Self.staging) s SET district = coalesce(s.district, \(Placement.district(p))),
              settlement = coalesce(s.settlement, \(Placement.settlement(p, radius: radius)))
            WHERE s.district IS NULL OR s.settlement IS NULL
            """
        try await conn.rows(place, logger: logger)
        try await route(conn)
        // A key repeated inside the batch: its first row stays, as in the SpatiaLite store.
        try await conn.query(PostgresQuery(unsafeSQL: """
            DELETE FROM \(Self.staging) a USING \(Self.staging) b
            WHERE a.source = b.source AND a.external_id = b.external_id AND a.seq > b.seq
            """), logger: logger)
        var insert = SQL()
        insert.text = """
            WITH ins AS (
              INSERT INTO incidents (source, external_id, category, description, address, lon, lat, reported_at, status,
                resolved_at, updated_at, district, settlement, agency, approximate, attributes)
              SELECT source, external_id, category, description, address, lon, lat, reported_at, status, resolved_at,
                \(insert.bind(loadedAt)), district, settlement, agency, approximate, attributes
              FROM \(Self.staging) ORDER BY seq
              ON CONFLICT (source, external_id) DO NOTHING
              RETURNING id, source, external_id),
            up AS (UPDATE \(Self.staging) s SET incident_id = ins.id FROM ins
                   WHERE s.source = ins.source AND s.external_id = ins.external_id RETURNING 1)
            SELECT count(*) FROM up
            """
        let inserted = try await conn.rows(insert, logger: logger).first.map { try $0.decode(Int.self) } ?? 0
        var events = SQL()
        let who = events.bind(actor)
        events.text = """
            INSERT INTO incident_events (incident_id, from_status, to_status, at, actor, note)
            SELECT incident_id, NULL, CASE WHEN status IN ('new', 'in_progress') THEN status ELSE 'new' END, reported_at, \(who), ''
            FROM \(Self.staging) WHERE incident_id IS NOT NULL
            UNION ALL
            SELECT incident_id, 'new', status, coalesce(resolved_at, reported_at), CASE WHEN agency = '' THEN \(who) ELSE agency END, ''
            FROM \(Self.staging) WHERE incident_id IS NOT NULL AND status NOT IN ('new', 'in_progress')
            """
        try await conn.rows(events, logger: logger)
        try await conn.query(PostgresQuery(unsafeSQL: """
            INSERT INTO reporters (incident_id, name, phone, email)
            SELECT incident_id, reporter_name, reporter_phone, reporter_email FROM \(Self.staging)
            WHERE incident_id IS NOT NULL AND (coalesce(reporter_name, '') <> '' OR coalesce(reporter_phone, '') <> ''
              OR coalesce(reporter_email, '') <> '')
            """), logger: logger)
        return BulkLoadCounts(inserted: inserted, duplicates: batch.count - inserted)
    }

    /// Sets each staged row's agency by the store's routing, computed once per (category, district, given agency).
    private func route(_ conn: PostgresConnection) async throws {
        let keys = try await conn.rows(SQL("SELECT DISTINCT category, district, agency FROM \(Self.staging)"), logger: store.logger)
            .map { try $0.decode((String, String?, String).self) }
        var categories: [String] = [], districts: [String] = [], given: [String] = [], chosen: [String] = []
        for (category, district, agency) in keys {
            let a = store.agency(category: category, given: agency, district: district)
            guard a != agency else { continue }
            categories.append(category)
            districts.append(district ?? "")
            given.append(agency)
            chosen.append(a)
        }
        guard !categories.isEmpty else { return }
        var sql = SQL()
        sql.text = """
            UPDATE \(Self.staging) s SET agency = r.a
            FROM unnest(\(sql.bind(categories))::text[], \(sql.bind(districts))::text[], \(sql.bind(given))::text[], \(sql.bind(chosen))::text[]) AS r(c, d, g, a)
            WHERE s.category = r.c AND coalesce(s.district, '') = r.d AND s.agency = r.g
            """
        try await conn.rows(sql, logger: store.logger)
    }

    /// The batch in `COPY`'s text format: tab-separated, `\N` for NULL, backslash escapes.
    static func copyText(_ batch: [Incident]) -> [UInt8] {
        var text = CopyText(capacity: batch.count * 256)
        func field(_ value: String?, last: Bool = false) { text.field(value, last: last) }
        for (seq, inc) in batch.enumerated() {
            field(String(seq))
            field(inc.source.rawValue)
            field(inc.externalID)
            field(inc.category)
            field(inc.description)
            field(inc.address)
            field(String(inc.location.lon))
            field(String(inc.location.lat))
            field(Timestamp.format(inc.reportedAt))
            field(inc.status.rawValue)
            field(inc.resolvedAt.map(Timestamp.format))
            field(inc.district)
            field(inc.settlement)
            field(inc.agency)
            field(inc.approximateLocation ? "t" : "f")
            field(IncidentColumns.attributesJSON(inc.attributes))
            let r = inc.reporter.flatMap { $0.isEmpty ? nil : $0 }
            field(r?.name)
            field(r?.phone)
            field(r?.email, last: true)
        }
        return text.bytes
    }
}
