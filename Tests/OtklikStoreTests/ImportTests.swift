import Foundation
import Testing
import GRDB
import OtklikCore
@testable import OtklikStore

@Suite struct ImportTests {
    @Test func importsGoodRowsAndReportsEachBadOneWithItsLine() async throws {
        let t = try TempStore()
        let (report, rejects) = try await t.importFile(TestPaths.fixture("bad_rows.csv"), ImportOptions(format: .csv))
        #expect(report.inserted == 3)
        #expect(report.duplicates == 1)
        #expect(report.rejected == 12)
        let got = rejects.map { "\($0.line):\($0.field)" }
        #expect(got == ["4:lat", "5:lon", "6:lon", "7:category", "8:reported_at", "9:reported_at", "10:reported_at",
                        "11:resolved_at", "12:status", "13:row", "14:external_id", "15:source"])
        #expect(rejects.first?.reason == "lat: 95.0 is outside [-90, 90]")
        let rows = try await t.store.incidents(IncidentQuery())
        #expect(rows.map(\.externalID) == ["g1", "g2", "g3"])
        #expect(rows[2].description == "Сломаны качели; \"опасно\"")
        #expect(rows[0].reportedAt.timeIntervalSince1970 == 1_746_079_200)
    }

    @Test func reimportAddsNothing() async throws {
        let t = try TempStore()
        _ = try await t.importFile(TestPaths.fixture("bad_rows.csv"), ImportOptions(format: .csv))
        let (again, _) = try await t.importFile(TestPaths.fixture("bad_rows.csv"), ImportOptions(format: .csv))
        #expect(again.inserted == 0)
        #expect(again.duplicates == 4)
        #expect(try await t.store.count(IncidentQuery()) == 3)
    }

    @Test func readsGzipLikeThePlainFile() async throws {
        let t = try TempStore()
        let (report, rejects) = try await t.importFile(TestPaths.fixture("bad_rows_copy.csv.gz"), ImportOptions(format: .csv))
        #expect(report.inserted == 3)
        #expect(rejects.count == 12)
    }

    @Test func importsGeoJSONFeatureCollection() async throws {
        let t = try TempStore()
        let (report, rejects) = try await t.importFile(TestPaths.fixture("incidents.geojson"), ImportOptions(format: .geojson))
        #expect(report.inserted == 2)
        #expect(rejects.map(\.field) == ["lon"])
        #expect(rejects.first?.line == 8)
        let f1 = try await t.store.incidents(IncidentQuery()).first { $0.externalID == "f1" }
        #expect(f1?.description == "Площадка завалена мусором { } [ ] \" в Рудне")
        let f2 = try await t.store.incidents(IncidentQuery()).first { $0.externalID == "f2" }
        #expect(f2?.reporter == nil, "lists never carry personal data")
        let full = try await t.store.incident(id: f2!.id!)
        #expect(full?.reporter?.name == "Анна Петрова")
    }

    @Test func importsNDJSONAndRejectsBrokenLines() async throws {
        let t = try TempStore()
        let (report, rejects) = try await t.importFile(TestPaths.fixture("incidents.ndjson"), ImportOptions(format: .ndjson))
        #expect(report.inserted == 2)
        #expect(rejects.map { "\($0.line):\($0.field)" } == ["2:json"])
    }

    @Test func fileThatCannotBeParsedFailsBeforeWriting() async throws {
        let t = try TempStore()
        let dir = t.dir
        let noHeader = dir.appendingPathComponent("no_header.csv")
        try "id,x,y\n1,2,3\n".write(to: noHeader, atomically: true, encoding: .utf8)
        await #expect(throws: StoreError.self) { _ = try await t.importFile(noHeader.path, ImportOptions(format: .csv)) }
        let truncated = dir.appendingPathComponent("truncated.geojson")
        let text = try String(contentsOfFile: TestPaths.fixture("incidents.geojson"), encoding: .utf8)
        try String(text.prefix(text.count - 10)).write(to: truncated, atomically: true, encoding: .utf8)
        await #expect(throws: StoreError.self) { _ = try await t.importFile(truncated.path, ImportOptions(format: .geojson)) }
        #expect(try await t.store.count(IncidentQuery()) == 0)
        #expect(try await t.store.checkSpatialIndex() == "ok")
    }

    @Test func mapsForeignColumnsAndCategories() async throws {
        let t = try TempStore()
        let file = t.dir.appendingPathComponent("foreign.csv")
        try """
            id,kind,x,y,created,state,tz
            A-1,Pothole,31.09,54.94,2025-03-01 08:00:00,Closed,Europe/Moscow
            A-2,Garbage,31.10,54.95,2025-07-01 08:00:00,Open,Europe/Moscow
            """.write(to: file, atomically: true, encoding: .utf8)
        var o = ImportOptions(format: .csv)
        o.columnMap = try ImportOptions.parsePairs("external_id=id,category=kind,lon=x,lat=y,reported_at=created,status=state", option: "--map-columns")
        o.categoryMap = ["Pothole": "road.pothole", "Garbage": "waste.container_site"]
        o.statusMap = ["Closed": "resolved", "Open": "new"]
        o.timeZoneColumn = "tz"
        let (report, rejects) = try await t.importFile(file.path, o)
        #expect(rejects.isEmpty)
        #expect(report.inserted == 2)
        let rows = try await t.store.incidents(IncidentQuery())
        #expect(rows[0].category == "road.pothole")
        #expect(rows[0].status == .resolved)
        // Moscow is UTC+3 all year: 08:00 local is 05:00Z.
        #expect(Timestamp.format(rows[0].reportedAt) == "2025-03-01T05:00:00Z")
        var wrong = ImportOptions(format: .csv)
        wrong.columnMap = ["reported_at": "no_such_column"]
        await #expect(throws: StoreError.self) { _ = try await t.importFile(file.path, wrong) }
    }

    @Test(.enabled(if: TestPaths.sharedAvailable, "../shared/data is absent: the real 311 import is skipped"))
    func importsTheReal311FilesWithColumnAndCategoryMaps() async throws {
        let t = try TempStore()
        let file = TestPaths.sharedData.appendingPathComponent("complaints/complaints_unified.csv.gz").path
        var o = ImportOptions(format: .csv)
        o.columnMap = try ImportOptions.parsePairs("external_id=source_id,reported_at=created_at,resolved_at=closed_at,description=category_raw", option: "m")
        let maps = try ImportOptions.loadMapFile(TestPaths.packageRoot.appendingPathComponent("data/import-maps/us311.json").path)
        o.categoryMap = maps.categories
        o.statusMap = maps.statuses
        o.timeZoneColumn = "tz"
        o.source = .import
        let (report, rejects) = try await t.importFile(file, o)
        // SOURCES.md: the unified file has 31,509 rows, all with coordinates.
        #expect(report.rowsRead == 31_509)
        #expect(report.inserted + report.duplicates + report.rejected == 31_509)
        #expect(report.inserted > 31_000, "rejects: \(rejects.prefix(5))")
        #expect(try await t.store.count(IncidentQuery()) == report.inserted)
        #expect(try await t.store.checkSpatialIndex() == "ok")
        let (again, _) = try await t.importFile(file, o)
        #expect(again.inserted == 0)
    }
}

