import Foundation
import Testing
import GRDB
import OtklikCore
@testable import OtklikStore

/// The bulk writer's guards: what it turns off for a load comes back on, and what it no longer asks SQLite
/// to check it checks itself.
@Suite struct BulkWriterTests {
    func incident(_ ext: String, lon: Double, lat: Double) -> Incident {
        Incident(source: .portal, externalID: ext, category: "road.pothole", description: "Яма", location: GeoPoint(lon: lon, lat: lat),
                 reportedAt: Date(timeIntervalSince1970: 1_735_689_600))
    }

    /// The writer connection's check pragmas, read on the writer itself.
    func pragmas(_ store: SpatiaLiteStore) async throws -> (foreignKeys: Int, ignoreChecks: Int) {
        try await store.pool.writeWithoutTransaction { db in
            (try Int.fetchOne(db, sql: "PRAGMA foreign_keys") ?? -1, try Int.fetchOne(db, sql: "PRAGMA ignore_check_constraints") ?? -1)
        }
    }

    @Test func aBulkLoadPutsTheChecksBackAfterItSucceeds() async throws {
        let t = try TempStore()
        #expect(try await pragmas(t.store) == (1, 0))
        _ = try await t.store.bulkInsert([incident("a1", lon: 31.5, lat: 54.5)], actor: "t")
        #expect(try await pragmas(t.store) == (1, 0))
        // The CHECK constraints hold again for the next write on the same connection.
        await #expect(throws: (any Error).self) {
            try await t.store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO incidents (source, external_id, category, lon, lat, reported_at, status, updated_at, agency)
                    VALUES ('portal', 'bad', 'road.pothole', 200, 54, '2025-01-01T00:00:00Z', 'new', '2025-01-01T00:00:00Z', '')
                    """)
            }
        }
        #expect(try await t.store.count(IncidentQuery()) == 1)
    }

    /// A load that fails half way rolls its transaction back before it turns the checks on again: inside an
    /// open transaction `PRAGMA foreign_keys` does nothing, and the connection would have stayed without them.
    @Test func aFailedBulkLoadRollsBackAndPutsTheChecksBack() async throws {
        let t = try TempStore()
        try await t.store.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_boom BEFORE INSERT ON incidents WHEN NEW.external_id = 'boom'
                BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
                """)
        }
        await #expect(throws: (any Error).self) {
            _ = try await t.store.bulkInsert([incident("ok1", lon: 31.5, lat: 54.5), incident("boom", lon: 31.6, lat: 54.5)], actor: "t")
        }
        #expect(try await pragmas(t.store) == (1, 0))
        #expect(try await t.store.count(IncidentQuery()) == 0, "the row before the failure was rolled back with it")
        let events = try await t.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM incident_events") }
        #expect(events == 0)
        // The writer goes on working.
        _ = try await t.store.bulkInsert([incident("ok2", lon: 31.5, lat: 54.5)], actor: "t")
        #expect(try await t.store.count(IncidentQuery()) == 1)
    }

    /// The bulk path writes with CHECK constraints off, so its preparation refuses what they would refuse.
    @Test func bulkPreparationRefusesAPositionOutOfRange() async throws {
        let t = try TempStore()
        #expect(throws: ValidationError.outOfRange(field: "lon", value: 200, range: "[-180, 180]")) {
            _ = try t.store.prepareBulk([incident("x1", lon: 31.5, lat: 54.5), incident("x2", lon: 200, lat: 54.5)])
        }
        #expect(throws: ValidationError.notFinite(field: "lat", value: .infinity)) {
            _ = try t.store.prepareBulk([incident("x3", lon: 31.5, lat: .infinity)])
        }
        await #expect(throws: ValidationError.self) {
            _ = try await t.store.bulkInsert([incident("x4", lon: 31.5, lat: -91)], actor: "t")
        }
        #expect(try await t.store.count(IncidentQuery()) == 0)
    }
}
