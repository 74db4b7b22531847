public import OtklikCore
import Foundation
import PostgresNIO
import Synchronization

extension PostGISStore: BulkIncidentLoading {
    /// A bulk load on a connection of its own, one load at a time per database. Each batch is placed in memory
    /// (the `AreaLocator` of the SpatiaLite store, over the areas read at the start) and routed, then streamed
    /// with `COPY … FROM STDIN` while the next batch is prepared; a transaction holds `transactionRows` rows.
    ///
    /// Into an empty table the rows are copied straight into the incidents, their events and contacts, with
    /// the indexes, the key and the foreign keys set aside and built at the end (see `PostGISDeferredIndexes`);
    /// the events and contacts go through a second connection, so that two server processes parse the copies.
    /// Into a table with rows they go through a staging table and one `INSERT … ON CONFLICT` per batch, with
    /// everything live. A load that stops keeps every batch handed over before it (the open transaction is
    /// committed at the end either way, and what was set aside is built).
    public func withBulkLoad<T>(_ options: BulkLoadOptions, _ body: (PostGISBulkLoad) async throws -> T) async throws
        -> (value: T, written: BulkLoadCounts) {
        let load = try await PostGISBulkLoad.start(store: self, options: options)
        let value: T
        do {
            value = try await body(load)
        } catch {
            _ = try? await load.end()
            throw error
        }
        return (value, try await load.end())
    }
}

/// One bulk load into a PostGIS store (see `PostGISStore.withBulkLoad`).
public final class PostGISBulkLoad: BulkIncidentLoader {
    /// How rows reach the incidents table.
    enum Mode: Sendable {
        /// Straight into the tables, ids given by the load, with the key and the indexes set aside.
        case direct
        /// Through the staging table and `ON CONFLICT` on the live key.
        case merge
    }

    private struct State {
        var written = BulkLoadCounts()
        var openRows = 0
        var finished = false
        var ended = false
        var failure: (any Error)?
        /// The write of the batch before, running while the caller prepares the next one.
        var writing: Task<Void, Never>?
        /// Ids reserved from the identity sequence and not given yet (direct mode).
        var nextID: Int64 = 0
        var lastID: Int64 = -1
        /// What the open transaction changed, for the servers on the database.
        var openNote = StoreChangeNote.points([])
    }

    private let store: PostGISStore
    private let connection: PostgresConnection
    /// In direct mode, the connection that copies the events and contacts beside the incidents. Its transaction
    /// commits just before the incidents' one: a load that dies between the two leaves events without their
    /// incident, which the rebuild of the foreign key removes, and never an incident without its events.
    private let side: PostgresConnection?
    private let actor: String
    private let transactionRows: Int
    private let loadedAt: Date
    private let locator: AreaLocator
    let mode: Mode
    private let state = Mutex(State())

    private static let staging = "otklik_staging"
    /// The staging table's columns that `COPY` fills, in the order of each line.
    private static let stagingColumns = ["seq", "source", "external_id", "category", "description", "address", "lon", "lat",
                                         "reported_at", "status", "resolved_at", "district", "settlement", "agency", "approximate",
                                         "attributes", "reporter_name", "reporter_phone", "reporter_email"]
    private static let incidentColumns = ["id", "source", "external_id", "category", "description", "address", "lon", "lat",
                                          "reported_at", "status", "resolved_at", "updated_at", "district", "settlement", "agency",
                                          "approximate", "attributes"]
    private static let eventColumns = ["incident_id", "from_status", "to_status", "at", "actor", "note"]
    private static let reporterColumns = ["incident_id", "name", "phone", "email"]
    /// Ids reserved from the sequence at a time in direct mode; what is left is given back at the end.
    private static let idBlock = 1_000_000

    private init(store: PostGISStore, connection: PostgresConnection, side: PostgresConnection?, options: BulkLoadOptions,
                 locator: AreaLocator, mode: Mode) {
        self.store = store
        self.connection = connection
        self.side = side
        self.actor = options.actor
        self.transactionRows = max(1, options.transactionRows)
        self.loadedAt = IncidentColumns.stamp(Date())
        self.locator = locator
        self.mode = mode
    }

