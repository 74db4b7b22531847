import Foundation
import Testing
import OtklikCore
import OtklikPostGIS
import OtklikTestSupport

/// The PostGIS bulk load's two paths: straight into an empty table with the indexes, key and foreign keys set
/// aside and rebuilt, and merged into a table with rows. Both must write what the one-by-one path writes.
@Suite struct PostGISBulkLoadTests {
    static func incident(_ ext: String, lon: Double = 31.5, description: String = "Яма у дома") -> Incident {
        PostGISStoreTests.incident(ext, lon: lon, description: description)
    }

    static func resolved(_ ext: String, lon: Double = 31.5) -> Incident {
        var inc = incident(ext, lon: lon)
        inc.status = .resolved
        inc.resolvedAt = Date(timeIntervalSince1970: 1_736_000_000)
        inc.reporter = ReporterContact(name: "Петрова", phone: nil, email: "p@example.org")
        return inc
    }

    /// The indexes and constraints of the three tables a load touches, as the catalog states them.
    static func schema(_ url: String) async throws -> String {
        try await PostgresCluster.psql(url, """
            SELECT string_agg(d, E'\\n' ORDER BY d) FROM (
              SELECT indexdef AS d FROM pg_indexes WHERE tablename IN ('incidents', 'incident_events', 'reporters')
              UNION ALL
              SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
              WHERE conrelid IN ('incidents'::regclass, 'incident_events'::regclass, 'reporters'::regclass)) s
            """)
    }

    @Test(.postgis) func aLoadIntoAnEmptyTableWritesWhatInsertWritesAndRebuildsItsIndexes() async throws {
        let url = try await PostgresCluster.freshDatabase()
        let store = try await PostGISStore.open(try PostGISLocation(url: url), taxonomy: try TestPaths.taxonomy(),
                                                logger: .init(label: "test.postgis"))
        defer { store.close() }
        _ = try await store.replaceAreas([PostGISStoreTests.district], level: .district)
        let before = try await Self.schema(url)
        #expect(before.contains("USING gist (geom)") && before.contains("incidents_key UNIQUE (source, external_id)"))

        let loaded = try await store.withBulkLoad(BulkLoadOptions(actor: "import", transactionRows: 2)) { loader in
            try await loader.load(all: [Self.resolved("b1"), Self.incident("b2", lon: 31.6), Self.incident("b1", lon: 31.9),
                                        Self.incident("b3", lon: 33.5)], batchRows: 2)
        }
        #expect(loaded.written == BulkLoadCounts(inserted: 3, duplicates: 1))
        #expect(try await Self.schema(url) == before, "every index and constraint set aside is back")
        #expect(try await PostgresCluster.psql(url, "SELECT count(*) FROM bulk_load_deferred") == "0")

        // The same rows through the one-by-one path, for comparison.
        let one = try await store.insert([Self.resolved("o1")], actor: "import")
        let rows = try await store.incidents(IncidentQuery())
        #expect(rows.map(\.externalID) == ["b1", "b2", "b3", "o1"])
        #expect(rows.first?.location == GeoPoint(lon: 31.5, lat: 54.5), "the first row of a repeated key stays")
        #expect(rows.map(\.district) == ["Тестовый район", "Тестовый район", nil, "Тестовый район"])
        #expect(rows.map(\.agency) == Array(repeating: rows[3].agency, count: 4))
        #expect(rows[3].id! > rows[2].id!, "ids continue after the loaded ones")
        let b1 = try #require(rows.first)
        #expect(try await store.incident(id: b1.id!)?.reporter == ReporterContact(name: "Петрова", phone: nil, email: "p@example.org"))
        let strip = { (e: [StatusEvent]) in e.map { StatusEvent(incidentID: 0, from: $0.from, to: $0.to, at: $0.at, actor: $0.actor, note: $0.note) } }
        let bulkEvents = try await store.events(incidentID: b1.id!)
        #expect(bulkEvents.count == 2)
        #expect(strip(bulkEvents) == strip(try await store.events(incidentID: one[0].id)))
        // b1 and o1 resolved (two events each), b2 and b3 new (one each); the removed repeat's event is gone.
        #expect(try await PostgresCluster.psql(url, "SELECT count(*) FROM incident_events") == "6")
    }

    /// Text with the characters COPY's text format escapes comes back as it went in, on both paths.
    @Test(.postgis) func escapedTextComesBackAsItWasLoaded() async throws {
        let odd = "таб\tперевод\nвозврат\rслэш\\ \\N конец"
        try await withPostGISStore { store in
            _ = try await store.withBulkLoad(BulkLoadOptions(actor: "import")) { loader in
                try await loader.load([Self.incident("e1", description: odd)])
            }
            _ = try await store.withBulkLoad(BulkLoadOptions(actor: "import")) { loader in
                try await loader.load([Self.incident("e2", description: odd)])
            }
            let rows = try await store.incidents(IncidentQuery())
            #expect(rows.map(\.externalID) == ["e1", "e2"])
            #expect(rows.map(\.description) == [odd, odd])
        }
    }

    @Test(.postgis) func aLoadIntoATableWithRowsKeepsEverythingLive() async throws {
        try await withPostGISStore { store in
            _ = try await store.insert([Self.incident("x1")], actor: "portal")
            let loaded = try await store.withBulkLoad(BulkLoadOptions(actor: "import")) { loader in
                try await loader.load([Self.incident("x1", lon: 31.7), Self.resolved("x2"), Self.incident("x2", lon: 31.8)])
            }
            #expect(loaded.written == BulkLoadCounts(inserted: 1, duplicates: 2))
            let rows = try await store.incidents(IncidentQuery())
            #expect(rows.map(\.externalID) == ["x1", "x2"])
            #expect(rows.map(\.location.lon) == [31.5, 31.5])
            #expect(try await store.events(incidentID: rows[1].id!).map(\.to) == [.new, .resolved])
        }
    }

