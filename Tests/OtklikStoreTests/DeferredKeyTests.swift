import Foundation
import OtklikTestSupport
import Testing
import GRDB
import Logging
import OtklikCore
@testable import OtklikStore

/// The (source, external_id) key of a load into an empty table is built at the load's end: what it keeps is
/// what a live key would have kept, a load that dies is finished at the next open, and nothing else writes
/// incidents while the key is away.
@Suite struct DeferredKeyTests {
    func incident(_ ext: String, lon: Double = 31.5, lat: Double = 54.5, description: String = "Яма",
                  reporter: String? = nil) -> Incident {
        Incident(source: .portal, externalID: ext, category: "road.pothole", description: description,
                 location: GeoPoint(lon: lon, lat: lat), reportedAt: Date(timeIntervalSince1970: 1_735_689_600),
                 reporter: reporter.map { ReporterContact(name: $0, phone: nil, email: nil) })
    }

    func counts(_ store: SpatiaLiteStore) async throws -> (incidents: Int, events: Int, reporters: Int, rtree: Int) {
        try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM incidents") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM reporters") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM idx_incidents_geom") ?? -1)
        }
    }

    /// Whether the key index is there, and unique.
    func keyIsUnique(_ store: SpatiaLiteStore) async throws -> Bool? {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: "PRAGMA index_list(incidents)")
                .first { ($0["name"] as String) == IncidentKey.index }
                .map { ($0["unique"] as Int) == 1 }
        }
    }

    func deferredNames(_ store: SpatiaLiteStore) async throws -> [String]? {
        try await store.pool.read { db in try DeferredIndexes.saved(db)?.compactMap { $0["name"] } }
    }

    @Test func aLoadIntoAnEmptyTableKeepsTheFirstRowOfEachKey() async throws {
        let t = try TempStore()
        try await t.store.beginBulk()
        #expect(try await deferredNames(t.store)?.contains(IncidentKey.index) == true)
        #expect(try await keyIsUnique(t.store) == nil, "the key is built at the end")
        let loaded = try await t.store.bulkInsert([
            incident("a", lon: 31.1, description: "первая", reporter: "Анна"),
            incident("b", lon: 31.2),
            incident("a", lon: 31.3, description: "повтор", reporter: "Борис"),
            incident("c", lon: 31.4),
            incident("b", lon: 31.5),
        ], actor: "t")
        #expect(loaded == (5, 0), "without the key every row goes in")
        #expect(try await t.store.endBulk() == 2)
        #expect(try await keyIsUnique(t.store) == true)
        let c = try await counts(t.store)
        #expect(c == (3, 3, 1, 3), "the repeats' events, contact and R*Tree entries went with them")
        let a = try #require(try await t.store.incidents(IncidentQuery()).first { $0.externalID == "a" })
        #expect(a.description == "первая" && a.location.lon == 31.1)
        #expect(try await t.store.incident(id: a.id!)?.reporter?.name == "Анна")
        #expect(try await t.store.count(IncidentQuery(bbox: BBox(minLon: 31.25, minLat: 54.4, maxLon: 31.35, maxLat: 54.6))) == 0)
        #expect(try await t.store.checkSpatialIndex() == "ok")
        let again = try await t.store.insert([incident("a"), incident("d")], actor: "t")
        #expect(again.map(\.created) == [false, true])
    }

    /// The indexes are built with SQLite's sorter on helper threads and a small cache; the writer has its own
    /// cache back, and no helper threads, once they are built, whether the key found repeats or not.
    @Test func theWriterGetsItsCacheBackAfterTheIndexesAreBuilt() async throws {
        for rows in [[incident("a"), incident("b")], [incident("a"), incident("a")]] {
            let t = try TempStore()
            try await t.store.beginBulk()
            _ = try await t.store.bulkInsert(rows, actor: "t")
            try await t.store.endBulk()
            let pragmas = try await t.store.pool.write { db in
                (try Int.fetchOne(db, sql: "PRAGMA cache_size"), try Int.fetchOne(db, sql: "PRAGMA threads"))
            }
            #expect(pragmas.0 == SpatiaLiteStore.cacheKiB && pragmas.1 == 0)
            #expect(try await keyIsUnique(t.store) == true)
            #expect(try await counts(t.store).incidents == Set(rows.map(\.externalID)).count)
        }
    }

    /// The importer reports the repeats it removed as duplicates, not as inserted rows.
    @Test func theImportReportCountsRemovedRepeatsAsDuplicates() async throws {
        let t = try TempStore()
        let csv = t.dir.appendingPathComponent("repeats.csv")
        try """
            external_id,source,category,lon,lat,reported_at
            r1,portal,road.pothole,31.1,54.5,2025-01-01T00:00:00Z
            r2,portal,road.pothole,31.2,54.5,2025-01-01T00:00:00Z
            r1,portal,road.pothole,31.3,54.5,2025-01-01T00:00:00Z
            r1,hotline,road.pothole,31.4,54.5,2025-01-01T00:00:00Z

            """.write(to: csv, atomically: true, encoding: .utf8)
        let (report, rejects) = try await t.importFile(csv.path, ImportOptions(format: .csv))
        #expect(rejects.isEmpty)
        #expect(report.inserted == 3 && report.duplicates == 1)
        #expect(try await counts(t.store) == (3, 3, 0, 3))
    }

    /// Into a table that has rows, a repeat could be a row a server has acknowledged: the key stays live.
    @Test func aLoadIntoATableWithRowsKeepsTheKey() async throws {
        let t = try TempStore()
        _ = try await t.store.insert([incident("old")], actor: "server")
        try await t.store.beginBulk()
        #expect(try await deferredNames(t.store)?.contains(IncidentKey.index) == false)
        #expect(try await keyIsUnique(t.store) == true)
        let loaded = try await t.store.bulkInsert([incident("old", lon: 32), incident("new"), incident("new", lon: 33)], actor: "t")
        #expect(loaded == (1, 2))
        #expect(try await t.store.endBulk() == 0)
        #expect(try await counts(t.store) == (2, 2, 0, 2))
    }

    /// A load that died with its key away is finished by the next process that opens the file.
    @Test func anInterruptedLoadWithRepeatsIsFinishedAtTheNextOpen() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("db.sqlite")
        try await TestPaths.leaveAnInterruptedLoad(at: path, [incident("k1", lon: 31.1), incident("k2", lon: 31.2), incident("k1", lon: 31.3)])
        let s = try TestPaths.openStore(path)
        #expect(try await deferredNames(s) == nil)
        #expect(try await keyIsUnique(s) == true)
        #expect(try await counts(s) == (2, 2, 0, 2))
        #expect(try await s.checkSpatialIndex() == "ok")
        #expect(try await s.insert([incident("k1")], actor: "t").map(\.created) == [false])
    }

    /// A second load into the same file is refused while one runs, and a process that opens the file then
    /// leaves the running load's indexes alone.
    @Test func aRunningLoadIsLeftAloneAndASecondOneRefused() async throws {
        let t = try TempStore()
        try await t.store.beginBulk()
        _ = try await t.store.bulkInsert([incident("x1")], actor: "t")
        let other = try TestPaths.openStore(t.path, label: "other")
        #expect(try await deferredNames(other)?.contains(IncidentKey.index) == true, "opening did not finish a live load")
        await #expect {
            try await other.beginBulk()
        } throws: { error in
            (error as? StoreError)?.kind == .busy && "\(error)".contains("another import is loading into")
        }
        #expect(try await t.store.endBulk() == 0)
        try await other.beginBulk()
        _ = try await other.bulkInsert([incident("x1"), incident("x2")], actor: "other")
        try await other.endBulk()
        #expect(try await counts(other) == (2, 2, 0, 2))
    }

    /// A file whose key is the table's UNIQUE constraint (before v4) gets the same table with a named key:
    /// the same rows and ids, indexes, SpatiaLite triggers and R*Tree, and GDAL still reads the layer.
    @Test func upgradingTurnsTheUniqueConstraintIntoANamedKey() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("db.sqlite")
        func shape(_ s: SpatiaLiteStore) async throws -> (table: String, indexes: [String], triggers: [String]) {
            try await s.pool.read { db in
                (try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'incidents'") ?? "",
                 try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' ORDER BY name"),
                 try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incidents' ORDER BY name"))
            }
        }
        let before: (ids: [Int64], triggers: [String])
        do {
            let s = try TestPaths.openStore(path)
            let out = try await s.insert([incident("v1", lon: 31.1, reporter: "Анна"), incident("v2", lon: 32.2)], actor: "t")
            before = (out.map(\.id), try await shape(s).triggers)
            // Back to the v3 table: the key as a constraint, no named index, no v4 record. With foreign keys
            // on, dropping the table would delete its events and contacts first.
            try await s.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = OFF") }
            defer { try? s.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = ON") } }
            #expect(try await counts(s) == (2, 2, 1, 2))
            try await s.pool.write { db in
                let table = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'incidents'")!
                let v3 = table.replacingOccurrences(of: #"CREATE TABLE "?incidents"? \("#, with: "CREATE TABLE incidents_v3 (", options: .regularExpression)
                    .replacingOccurrences(of: "\"geom\" POINT\n)", with: "\"geom\" POINT,\n  UNIQUE (source, external_id)\n)")
                #expect(v3.contains("UNIQUE"))
                let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND name <> ?",
                                                  arguments: [IncidentKey.index])
                try db.execute(sql: v3)
                try db.execute(sql: "INSERT INTO incidents_v3 SELECT * FROM incidents; DROP TABLE incidents; ALTER TABLE incidents_v3 RENAME TO incidents")
                for sql in indexes + before.triggers { try db.execute(sql: sql) }
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4-incident-key-as-named-index'")
            }
            #expect(try await shape(s).indexes.contains("sqlite_autoindex_incidents_1"))
        }
        let s = try TestPaths.openStore(path)
        let after = try await shape(s)
        #expect(!after.table.contains("UNIQUE"))
        #expect(after.indexes == ["incidents_category_status", "incidents_district", IncidentKey.index, "incidents_reported_at", "incidents_settlement"])
        #expect(after.triggers == before.triggers && after.triggers.count >= 8)
        #expect(try await keyIsUnique(s) == true)
        #expect(try await s.incidents(IncidentQuery()).map(\.id) == before.ids.map(Optional.some))
        #expect(try await counts(s) == (2, 2, 1, 2))
        #expect(try await s.checkSpatialIndex() == "ok")
        #expect(try await s.count(IncidentQuery(bbox: BBox(minLon: 32.1, minLat: 54.4, maxLon: 32.3, maxLat: 54.6))) == 1)
        // The restored triggers keep the R*Tree and the geometry check working, and the key refuses a repeat.
        #expect(try await s.insert([incident("v2"), incident("v3", lon: 33.3)], actor: "t").map(\.created) == [false, true])
        #expect(try await s.count(IncidentQuery(bbox: BBox(minLon: 33.2, minLat: 54.4, maxLon: 33.4, maxLat: 54.6))) == 1)
        if let ogrinfo = try Peers.ifAvailable(.ogrinfo) {
            let out = try await ExternalProcess.run(ogrinfo, ["-so", path, "incidents"])
            #expect(out.succeeded, "\(out)")
            #expect(out.output.contains("Geometry: Point") && out.output.contains("Feature Count: 3"))
        }
    }
}
