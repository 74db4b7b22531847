import Foundation
import Testing
import GRDB
import OtklikCore
import OtklikTestSupport
@testable import OtklikStore
#if canImport(Glibc)
import Glibc
#endif

/// `otklik import` killed with SIGKILL in the middle of its load, as an operator's kill -9 or the OOM killer
/// would: the next open must find a sound database that holds whole committed transactions and nothing else.
@Suite struct ImportKillTests {
    @Test func aKilledImportLeavesWholeTransactionsAndASoundIndex() async throws {
        let folder = try TempFolder("otklik-kill")
        defer { folder.remove() }
        let total = 60_000, batch = 4_000
        var csv = "external_id,source,category,lon,lat,reported_at,status,description\n"
        for i in 0..<total {
            csv += "k\(i),hotline,road.pothole,\(31.0 + Double(i % 997) * 0.003),\(54.0 + Double(i % 991) * 0.002),2025-03-01T10:00:00Z,new,Яма \(i)\n"
        }
        let file = folder.path("rows.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let db = folder.path("kill.sqlite")
        let args = ["import", "incidents", file, "--db", db, "--data-dir", TestPaths.packageRoot.appendingPathComponent("data").path,
                    "--batch-size", String(batch)]

        let otklik = try TestPackage.executable("otklik")
        let p = try ExternalProcess.start(Command(otklik, args, stderr: .discarded, timeout: nil))
        // Kill it while a transaction commits, after at least one commit. In a rollback journal the journal file
        // exists while a commit writes the file, which grows only then. So the journal appearing at a size above
        // that of its previous appearance, itself above the new file's first write, is a commit after a
        // finished one.
        let deadline = Date().addingTimeInterval(120)
        var killed = false
        var sizes: [Int] = []
        var present = false
        while p.isRunning && Date() < deadline {
            let now = FileManager.default.fileExists(atPath: db + "-journal")
            if now && !present {
                sizes.append((try? FileManager.default.attributesOfItem(atPath: db)[.size] as? NSNumber)?.intValue ?? 0)
                let n = sizes.count
                if n >= 3 && sizes[n - 1] > sizes[n - 2] && sizes[n - 2] > sizes[0] {
                    p.signal(SIGKILL)
                    killed = true
                    break
                }
            }
            present = now
            usleep(200)
        }
        let ended = await p.wait(timeout: .seconds(60))
        try #require(killed, "the import ended before it could be killed: \(ended)")
        #expect(ended.signalled && ended.status == SIGKILL, "\(ended)")

        let store = try SpatiaLiteStore(path: db, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "t"))
        #expect(try await store.journalMode() == "wal")
        let integrity = try await store.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        #expect(try await store.checkSpatialIndex() == "ok")
        let kept = try await store.count(IncidentQuery())
        #expect(kept > 0 && kept < total)
        #expect(kept % batch == 0, "only whole transactions of \(batch) rows survive, found \(kept)")
        let events = try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") }
        #expect(events == kept)
        // The indexes the load set aside are back, and the R*Tree finds every kept row.
        let indexes = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' AND sql IS NOT NULL ORDER BY name")
        }
        #expect(indexes == ["incidents_category_status", "incidents_district", "incidents_key", "incidents_reported_at", "incidents_settlement"])
        #expect(try await store.count(IncidentQuery(bbox: BBox(minLon: 30.9, minLat: 53.9, maxLon: 34.1, maxLat: 56.1))) == kept)

        // The same file again adds exactly the rest.
        let again = try await ExternalProcess.run(Command(otklik, args, timeout: .seconds(300)))
        #expect(again.succeeded, "\(again)")
        #expect(try await store.count(IncidentQuery()) == total)
    }
}
