import Foundation
import OtklikTestSupport
import Testing
import GRDB
import OtklikCore
@testable import OtklikStore

@Suite struct StoreTests {
    func incident(_ ext: String, lon: Double, lat: Double, category: String = "road.pothole", day: Int = 0) -> Incident {
        Incident(source: .portal, externalID: ext, category: category, description: "Яма", location: GeoPoint(lon: lon, lat: lat),
                 reportedAt: Date(timeIntervalSince1970: 1_735_689_600 + Double(day) * 86_400))
    }

    @Test func createsAValidSpatiaLiteDatabase() async throws {
        let t = try TempStore()
        let meta = try t.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT f_table_name, f_geometry_column, srid, spatial_index_enabled FROM geometry_columns ORDER BY 1, 2")
        }
        #expect(meta.map { "\($0[0] as String).\($0[1] as String):\($0[2] as Int):\($0[3] as Int)" } ==
                ["districts.geom:4326:1", "incidents.geom:4326:1", "settlements.area:4326:0", "settlements.geom:4326:1"])
        let check = try await t.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT CheckSpatialMetaData()") }
        #expect(check == 3, "3 = current SpatiaLite layout")
    }

    @Test func sqlLoadExtensionStaysDisabled() async throws {
        let t = try TempStore()
        await #expect(throws: DatabaseError.self) {
            try await t.store.pool.read { db in try db.execute(sql: "SELECT load_extension('mod_spatialite')") }
        }
    }

    @Test func bulkGeometryBlobsAreTheSameAsMakePoint() async throws {
        let t = try TempStore()
        let same = try await t.store.pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT ? = MakePoint(31.091944, 54.947222, 4326)",
                              arguments: [Data(SpatiaLiteBlob.point(lon: 31.091944, lat: 54.947222))])
        }
        #expect(same == true)
    }

    @Test func bboxQueryMatchesAnExactScanIncludingEdges() async throws {
        let t = try TempStore()
        var rng = SystemRandomNumberGenerator()
        var list: [Incident] = []
        for i in 0..<12000 {
            list.append(incident("p\(i)", lon: Double.random(in: 31...33, using: &rng), lat: Double.random(in: 54...55, using: &rng)))
        }
        // Points exactly on the query edges, where float32 index bounds are coarser than the data.
        let edges = [(31.7000001, 54.3), (31.7, 54.3), (32.2, 54.6999999), (32.2000001, 54.7), (31.6999999, 54.5)]
        for (k, e) in edges.enumerated() { list.append(incident("edge\(k)", lon: e.0, lat: e.1)) }
        try await t.store.beginBulk()
        _ = try await t.store.bulkInsert(list, actor: "test")
        try await t.store.endBulk()
        #expect(try await t.store.checkSpatialIndex() == "ok")
        // Small boxes take the R*Tree plan, the large one the scan plan; both must give the exact answer.
        for box in [BBox(minLon: 31.7, minLat: 54.3, maxLon: 32.2, maxLat: 54.7), BBox(minLon: 31, minLat: 54, maxLon: 31.05, maxLat: 54.05),
                    BBox(minLon: 40, minLat: 10, maxLon: 41, maxLat: 11), BBox(minLon: 31.7, minLat: 54.3, maxLon: 33, maxLat: 55)] {
            let expected = Set(list.filter { box.contains($0.location) }.map(\.externalID))
            let got = try await t.store.incidents(IncidentQuery(bbox: box))
            #expect(Set(got.map(\.externalID)) == expected)
            #expect(try await t.store.count(IncidentQuery(bbox: box)) == expected.count)
            #expect(try await t.store.count(IncidentQuery(bbox: box, categories: ["road.pothole"])) == expected.count)
            let page = try await t.store.incidents(IncidentQuery(bbox: box, offset: 10, limit: 50))
            #expect(page.map(\.externalID) == Array(list.filter { box.contains($0.location) }.map(\.externalID).dropFirst(10).prefix(50)))
        }
    }

    /// The plan a box got is remembered (see `usesRTree`); once the box has filled past the R*Tree plan's limit,
    /// the remembered plan still gives every row, in order, as a store that decides afresh does.
    @Test func aRememberedPlanStillGivesTheExactRowsAfterTheBoxFills() async throws {
        let t = try TempStore()
        let box = BBox(minLon: 31.7, minLat: 54.3, maxLon: 32.2, maxLat: 54.7)
        _ = try await t.store.insert((0..<10).map { incident("few\($0)", lon: 31.8 + Double($0) * 0.01, lat: 54.5) }, actor: "op")
        #expect(try await t.store.incidents(IncidentQuery(bbox: box)).count == 10)
        #expect(t.store.boxPlans.withLock { $0[box]?.usesRTree } == true)
        var rng = SystemRandomNumberGenerator()
        // Past the limit inside the box, and every tenth row just outside it.
        let more = (0..<(SpatiaLiteStore.rtreeCandidateLimit + 1000)).map { i in
            i % 10 == 0 ? incident("out\(i)", lon: Double.random(in: 32.21...32.4, using: &rng), lat: Double.random(in: 54.3...54.7, using: &rng))
                : incident("in\(i)", lon: Double.random(in: 31.7...32.2, using: &rng), lat: Double.random(in: 54.3...54.7, using: &rng))
        }
        try await t.store.beginBulk()
        _ = try await t.store.bulkInsert(more, actor: "test")
        try await t.store.endBulk()
        let expected = try await t.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT external_id FROM incidents WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ? ORDER BY id",
                                arguments: [box.minLon, box.maxLon, box.minLat, box.maxLat])
        }
        #expect(expected.count > SpatiaLiteStore.rtreeCandidateLimit)
        func read(_ store: SpatiaLiteStore) async throws -> [String] {
            var q = IncidentQuery(bbox: box, limit: 1000)
            var all: [String] = []
            while true {
                let page = try await store.incidentText(q)
                all += (0..<page.count).compactMap { page.string($0, .externalID) }
                guard page.count == 1000, let last = page.rows.last?.id else { return all }
                q.afterID = last
            }
        }
        #expect(try await read(t.store) == expected)
        #expect(try await t.store.count(IncidentQuery(bbox: box, categories: ["road.pothole"])) == expected.count)
        #expect(t.store.boxPlans.withLock { $0[box]?.usesRTree } == true, "the remembered plan was used")
        let fresh = try TestPaths.openStore(t.path)
        #expect(try await read(fresh) == expected)
        #expect(fresh.boxPlans.withLock { $0[box]?.usesRTree } == false, "a fresh store scans the filled box")
    }

    @Test func singleInsertsKeepTheLiveIndexAndAreIdempotent() async throws {
        let t = try TempStore()
        let a = try await t.store.insert([incident("a", lon: 31.5, lat: 54.5)], actor: "op")
        let again = try await t.store.insert([incident("a", lon: 31.5, lat: 54.5)], actor: "op")
        #expect(a[0].created && !again[0].created && a[0].id == again[0].id)
        #expect(try await t.store.count(IncidentQuery(bbox: BBox(minLon: 31.4, minLat: 54.4, maxLon: 31.6, maxLat: 54.6))) == 1)
        #expect(try await t.store.checkSpatialIndex() == "ok")
    }

    @Test func pagesByKeysetAndFilters() async throws {
        let t = try TempStore()
        var list: [Incident] = []
        for i in 0..<25 { list.append(incident("k\(i)", lon: 31 + Double(i) * 0.01, lat: 54.5, category: i % 2 == 0 ? "road.pothole" : "waste.dump", day: i)) }
        _ = try await t.store.insert(list, actor: "op")
        var seen: [String] = []
        var q = IncidentQuery(categories: ["road.pothole"], limit: 5)
        while true {
            let page = try await t.store.incidents(q)
            seen += page.map(\.externalID)
            guard page.count == 5 else { break }
            q.afterID = page.last!.id
        }
        #expect(seen == stride(from: 0, to: 25, by: 2).map { "k\($0)" })
        let window = TimeWindow(start: Date(timeIntervalSince1970: 1_735_689_600 + 10 * 86_400), end: Date(timeIntervalSince1970: 1_735_689_600 + 12 * 86_400))
        #expect(try await t.store.count(IncidentQuery(window: window)) == 3)
        // A filter value full of SQL is only ever a value.
        #expect(try await t.store.count(IncidentQuery(district: "x' OR '1'='1")) == 0)
        let ext = try await t.store.extent(IncidentQuery())
        #expect(ext.bbox == BBox(minLon: 31, minLat: 54.5, maxLon: 31.24, maxLat: 54.5))
    }

    @Test func recordsStatusChangesAndRefusesIllegalOnes() async throws {
        let t = try TempStore()
        let id = try await t.store.insert([incident("s", lon: 31.5, lat: 54.5)], actor: "portal")[0].id
        _ = try await t.store.changeStatus(id: id, to: .inProgress, actor: "Дорожное управление", note: "бригада выехала", at: Date(timeIntervalSince1970: 1_735_700_000))
        let done = try await t.store.changeStatus(id: id, to: .resolved, actor: "Дорожное управление", note: "яма заделана", at: Date(timeIntervalSince1970: 1_735_800_000))
        #expect(done.status == .resolved)
        #expect(done.resolvedAt == Date(timeIntervalSince1970: 1_735_800_000))
        await #expect(throws: DomainError.illegalTransition(id: id, from: .resolved, to: .new)) {
            _ = try await t.store.changeStatus(id: id, to: .new, actor: "x", note: "", at: Date())
        }
        await #expect(throws: DomainError.notFound(what: "incident", id: "999")) {
            _ = try await t.store.changeStatus(id: 999, to: .resolved, actor: "x", note: "", at: Date())
        }
        let events = try await t.store.recordedEvents(incidentID: id).map(\.event)
        #expect(events.map { "\($0.from?.rawValue ?? "-")>\($0.to.rawValue)" } == ["->new", "new>in_progress", "in_progress>resolved"])
        #expect(events.last?.note == "яма заделана")
    }

    @Test func keepsPersonalDataOutOfTheIncidentsTable() async throws {
        let t = try TempStore()
        var inc = incident("pd", lon: 31.5, lat: 54.5)
        inc.reporter = ReporterContact(name: "Иван Иванов", phone: "+7 900 123-45-67", email: "ivan@example.org")
        let id = try await t.store.insert([inc], actor: "op")[0].id
        let columns = try await t.store.pool.read { db in try db.columns(in: "incidents").map(\.name) }
        #expect(!columns.contains { $0.contains("phone") || $0.contains("email") || $0.contains("reporter") })
        #expect(try await t.store.incident(id: id)?.reporter?.email == "ivan@example.org")
        #expect(try await t.store.incidents(IncidentQuery()).first?.reporter == nil)
    }

    @Test func assignsDistrictAndSettlementAndReassignsOnNewAreas() async throws {
        let t = try TempStore()
        let near = incident("near", lon: 31.10, lat: 54.95)     // ~0.6 km from Рудня
        let far = incident("far", lon: 31.30, lat: 55.10)       // inside the district, far from any settlement
        _ = try await t.store.insert([near, far], actor: "op")
        #expect(try await t.store.incidents(IncidentQuery()).allSatisfy { $0.district == nil })
        _ = try await t.store.replaceAreas(try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("areas_districts.geojson"))), level: .district), level: .district)
        _ = try await t.store.replaceAreas(try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("areas_settlements.geojson"))), level: .settlement), level: .settlement)
        let rows = try await t.store.incidents(IncidentQuery())
        #expect(rows[0].district == "Руднянский район")
        #expect(rows[0].settlement == "Рудня")
        #expect(rows[1].district == "Руднянский район")
        #expect(rows[1].settlement == nil)
        let later = try await t.store.insert([incident("sos", lon: 33.35, lat: 54.10)], actor: "op")
        let sos = try await t.store.incident(id: later[0].id)
        #expect(sos?.district == "Рославльский район")
        #expect(sos?.settlement == "Сосновка")
        let areas = try await t.store.areas(level: .district)
        #expect(areas.map(\.name) == ["Руднянский район", "Рославльский район"])
        #expect(areas[0].approximate)
        #expect(try await t.store.count(IncidentQuery(settlement: "Рудня")) == 1)
    }

    @Test func finishesAnInterruptedBulkLoadAtOpen() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("db.sqlite")
        try await TestPaths.leaveAnInterruptedLoad(at: path, [incident("i1", lon: 31.5, lat: 54.5), incident("i2", lon: 32.5, lat: 54.6)])
        let s = try TestPaths.openStore(path)
        #expect(try await s.journalMode() == "wal", "the load had switched the file to a rollback journal")
        #expect(try await s.checkSpatialIndex() == "ok")
        #expect(try await s.count(IncidentQuery(bbox: BBox(minLon: 31.4, minLat: 54.4, maxLon: 31.6, maxLat: 54.6))) == 1)
        let triggers = try await s.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incidents' AND name LIKE '%geom%'")
        }
        #expect((triggers ?? 0) >= 3)
        // And the restored triggers index a new single insert.
        _ = try await s.insert([incident("i3", lon: 33.5, lat: 54.7)], actor: "t")
        #expect(try await s.count(IncidentQuery(bbox: BBox(minLon: 33.4, minLat: 54.6, maxLon: 33.6, maxLat: 54.8))) == 1)
    }

    /// The WAL flag in the file header (bytes 18 and 19 are 2 in WAL mode, 1 in rollback mode).
    func headerSaysWAL(_ path: String) throws -> Bool {
        let head = try #require(FileHandle(forReadingAtPath: path)).readData(ofLength: 20)
        return head.count == 20 && head[18] == 2 && head[19] == 2
    }

    /// Alone with the file, a bulk load writes through a rollback journal and leaves the file in WAL.
    @Test func aLoneBulkLoadUsesARollbackJournalAndEndsInWAL() async throws {
        let t = try TempStore()
        try await t.store.beginBulk()
        #expect(try await t.store.journalMode() == "delete")
        #expect(try !headerSaysWAL(t.path))
        _ = try await t.store.bulkInsert([incident("j1", lon: 31.5, lat: 54.5), incident("j2", lon: 32.5, lat: 54.6)], actor: "t")
        try await t.store.endBulk()
        #expect(try await t.store.journalMode() == "wal")
        #expect(try headerSaysWAL(t.path))
        #expect(try await t.store.count(IncidentQuery()) == 2)
        #expect(try await t.store.checkSpatialIndex() == "ok")
    }

    /// Another connection on the file (a running server) keeps the load in WAL; it reads committed rows and
    /// writes while the load goes on and after it, although the load changed the schema under it twice.
    /// The table has a row before the load, so the load keeps the (source, external_id) key.
    @Test func anotherConnectionWritesDuringAndAfterABulkLoad() async throws {
        let t = try TempStore()
        let server = try SpatiaLiteStore(path: t.path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "server"))
        _ = try await server.insert([incident("w0", lon: 30.5, lat: 54.4)], actor: "server")
        try await t.store.beginBulk()
        #expect(try await t.store.journalMode() == "wal", "the other connection keeps the file in WAL")
        _ = try await t.store.bulkInsert([incident("w1", lon: 31.5, lat: 54.5)], actor: "t")
        #expect(try await server.count(IncidentQuery()) == 2)
        _ = try await server.insert([incident("w2", lon: 32.5, lat: 54.6)], actor: "server")
        let loaded = try await t.store.bulkInsert([incident("w2", lon: 32.5, lat: 54.6), incident("w3", lon: 33.5, lat: 54.7)], actor: "t")
        #expect(loaded == (1, 1), "the server's w2 is a duplicate for the load")
        #expect(try await t.store.endBulk() == 0)
        #expect(try await server.count(IncidentQuery()) == 4)
        // Setting the indexes aside and putting them back changed the schema under the server's connection.
        _ = try await server.insert([incident("w4", lon: 34.5, lat: 54.8)], actor: "server")
        #expect(try await server.count(IncidentQuery()) == 5)
        #expect(try await server.checkSpatialIndex() == "ok")
    }

    /// A load into an empty table builds the key at its end, so a server's insert during it is refused as
    /// unavailable, writes nothing, and is accepted once the load has ended.
    @Test func aServerInsertWaitsForTheKeyOfALoadIntoAnEmptyTable() async throws {
        let t = try TempStore()
        let server = try SpatiaLiteStore(path: t.path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "server"))
        try await t.store.beginBulk()
        _ = try await t.store.bulkInsert([incident("e1", lon: 31.5, lat: 54.5)], actor: "t")
        await #expect {
            _ = try await server.insert([incident("e2", lon: 32.5, lat: 54.6)], actor: "server")
        } throws: { error in
            guard case DomainError.unavailable(let text, let seconds) = error else { return false }
            return text.contains("bulk import") && seconds > 0
        }
        #expect(try await server.count(IncidentQuery()) == 1)
        let events = try await server.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") }
        #expect(events == 1, "the refused insert wrote no event either")
        try await t.store.endBulk()
        let out = try await server.insert([incident("e2", lon: 32.5, lat: 54.6), incident("e1", lon: 31.5, lat: 54.5)], actor: "server")
        #expect(out.map(\.created) == [true, false])
        #expect(try await server.count(IncidentQuery()) == 2)
    }

    /// A connection that opens the file during a load in rollback mode (a server starting) switches it back
    /// to WAL; the load goes on in WAL from its next transaction, and nothing is lost on either side.
    @Test func aServerStartingDuringALoadReturnsTheFileToWAL() async throws {
        let t = try TempStore()
        try await t.store.beginBulk()
        _ = try await t.store.bulkInsert([incident("s1", lon: 31.5, lat: 54.5)], actor: "t")
        #expect(try await t.store.journalMode() == "delete")
        let server = try SpatiaLiteStore(path: t.path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "server"))
        #expect(try headerSaysWAL(t.path))
        #expect(try await server.count(IncidentQuery()) == 1)
        _ = try await t.store.bulkInsert([incident("s2", lon: 32.5, lat: 54.6)], actor: "t")
        #expect(try await t.store.journalMode() == "wal")
        try await t.store.endBulk()
        _ = try await server.insert([incident("s3", lon: 33.5, lat: 54.7)], actor: "server")
        #expect(try await server.count(IncidentQuery()) == 3)
        #expect(try await t.store.count(IncidentQuery()) == 3)
        #expect(try await t.store.checkSpatialIndex() == "ok")
    }

    @Test func upgradingDropsTheEventTimeIndexEvenFromAnInterruptedBulkLoad() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("db.sqlite")
        func indexes(_ s: SpatiaLiteStore) async throws -> Set<String> {
            Set(try await s.pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('incidents', 'incident_events') AND sql IS NOT NULL")
            })
        }
        do {
            // A v1 database (the event time index and no v2 record) whose bulk load died half way.
            let s = try SpatiaLiteStore(path: path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "t"))
            try await s.pool.write { db in
                try db.execute(sql: "CREATE INDEX incident_events_at ON incident_events(at)")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2-drop-event-time-index'")
            }
            try await s.beginBulk()
            #expect(try await indexes(s) == ["incident_events_incident"], "a load appends to the events' index, so it stays")
            _ = try await s.bulkInsert([incident("u1", lon: 31.5, lat: 54.5)], actor: "t")
        }
        let s = try SpatiaLiteStore(path: path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "t"))
        #expect(try await indexes(s) == ["incidents_reported_at", "incidents_district", "incidents_settlement",
                                         "incidents_category_status", "incidents_key", "incident_events_incident"])
        #expect(try await s.checkSpatialIndex() == "ok")
        let id = try #require(try await s.incidents(IncidentQuery(bbox: BBox(minLon: 31.4, minLat: 54.4, maxLon: 31.6, maxLat: 54.6))).first?.id)
        #expect(try await s.events(incidentID: id).count == 1)
        #expect(try await s.allEvents(since: nil).count == 1)
    }

    @Test(.requires(.ogrinfo))
    func gdalSeesTheIncidentLayerInWGS84() async throws {
        let t = try TempStore()
        _ = try await t.store.insert([incident("g", lon: 31.09, lat: 54.95)], actor: "op")
        let out = try await ExternalProcess.run(Peers.require(.ogrinfo), ["-so", t.path, "incidents"])
        #expect(out.succeeded, "\(out)")
        #expect(out.output.contains("Geometry: Point"))
        #expect(out.output.contains("Feature Count: 1"))
        #expect(out.output.contains("ID[\"EPSG\",4326]"))
    }
}

