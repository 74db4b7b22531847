import Foundation
import OtklikTestSupport
import Testing
import GRDB
import OtklikCore
@testable import OtklikStore

@Suite struct ImportTests {
    /// A released load lock is free at once, even while a copy of its descriptor lives on (a child process spawned
    /// meanwhile holds one until it execs).
    @Test func aReleasedLoadLockIsFreeWhileACopyOfItsDescriptorLives() throws {
        let t = try TempStore()
        var lock = try LoadLock.take(for: t.path)
        let copy = dup(try #require(lock).fd)
        defer { close(copy) }
        #expect(try LoadLock.take(for: t.path) == nil, "held")
        lock = nil
        #expect(try LoadLock.take(for: t.path) != nil, "released, though the copy is still open")
    }

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

    /// A gzip file cut short fails with a message that says so, after committing the rows it handed to the
    /// writer: the store stays consistent (every row with its event, a sound spatial index) and nothing
    /// passes for a complete import.
    @Test(.requires(.gzip)) func aTruncatedGzipFailsAndKeepsWhatItCommitted() async throws {
        let folder = try TempFolder("trunc")
        defer { folder.remove() }
        var csv = "external_id,source,category,lon,lat,reported_at,status,description\n"
        // Varied text, so that the compressed stream is long enough to cut in the middle.
        for i in 0..<4000 { csv += "t\(i),portal,road.pothole,32.\(1000 + i),54.78,2025-03-01T10:00:00Z,new,Яма номер \(i * 7919 % 10007) у дома \(i)\n" }
        let plain = folder.path("rows.csv")
        try csv.write(toFile: plain, atomically: true, encoding: .utf8)
        let zipped = try await ExternalProcess.run(Peers.require(.gzip), ["-k", plain])
        #expect(zipped.succeeded, "\(zipped)")
        let gz = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let cut = folder.path("cut.csv.gz")
        try gz.prefix(gz.count * 2 / 3).write(to: URL(fileURLWithPath: cut))

        let t = try TempStore()
        var options = ImportOptions(format: .csv)
        options.batchSize = 500
        options.chunkSize = 100
        await #expect {
            _ = try await t.importFile(cut, options)
        } throws: { error in
            let message = "\(error)"
            return message.contains("truncated") && message.contains("new rows read before it are kept")
        }
        let kept = try await t.store.count(IncidentQuery())
        #expect(kept > 0 && kept < 4000)
        let events = try await t.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") }
        #expect(events == kept)
        #expect(try await t.store.checkSpatialIndex() == "ok")
        // The whole file then adds exactly the rest.
        let (again, _) = try await t.importFile(plain + ".gz", options)
        #expect(again.inserted == 4000 - kept && again.duplicates == kept)
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

    @Test(.requiresSharedData("complaints/complaints_unified.csv.gz"))
    func importsTheReal311FilesWithColumnAndCategoryMaps() async throws {
        let t = try TempStore()
        let file = SharedDataFolder.file("complaints/complaints_unified.csv.gz").path
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

    /// The importer hands chunks to the writer while it parses the next, and the writer commits every
    /// `batchSize` rows, so transactions span several chunks and end inside none. With tiny chunks every row
    /// must still arrive exactly once, and duplicates inside the file are counted, not written.
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
        options.chunkSize = 3
        let (report, rejects) = try await t.importFile(path, options)
        #expect(rejects.isEmpty)
        #expect(report.inserted == 103)
        #expect(report.duplicates == 1)
        #expect(try await t.store.count(IncidentQuery()) == 103)
        let events = try await t.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") }
        #expect(events == 103)
        #expect(try await t.store.checkSpatialIndex() == "ok")

        // Progress counts rows written, not rows read: a second run of the file shows no new row at any point.
        final class Seen: @unchecked Sendable {
            let lock = NSLock()
            var inserted: [Int] = []
            func add(_ p: ImportProgress) { lock.withLock { inserted.append(p.inserted) } }
        }
        let seen = Seen()
        let again = try await IncidentImporter(store: t.store, options: options)
            .run(path: path, onReject: { _ in }, onProgress: { seen.add($0) })
        #expect(again.inserted == 0 && again.duplicates == 104)
        #expect(!seen.inserted.isEmpty && seen.inserted.allSatisfy { $0 == 0 })
    }

    /// Every field the bulk path packs into a chunk reads back as the one-by-one path stores it: texts with
    /// Cyrillic and empty ones, NULLs, attributes, the approximate flag and reporter contacts on some rows only.
    /// A chunk sent twice adds nothing: the table is empty, so its repeats are removed when the key is built
    /// at the load's end (see DeferredIndexes).
    @Test func bulkRowsEqualTheOneByOneRows() async throws {
        var list = incidents()
        for i in list.indices {
            if i % 5 == 1 { list[i].reporter = ReporterContact(name: "Жилец \(i)", phone: i % 10 == 1 ? "+7 900 000-00-\(10 + i)" : nil, email: nil) }
            if i % 7 == 2 { list[i].attributes = ["media_url": "https://example.org/\(i).jpg", "ключ": "значение"] }
            if i % 6 == 3 { list[i].approximateLocation = true }
            if i % 4 == 0 { list[i].description = ""; list[i].address = "" } else { list[i].address = "ул. Ленина, д. \(i)" }
        }
        let one = try TempStore()
        _ = try await one.store.insert(list, actor: "import")
        let bulk = try TempStore()
        try await bulk.store.beginBulk()
        let first = try await bulk.store.bulkInsert(Array(list[0..<25]), actor: "import")
        let again = try await bulk.store.bulkInsert(Array(list[0..<25]), actor: "import")
        let rest = try await bulk.store.bulkInsert(Array(list[25...]), actor: "import")
        let repeats = try await bulk.store.endBulk()
        #expect(first.inserted == 25 && again.inserted == 25 && rest.inserted == 15 && repeats == 25)
        /// Every stored incident in key order, without its id (the repeats took ids) and update time.
        func rows(_ store: SpatiaLiteStore) async throws -> [Incident] {
            var out: [Incident] = []
            let ids = try await store.pool.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM incidents ORDER BY source, external_id") }
            for id in ids {
                let stored = try await store.incident(id: id)
                var inc = try #require(stored)
                inc.id = nil
                inc.updatedAt = nil
                out.append(inc)
            }
            return out
        }
        let expected = try await rows(one.store)
        #expect(expected.count == list.count)
        #expect(expected.filter { $0.reporter != nil }.count == 8)
        #expect(expected.contains { $0.attributes["ключ"] == "значение" })
        #expect(try await rows(bulk.store) == expected)
        #expect(try await bulk.store.checkSpatialIndex() == "ok")
    }
}

/// The slot between the parsing task and the bulk writer.
@Suite struct ChunkHandoffTests {
    func chunk(_ ids: [String]) -> PreparedChunk {
        var c = PreparedChunk(capacity: ids.count)
        for id in ids {
            c.append(Incident(source: .portal, externalID: id, category: "other", location: GeoPoint(lon: 32, lat: 54.8),
                              reportedAt: Date(timeIntervalSince1970: 0)), district: nil, settlement: nil, agency: "")
        }
        return c
    }