    static func start(store: PostGISStore, options: BulkLoadOptions) async throws -> PostGISBulkLoad {
        try await store.waitUntilReady()
        let locator = AreaLocator(districts: try await store.areas(level: .district),
                                  settlements: try await store.areas(level: .settlement),
                                  maxSettlementDistance: store.settlementRadius, metric: Geodesic.wgs84Metric)
        let l = store.location, logger = store.logger
        let connection = try await connect(store, id: 1)
        do {
            // One load at a time: the second waits for the first, then finds the table as the first left it.
            let free = try await connection.query("SELECT pg_try_advisory_lock(\(PostGISDeferredIndexes.lockKey))", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            if !free {
                logger.notice("another bulk load is writing to \(l); this one starts when it ends")
                try await connection.query("SELECT pg_advisory_lock(\(PostGISDeferredIndexes.lockKey))", logger: logger)
            }
            // What a load that died set aside is built before anything else.
            if try await PostGISDeferredIndexes.pending(connection, logger: logger) {
                logger.warning("finishing an interrupted bulk load: building the indexes it set aside")
                _ = try await PostGISDeferredIndexes.restore([connection], logger: logger)
            }
            let mode: Mode = try await PostGISDeferredIndexes.setAsideIfEmpty(connection, logger: logger) ? .direct : .merge
            if mode == .merge {
                try await connection.query(PostgresQuery(unsafeSQL: """
                    CREATE TEMP TABLE \(staging) (
                      seq integer NOT NULL, source text NOT NULL, external_id text NOT NULL, category text NOT NULL,
                      description text NOT NULL, address text NOT NULL, lon float8 NOT NULL, lat float8 NOT NULL,
                      reported_at timestamptz NOT NULL, status text NOT NULL, resolved_at timestamptz, district text,
                      settlement text, agency text NOT NULL, approximate boolean NOT NULL, attributes text,
                      reporter_name text, reporter_phone text, reporter_email text, incident_id bigint)
                    """), logger: logger)
            }
            let side = mode == .direct ? try await connect(store, id: 2) : nil
            return PostGISBulkLoad(store: store, connection: connection, side: side, options: options, locator: locator, mode: mode)
        } catch {
            try? await connection.close()
            throw store.described(error, "cannot prepare the load")
        }
    }

    /// A connection of the load's own, outside the store's pool.
    static func connect(_ store: PostGISStore, id: Int) async throws -> PostgresConnection {
        let l = store.location
        let config = PostgresConnection.Configuration(host: l.host, port: l.port, username: l.user, password: l.password,
                                                      database: l.database, tls: .disable)
        do {
            return try await PostgresConnection.connect(configuration: config, id: id, logger: store.logger)
        } catch {
            throw store.described(error, "cannot connect to \(l) for the load")
        }
    }

    public var written: BulkLoadCounts { state.withLock { $0.written } }

    public func load(_ batch: [Incident]) async throws {
        try state.withLock { s in
            if let failure = s.failure { throw failure }
            if s.finished { throw PostGISError(.load, "the load has finished writing; nothing more can be loaded") }
        }
        guard !batch.isEmpty else { return }
        for inc in batch { _ = try GeoPoint.validated(lon: inc.location.lon, lat: inc.location.lat) }
        let ids = mode == .direct ? try await reserveIDs(batch.count) : nil
        let rows = prepare(batch, ids: ids)
        // The batch before must be written before this one starts; its failure stops the load here.
        await waitForWriting()
        if let failure = state.withLock({ $0.failure }) { throw failure }
        // A load into an empty table notes everything: it is the first load, and its key is set aside.
        let note: StoreChangeNote = mode == .direct ? .everything
            : .points(batch.map { StoreChangeNote.Point(location: $0.location, category: $0.category) })
        let task = Task { await self.write(rows, count: batch.count, note: note) }
        state.withLock { $0.writing = task }
    }

    public func finishWriting() async throws -> BulkLoadCounts {
        await waitForWriting()
        let (failure, alreadyFinished) = state.withLock { s in
            defer { s.finished = true }
            return (s.failure, s.finished)
        }
        if let failure { throw failure }
        if !alreadyFinished { try await commit() }
        return written
    }

    /// Commits what is open, builds what was set aside, and closes the connection (which releases the load's
    /// lock). Returns the final counts: repeats of a key set aside count as duplicates.
    func end() async throws -> BulkLoadCounts {
        guard state.withLock({ s in defer { s.ended = true }; return !s.ended }) else {
            throw PostGISError(.load, "the load has ended")
        }
        let finishing: Result<BulkLoadCounts, any Error>
        do { finishing = .success(try await finishWriting()) } catch { finishing = .failure(error) }
        var repeats = 0
        var rebuildError: (any Error)?
        if mode == .direct {
            do {
                // The second connection builds beside the first: a GiST and a B-tree index sort on two cores.
                repeats = try await PostGISDeferredIndexes.restore([connection] + (side.map { [$0] } ?? []), logger: store.logger)
                await store.noteCommit()
            } catch {
                // The record stays: the next process that opens the store builds them (see `recover`).
                rebuildError = store.described(error, "building the indexes after the load")
            }
        }
        try? await side?.close()
        try? await connection.close()
        if let rebuildError { throw rebuildError }
        var counts = try finishing.get()
        counts.inserted -= repeats
        counts.duplicates += repeats
        state.withLock { $0.written = counts }
        return counts
    }

    private func waitForWriting() async {
        if let task = state.withLock({ $0.writing }) { await task.value }
    }

    /// `count` ids from the block reserved from the incidents' identity sequence, reserving another when it is
    /// used up. Only this load writes incidents while the key is set aside, so a block is all this load's.
    private func reserveIDs(_ count: Int) async throws -> ClosedRange<Int64> {
        let have = state.withLock { $0.lastID - $0.nextID + 1 }
        if have < count {
            let n = max(Self.idBlock, count)
            await waitForWriting()
            do {
                let last = try await connection.query("""
                    SELECT setval(pg_get_serial_sequence('incidents', 'id'), nextval(pg_get_serial_sequence('incidents', 'id')) + \(n - 1))
                    """, logger: store.logger).collect().first?.decode(Int64.self) ?? 0
                state.withLock { s in
                    s.nextID = last - Int64(n) + 1
                    s.lastID = last
                }
            } catch {
                throw store.described(error, "bulk load")
            }
        }
        return state.withLock { s in
            defer { s.nextID += Int64(count) }
            return s.nextID...(s.nextID + Int64(count) - 1)
        }
    }

    /// The COPY text of a batch: placed, routed, and in direct mode with its events and contacts.
    struct Rows: Sendable {
        var incidents: [UInt8]
        var events: [UInt8] = []
        var reporters: [UInt8] = []
    }

    private func prepare(_ batch: [Incident], ids: ClosedRange<Int64>?) -> Rows {
        var placed: [(district: String?, settlement: String?, agency: String)] = []
        placed.reserveCapacity(batch.count)
        for inc in batch {
            var district = inc.district, settlement = inc.settlement
            if district == nil || settlement == nil {
                let place = locator.assign(inc.location, measuringDistance: false)
                district = district ?? place.district
                settlement = settlement ?? place.settlement
            }
            placed.append((district, settlement, store.agency(category: inc.category, given: inc.agency, district: district)))
        }
        guard let ids else { return Rows(incidents: Self.stagingText(batch, placed: placed)) }
        return Self.directText(batch, placed: placed, firstID: ids.lowerBound, actor: actor, loadedAt: Timestamp.format(loadedAt))
    }

    /// Writes one batch, opening a transaction when none is; records the failure that stops the load.
    private func write(_ rows: Rows, count: Int, note: StoreChangeNote) async {
        let conn = connection, logger = store.logger
        do {
            if state.withLock({ $0.openRows == 0 }) {
                try await conn.query("BEGIN", logger: logger)
                try await side?.query("BEGIN", logger: logger)
            }
            let counts: BulkLoadCounts
            switch mode {
            case .direct:
                let sideConn = side ?? conn
                async let incidents: Void = copy(rows.incidents, on: conn, into: "incidents", columns: Self.incidentColumns)
                try await copy(rows.events, on: sideConn, into: "incident_events", columns: Self.eventColumns)
                try await copy(rows.reporters, on: sideConn, into: "reporters", columns: Self.reporterColumns)
                try await incidents
                counts = BulkLoadCounts(inserted: count, duplicates: 0)
            case .merge:
                counts = try await merge(rows.incidents, count: count)
            }
            let commitNow = state.withLock { s in
                s.written.inserted += counts.inserted
                s.written.duplicates += counts.duplicates
                s.openRows += count
                s.openNote.add(note)
                return s.openRows >= transactionRows
            }
            if commitNow { try await commit() }
        } catch {
            let described = store.described(error, "bulk load")
            state.withLock { if $0.failure == nil { $0.failure = described } }
            _ = try? await side?.query("ROLLBACK", logger: logger)
            _ = try? await conn.query("ROLLBACK", logger: logger)
        }
    }

    private func copy(_ text: [UInt8], on conn: PostgresConnection, into table: String, columns: [String]) async throws {
        guard !text.isEmpty else { return }
        try await conn.copyFrom(table: table, columns: columns, logger: store.logger) { writer in
            var buffer = ByteBuffer()
            buffer.writeBytes(text)
            try await writer.write(buffer)
        }
    }

    private func commit() async throws {
        let (open, note) = state.withLock { s in
            defer {
                s.openRows = 0
                s.openNote = .points([])
            }
            return (s.openRows, s.openNote)
        }
        guard open > 0 else { return }
        do {
            // The events and contacts first (see `side`).
            do {
                try await side?.query("COMMIT", logger: store.logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: store.logger)
                throw error
            }
            try await note.send(on: connection, from: store.origin, logger: store.logger)
            try await connection.query("COMMIT", logger: store.logger)
            await store.noteCommit()
        } catch {
            let described = store.described(error, "bulk load commit")
            state.withLock { $0.failure = described }
            throw described
        }
    }

    /// Copies one batch into the staging table and merges it into the live tables; returns what it wrote.
    private func merge(_ text: [UInt8], count: Int) async throws -> BulkLoadCounts {
        let conn = connection, logger = store.logger
        try await conn.query(PostgresQuery(unsafeSQL: "TRUNCATE \(Self.staging)"), logger: logger)
        try await copy(text, on: conn, into: Self.staging, columns: Self.stagingColumns)
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
        return BulkLoadCounts(inserted: inserted, duplicates: count - inserted)
    }

    /// A staging batch in `COPY`'s text format, placed and routed.
    static func stagingText(_ batch: [Incident], placed: [(district: String?, settlement: String?, agency: String)]) -> [UInt8] {
        var text = CopyText(capacity: batch.count * 256)
        for (seq, inc) in batch.enumerated() {
            text.field(String(seq))
            text.incidentFields(inc, placed: placed[seq], updatedAt: nil)
            let r = inc.reporter.flatMap { $0.isEmpty ? nil : $0 }
            text.field(r?.name)
            text.field(r?.phone)
            text.field(r?.email, last: true)
        }
        return text.bytes
    }

    /// A direct batch in `COPY`'s text format: the incidents with the ids from `firstID` on, their creation events
    /// (the same rows as `PostGISStore.recordCreation` and the merge's), and the contacts given.
    static func directText(_ batch: [Incident], placed: [(district: String?, settlement: String?, agency: String)],
                           firstID: Int64, actor: String, loadedAt: String) -> Rows {
        var incidents = CopyText(capacity: batch.count * 300)
        var events = CopyText(capacity: batch.count * 100)
        var reporters = CopyText(capacity: 0)
        for (n, inc) in batch.enumerated() {
            let id = String(firstID + Int64(n)), p = placed[n]
            incidents.field(id)
            incidents.incidentFields(inc, placed: p, updatedAt: loadedAt, last: true)
            let reported = Timestamp.format(inc.reportedAt)
            events.field(id)
            events.field(nil)
            events.field(inc.status.isOpen ? inc.status.rawValue : IncidentStatus.new.rawValue)
            events.field(reported)
            events.field(actor)
            events.field("", last: true)
            if !inc.status.isOpen {
                events.field(id)
                events.field(IncidentStatus.new.rawValue)
                events.field(inc.status.rawValue)
                events.field(inc.resolvedAt.map(Timestamp.format) ?? reported)
                events.field(p.agency.isEmpty ? actor : p.agency)
                events.field("", last: true)
            }
            if let r = inc.reporter, !r.isEmpty {
                reporters.field(id)
                reporters.field(r.name)
                reporters.field(r.phone)
                reporters.field(r.email, last: true)
            }
        }
        return Rows(incidents: incidents.bytes, events: events.bytes, reporters: reporters.bytes)
    }
}

extension CopyText {
    /// An incident's columns from `source` to `attributes`, with its place and agency as the load decided them;
    /// `updated_at` after `resolved_at` when given; `last` ends the row after them.
    mutating func incidentFields(_ inc: Incident, placed: (district: String?, settlement: String?, agency: String), updatedAt: String?,
                                 last: Bool = false) {
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
        if let updatedAt { field(updatedAt) }
        field(placed.district)
        field(placed.settlement)
        field(placed.agency)
        field(inc.approximateLocation ? "t" : "f")
        field(IncidentColumns.attributesJSON(inc.attributes), last: last)
    }
}