@Suite struct AgencyRoutingStoreTests {
    @Test func routesByDistrictOverrideOnWrite() async throws {
        let t = try TempStore()
        _ = try await t.store.replaceAreas(try Area.fromGeoJSON(Data(contentsOf: URL(fileURLWithPath: TestPaths.fixture("areas_districts.geojson"))), level: .district), level: .district)
        let taxonomy = try TestPaths.taxonomy()
        t.store.setAgencyRouting(AgencyRouting(taxonomy: taxonomy, overrides: [
            .init(district: "Руднянский район", category: "road.pothole", agency: "Администрация Руднянского района")]))
        func pothole(_ ext: String, _ lon: Double, _ lat: Double) -> Incident {
            Incident(source: .portal, externalID: ext, category: "road.pothole", location: GeoPoint(lon: lon, lat: lat),
                     reportedAt: Date(timeIntervalSince1970: 1_735_689_600), agency: taxonomy["road.pothole"]!.agency)
        }
        let ids = try await t.store.insert([pothole("rud", 31.1, 54.95), pothole("ros", 33.0, 54.0)], actor: "op")
        #expect(try await t.store.incident(id: ids[0].id)?.agency == "Администрация Руднянского района")
        #expect(try await t.store.incident(id: ids[1].id)?.agency == "Дорожное управление")
        try await t.store.beginBulk()
        _ = try await t.store.bulkInsert([pothole("rud2", 31.2, 54.9)], actor: "import")
        try await t.store.endBulk()
        #expect(try await t.store.incidents(IncidentQuery(district: "Руднянский район")).map(\.agency).allSatisfy { $0 == "Администрация Руднянского района" })
    }
}