    /// A second chunk waits until the writer takes the first; both arrive, in order, then the end.
    @Test func deliversChunksInOrderThenTheEnd() async throws {
        let h = ChunkHandoff()
        // The writer's side blocks its thread, as the store's writer queue does: not a task's thread.
        let taken = Task {
            await withCheckedContinuation { (done: CheckedContinuation<[Int], Never>) in
                DispatchQueue.global().async {
                    var sizes: [Int] = []
                    while let c = h.take() { sizes.append(c.count) }
                    done.resume(returning: sizes)
                }
            }
        }
        try await h.put(chunk(["a"]))
        try await h.put(chunk(["b", "c"]))
        try await h.put(chunk(["d", "e", "f"]))
        h.close()
        #expect(await taken.value == [1, 2, 3])
    }

    struct WriterFailed: Error, Equatable {}

    /// When the writer fails, a producer waiting for the slot gets the error, and so does every later chunk.
    @Test func aFailedWriterStopsTheProducer() async throws {
        let h = ChunkHandoff()
        try await h.put(chunk(["a"]))
        let waiting = Task { try await h.put(chunk(["b"])) }
        // The writer takes "a" (which lets "b" into the slot), then fails while "c" waits.
        let first = h.take()
        #expect(first?.count == 1)
        await #expect(throws: Never.self) { try await waiting.value }
        let third = Task { try await h.put(chunk(["c"])) }
        while h.waitingForSlot == false { await Task.yield() }
        h.fail(WriterFailed())
        await #expect(throws: WriterFailed.self) { try await third.value }
        await #expect(throws: WriterFailed.self) { try await h.put(chunk(["d"])) }
    }
}