    /// A batch the database refuses stops the load: the batches committed before it stay, what was set aside
    /// is rebuilt, and the store takes writes again. (A NUL byte cannot be stored in PostgreSQL text; the
    /// importer refuses control characters before, so only another caller of the port can hand one over.)
    @Test(.postgis) func aRefusedBatchStopsTheLoadAndKeepsWhatWasCommitted() async throws {
        let url = try await PostgresCluster.freshDatabase()
        let store = try await PostGISStore.open(try PostGISLocation(url: url), taxonomy: try TestPaths.taxonomy(),
                                                logger: .init(label: "test.postgis"))
        defer { store.close() }
        let before = try await Self.schema(url)
        await #expect(throws: PostGISError.self) {
            _ = try await store.withBulkLoad(BulkLoadOptions(actor: "import", transactionRows: 1)) { loader in
                try await loader.load([Self.incident("ok1")])
                try await loader.load([Self.incident("bad", description: "NUL \u{0} в тексте")])
                try await loader.load([Self.incident("ok2")])
                _ = try await loader.finishWriting()
            }
        }
        #expect(try await store.incidents(IncidentQuery()).map(\.externalID) == ["ok1"])
        // The refused batch's events went through the second connection, and were rolled back with it.
        #expect(try await PostgresCluster.psql(url, "SELECT count(*) FROM incident_events") == "1")
        #expect(try await Self.schema(url) == before)
        #expect(try await store.insert([Self.incident("after")], actor: "portal").map(\.created) == [true])
    }

    /// What a load that died left set aside (a dropped key with a repeat loaded, a dropped index) is built by
    /// the next process that opens the store; the repeat goes, with its event. So does an event whose incident
    /// was never committed: a load commits a batch's events just before its incidents, and can die in between.
    @Test(.postgis) func theNextOpenFinishesALoadThatDied() async throws {
        let url = try await PostgresCluster.freshDatabase()
        let location = try PostGISLocation(url: url)
        let first = try await PostGISStore.open(location, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "test.postgis"))
        let before = try await Self.schema(url)
        first.close()
        _ = try await PostgresCluster.psql(url, """
            BEGIN;
            INSERT INTO bulk_load_deferred VALUES
              (0, 'key', 'incidents_key', 'CREATE UNIQUE INDEX incidents_key ON public.incidents USING btree (source, external_id)', NULL),
              (1, 'index', 'incidents_geom', 'CREATE INDEX incidents_geom ON public.incidents USING gist (geom)', NULL),
              (2, 'foreign', 'incident_events_incident_id_fkey', 'ALTER TABLE incident_events ADD CONSTRAINT incident_events_incident_id_fkey FOREIGN KEY (incident_id) REFERENCES incidents(id) ON DELETE CASCADE',
               'DELETE FROM incident_events t WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = t.incident_id)');
            ALTER TABLE incident_events DROP CONSTRAINT incident_events_incident_id_fkey;
            ALTER TABLE incidents DROP CONSTRAINT incidents_key;
            DROP INDEX incidents_geom;
            INSERT INTO incidents (id, source, external_id, category, lon, lat, reported_at, status, updated_at, agency) VALUES
              (1, 'portal', 'd1', 'road.pothole', 31.5, 54.5, '2025-01-01T00:00:00Z', 'new', now(), 'a'),
              (2, 'portal', 'd1', 'road.pothole', 31.6, 54.5, '2025-01-02T00:00:00Z', 'new', now(), 'a');
            INSERT INTO incident_events (incident_id, to_status, at, actor) VALUES (1, 'new', now(), 'import'), (2, 'new', now(), 'import'),
              (3, 'new', now(), 'import');
            COMMIT;
            """)
        let store = try await PostGISStore.open(location, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "test.postgis"))
        defer { store.close() }
        #expect(try await Self.schema(url) == before)
        #expect(try await PostgresCluster.psql(url, "SELECT count(*) FROM bulk_load_deferred") == "0")
        #expect(try await store.incidents(IncidentQuery()).map(\.location.lon) == [31.5])
        #expect(try await PostgresCluster.psql(url, "SELECT string_agg(incident_id::text, ',') FROM incident_events") == "1")
        let next = try await store.insert([Self.incident("n1")], actor: "portal")
        #expect(next.first?.id == 2, "the sequence continues after the rows kept")
    }

    /// While a load into an empty database has its key set aside, a server's insert is refused as
    /// unavailable for a while, not as a server error.
    @Test(.postgis) func anInsertWithoutTheKeyIsUnavailable() async throws {
        let url = try await PostgresCluster.freshDatabase()
        let store = try await PostGISStore.open(try PostGISLocation(url: url), taxonomy: try TestPaths.taxonomy(),
                                                logger: .init(label: "test.postgis"))
        defer { store.close() }
        _ = try await PostgresCluster.psql(url, "ALTER TABLE incidents DROP CONSTRAINT incidents_key")
        await #expect {
            _ = try await store.insert([Self.incident("k1")], actor: "portal")
        } throws: { error in
            guard case DomainError.unavailable(let text, let retry) = error else { return false }
            return text.contains("bulk import") && retry > 0
        }
        #expect(try await PostgresCluster.psql(url, "SELECT count(*) FROM incidents") == "0")
    }
}