@Suite struct AnalysisScanTests {
    @Test func leanScanCarriesWhatTheEngineReads() async throws {
        let t = try TempStore()
        var list: [Incident] = []
        for i in 0..<7 {
            list.append(Incident(source: .hotline, externalID: "a\(i)", category: i % 2 == 0 ? "road.pothole" : "waste.dump",
                                 description: "Описание \(i)", address: "ул. Мира, \(i)", location: GeoPoint(lon: 31 + Double(i) / 100, lat: 54.5),
                                 reportedAt: Date(timeIntervalSince1970: 1_735_689_600 + Double(i) * 3600),
                                 status: i == 3 ? .resolved : .new, resolvedAt: i == 3 ? Date(timeIntervalSince1970: 1_735_800_000) : nil))
        }
        _ = try await t.store.insert(list, actor: "t")
        let full = try await t.store.incidents(IncidentQuery(categories: ["road.pothole", "waste.dump"]))
        let box = LeanBox()
        try await t.store.scanForAnalysis(IncidentQuery(), chunkSize: 3) { box.add($0) }
        let lean = box.items
        #expect(lean.map(\.id) == full.map(\.id))
        for (a, b) in zip(lean, full) {
            #expect(a.category == b.category && a.location == b.location && a.reportedAt == b.reportedAt)
            #expect(a.status == b.status && a.resolvedAt == b.resolvedAt && a.agency == b.agency)
            #expect(a.description.isEmpty)
        }
    }
}

final class LeanBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Incident] = []
    func add(_ p: [Incident]) { lock.lock(); list += p; lock.unlock() }
    var items: [Incident] { lock.lock(); defer { lock.unlock() }; return list }
}
