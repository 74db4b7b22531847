import Foundation
import Testing
import OtklikCore
import OtklikPostGIS
import OtklikTestSupport

/// The PostGIS backend's own behaviour, beyond the bulk-load contract: schema, writes, reads and audit.
@Suite struct PostGISStoreTests {
    static let district = BulkLoadingContract.district

    static func incident(_ ext: String, lon: Double = 31.5, lat: Double = 54.5, description: String = "Яма у дома") -> Incident {
        var inc = BulkLoadingContract.incident(ext, lon: lon, lat: lat)
        inc.description = description
        return inc
    }

    @Test func refusesAURLWithoutADatabase() {
        #expect(throws: PostGISError.self) { try PostGISLocation(url: "postgresql://otklik@127.0.0.1:5432/") }
        #expect(throws: PostGISError.self) { try PostGISLocation(url: "postgresql://127.0.0.1/otklik") }
        let l = try? PostGISLocation(url: "postgresql://otklik:secret@db.example.org:6543/regions")
        #expect(l == PostGISLocation(host: "db.example.org", port: 6543, user: "otklik", password: "secret", database: "regions"))
        #expect(l?.description == "postgresql://otklik@db.example.org:6543/regions", "the password stays out of messages")
    }

    @Test func changeNotesRoundTripAndFallBackToEverything() {
        let note = StoreChangeNote.points([.init(location: GeoPoint(lon: 31.5, lat: 54.25), category: "road.pothole")])
        #expect(StoreChangeNote(payload: "31.5 54.25 road.pothole\n") == note)
        #expect(StoreChangeNote(payload: "*") == .everything)
        #expect(StoreChangeNote(payload: "garbage") == .everything)
    }

    @Test(.postgis) func migratesOnceAndReopens() async throws {
        let url = try await PostgresCluster.freshDatabase()
        for _ in 0..<2 {
            let store = try await PostGISStore.open(try PostGISLocation(url: url), taxonomy: try TestPaths.taxonomy(),
                                                    logger: .init(label: "t"))
            #expect(try await store.schemaVersions() == [1, 2])
            store.close()
        }
        #expect(try await PostgresCluster.psql(url, "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING gist%'") == "4")
    }

    @Test(.postgis) func writesPlacesAndReadsIncidentsBack() async throws {
        try await withPostGISStore { store in
            _ = try await store.replaceAreas([Self.district], level: .district)
            let tricky = "Яма\tу дома\\подъезд 2\nвторая строка"
            var withContact = Self.incident("p1", description: tricky)
            withContact.reporter = ReporterContact(name: "Иванов", phone: "+7 900 000-00-00", email: nil)
            let first = try await store.insert([withContact, Self.incident("p2", lon: 33.5)], actor: "portal")
            #expect(first.map(\.created) == [true, true])
            let again = try await store.insert([Self.incident("p1")], actor: "portal")
            #expect(again == [InsertOutcome(id: first[0].id, created: false)])

            let stored = try #require(try await store.incident(id: first[0].id))
            #expect(stored.description == tricky)
            #expect(stored.district == "Тестовый район")
            #expect(stored.reporter?.name == "Иванов")
            #expect(stored.agency == (try TestPaths.taxonomy())["road.pothole"]?.agency, "routed to the category's agency")
            #expect(try await store.incident(id: first[1].id)?.reporter == nil)

            // The bulk path escapes the same text through COPY.
            let loaded = try await store.withBulkLoad(BulkLoadOptions(actor: "t")) { loader in
                try await loader.load([Self.incident("b1", lon: 31.2, description: tricky)])
            }
            #expect(loaded.written == BulkLoadCounts(inserted: 1, duplicates: 0))
            let b1 = try await store.incidents(IncidentQuery()).first { $0.externalID == "b1" }
            #expect(b1?.description == tricky)
            #expect(b1?.district == "Тестовый район")

            let stats = try await store.stats(IncidentQuery())
            #expect(stats.total == 3)
            #expect(stats.byDistrict == ["Тестовый район": 2, "": 1])
            #expect(try await store.count(IncidentQuery(bbox: BBox(minLon: 31, minLat: 54, maxLon: 32, maxLat: 55))) == 2)
            let extent = try await store.extent(IncidentQuery())
            #expect(extent.bbox == BBox(minLon: 31.2, minLat: 54.5, maxLon: 33.5, maxLat: 54.5))

            // 0.1° of longitude at 54.5° N is about 6.47 km: within 7 km of p1 lie p1 and b1 (0.3° = 19 km away is not).
            let near = try await store.nearby(GeoPoint(lon: 31.5, lat: 54.5), radius: 7_000, query: IncidentQuery())
            #expect(near.map(\.0.externalID) == ["p1"])
            #expect(near.first?.1 == 0)
        }
    }

    @Test(.postgis) func statusChangesKeepTheirEventsAndNoteVisibility() async throws {
        try await withPostGISStore { store in
            let id = try await store.insert([Self.incident("s1")], actor: "portal")[0].id
            let at = Date(timeIntervalSince1970: 1_735_776_000)
            _ = try await store.changeStatus(id: id, to: .inProgress, actor: "op", note: "звонил Иванов", visibility: .internal, at: at)
            let done = try await store.changeStatus(id: id, to: .resolved, actor: "op", note: "Засыпали", visibility: .public,
                                                    at: at.addingTimeInterval(3600))
            #expect(done.status == .resolved)
            #expect(done.resolvedAt == at.addingTimeInterval(3600))
            await #expect(throws: DomainError.illegalTransition(id: id, from: .resolved, to: .new)) {
                _ = try await store.changeStatus(id: id, to: .new, actor: "op", note: "", at: at)
            }
            await #expect(throws: DomainError.notFound(what: "incident", id: "999")) {
                _ = try await store.changeStatus(id: 999, to: .resolved, actor: "op", note: "", at: at)
            }
            let events = try await store.events(incidentID: id)
            #expect(events.map(\.to) == [.new, .inProgress, .resolved])
            #expect(events.map(\.note) == ["", "", "Засыпали"], "internal notes read as empty text")
            let recorded = try await store.recordedEvents(incidentID: id)
            #expect(recorded.map(\.event.note) == ["", "звонил Иванов", "Засыпали"])
            #expect(recorded.map(\.visibility) == [.internal, .internal, .public])
        }
    }

    @Test(.postgis) func recordsContactReadsAndKeyUse() async throws {
        try await withPostGISStore { store in
            let t = Date(timeIntervalSince1970: 1_735_776_000)
            try await store.recordContactReads([ContactRead(at: t, keyName: "оператор", incidentID: 7, route: "GET /api/v1/incidents/{id}")])
            try await store.recordKeyUse(name: "оператор", at: t.addingTimeInterval(60))
            try await store.recordKeyUse(name: "оператор", at: t)
            #expect(try await store.contactReads(since: nil, keyName: "оператор").map(\.incidentID) == [7])
            #expect(try await store.contactReads(since: t.addingTimeInterval(1), keyName: nil).isEmpty)
            #expect(try await store.keyLastUse() == ["оператор": t.addingTimeInterval(60)], "an older use does not move it back")
        }
    }
}