@Suite struct BulkPathTests {
    func incidents() -> [Incident] {
        let base = Date(timeIntervalSince1970: 1_735_689_600)
        let statuses: [IncidentStatus] = [.new, .inProgress, .resolved, .rejected]
        return (0..<40).map { i in
            let s = statuses[i % 4]
            return Incident(source: .hotline, externalID: "b\(i)", category: i % 3 == 0 ? "waste.container_site" : "road.pothole",
                            description: "Обращение \(i)", location: GeoPoint(lon: 32.0 + Double(i) * 0.001, lat: 54.78),
                            reportedAt: base.addingTimeInterval(Double(i) * 3600), status: s,
                            resolvedAt: s.isOpen ? nil : base.addingTimeInterval(Double(i) * 3600 + 86_400))
        }
    }

    func history(_ store: SpatiaLiteStore) async throws -> [String] {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.external_id, e.from_status, e.to_status, e.at, e.actor FROM incident_events e
                JOIN incidents i ON i.id = e.incident_id ORDER BY i.external_id, e.at, e.to_status
                """).map { r in "\(r[0] as String) \(r[1] as String? ?? "-")>\(r[2] as String) \(r[3] as String) \(r[4] as String)" }
        }
    }

    /// The bulk path writes events set-wise per batch; they must be the rows the one-by-one path writes.
    @Test func bulkEventsEqualTheOneByOneEvents() async throws {
        let one = try TempStore()
        _ = try await one.store.insert(incidents(), actor: "import")
        let bulk = try TempStore()
        try await bulk.store.beginBulk()
        // Three batches, so that event id ranges of later batches start past the earlier ones.
        for chunk in stride(from: 0, to: 40, by: 15) {
            _ = try await bulk.store.bulkInsert(Array(incidents()[chunk..<min(40, chunk + 15)]), actor: "import")
        }
        try await bulk.store.endBulk()
        let expected = try await history(one.store)
        #expect(expected.count == 40 + 20, "one event per open incident, two per closed one")
        #expect(expected.contains { $0.hasPrefix("b2 new>resolved 2025-01-02T02:00:00Z ") })
        #expect(try await history(bulk.store) == expected)
    }

    /// The importer keeps one batch in flight while it parses the next; with tiny batches every row must still
    /// arrive exactly once, and duplicates inside the file are counted, not written.
    @Test func pipelinedSmallBatchesKeepEveryRow() async throws {
        let t = try TempStore()
        var csv = "external_id,source,category,lon,lat,reported_at,status\n"
        for i in 0..<103 { csv += "p\(i),portal,road.pothole,32.\(100 + i),54.78,2025-03-01T10:00:00Z,new\n" }
        csv += "p5,portal,road.pothole,32.5,54.78,2025-03-01T10:00:00Z,new\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pipe-\(UUID().uuidString).csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = ImportOptions(format: .csv)
        options.batchSize = 7
        let (report, rejects) = try await t.importFile(path, options)
        #expect(rejects.isEmpty)
        #expect(report.inserted == 103)
        #expect(report.duplicates == 1)
        #expect(try await t.store.count(IncidentQuery()) == 103)
        let events = try await t.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") }
        #expect(events == 103)
        #expect(try await t.store.checkSpatialIndex() == "ok")
    }
}
