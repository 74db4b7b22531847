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

    /// Databases made before v3 had the events' index on (incident_id, at); opening them keys it by incident
    /// only, and an incident's events still come back in time order.
    @Test func upgradingKeysTheEventsIndexByIncident() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("db.sqlite")
        func indexColumns(_ s: SpatiaLiteStore) async throws -> [String] {
            try await s.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info('incident_events_incident')") }
        }
        let id: Int64
        do {
            let s = try SpatiaLiteStore(path: path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "t"))
            #expect(try await indexColumns(s) == ["incident_id"])
            try await s.pool.write { db in
                try db.execute(sql: "DROP INDEX incident_events_incident")
                try db.execute(sql: "CREATE INDEX incident_events_incident ON incident_events(incident_id, at)")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3-event-index-by-incident'")
            }
            #expect(try await indexColumns(s) == ["incident_id", "at"])
            id = try await s.insert([incident("e1", lon: 31.5, lat: 54.5)], actor: "portal")[0].id
            // Recorded out of time order: the later change first.
            _ = try await s.changeStatus(id: id, to: .inProgress, actor: "a", note: "", at: Date(timeIntervalSince1970: 1_735_689_600 + 5 * 3_600))
            _ = try await s.changeStatus(id: id, to: .resolved, actor: "a", note: "", at: Date(timeIntervalSince1970: 1_735_689_600 + 2 * 3_600))
        }
        let s = try SpatiaLiteStore(path: path, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "t"))
        #expect(try await indexColumns(s) == ["incident_id"])
        let events = try await s.events(incidentID: id)
        #expect(events.map { Timestamp.format($0.at) } == ["2025-01-01T00:00:00Z", "2025-01-01T02:00:00Z", "2025-01-01T05:00:00Z"])
        #expect(events.map(\.to) == [.new, .resolved, .inProgress])
    }
}

/// Sort-Tile-Recursive packing, checked on its structure: every entry in exactly one leaf, full nodes, parents
/// whose bounds are exactly their children's, and the id-to-leaf map the `_rowid` table is written from.
@Suite struct RTreePlanTests {
    typealias Entry = RTreeBulkLoader.Entry

    func entries(_ n: Int) -> [Entry] {
        // A fixed linear congruential sequence: the same points on every run.
        var state: UInt64 = 42
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24)
        }
        return (0..<n).map { i in
            let x = 30 + 5 * next(), y = 53 + 3 * next()
            return Entry(id: Int64(1_000 + 3 * i), minX: x, maxX: x, minY: y, maxY: y)
        }
    }

    @Test(arguments: [1, 7, 8, 50, 1_000, 4_097])
    func packsEveryEntryOnceUnderOneRoot(count: Int) {
        let capacity = 8
        let input = entries(count)
        let plan = RTreeBulkLoader.plan(input, capacity: capacity)
        // One root at the top; below it, as many levels as the count needs.
        #expect(plan.levels.last!.starts.count == 2)
        var expectedLevels = 1, nodes = (count + capacity - 1) / capacity
        while nodes > 1 { nodes = (nodes + capacity - 1) / capacity; expectedLevels += 1 }
        #expect(plan.levels.count == expectedLevels)
        // Leaves hold every entry exactly once, unchanged.
        let leaves = plan.levels[0]
        #expect(leaves.cells.map(\.id).sorted() == input.map(\.id))
        let byID = Dictionary(uniqueKeysWithValues: input.map { ($0.id, $0) })
        for c in leaves.cells {
            let e = byID[c.id]!
            #expect((c.minX, c.maxX, c.minY, c.maxY) == (e.minX, e.maxX, e.minY, e.maxY))
        }
        for (level, (cells, starts)) in plan.levels.enumerated() {
            #expect(starts.first == 0 && starts.last == cells.count)
            for i in 0..<(starts.count - 1) {
                let size = starts[i + 1] - starts[i]
                #expect(size >= 1 && size <= capacity, "level \(level) node \(i) has \(size) cells")
            }
            guard level > 0 else { continue }
            // Each parent cell names a child node and has exactly that node's bounds.
            let below = plan.levels[level - 1]
            #expect(cells.map(\.id).sorted() == (0..<Int64(below.starts.count - 1)).map { $0 })
            for c in cells {
                let child = below.cells[below.starts[Int(c.id)]..<below.starts[Int(c.id) + 1]]
                #expect(c.minX == child.map(\.minX).min()! && c.maxX == child.map(\.maxX).max()!)
                #expect(c.minY == child.map(\.minY).min()! && c.maxY == child.map(\.maxY).max()!)
            }
        }
        // The id-to-leaf map: by id, each id in the leaf it names.
        #expect(plan.leafOf.map(\.id) == input.map(\.id))
        for (id, leaf) in plan.leafOf {
            #expect(leaves.cells[leaves.starts[Int(leaf)]..<leaves.starts[Int(leaf) + 1]].contains { $0.id == id })
        }
    }

    @Test func anEmptySetIsOneEmptyRoot() {
        let plan = RTreeBulkLoader.plan([], capacity: 8)
        #expect(plan.levels.count == 1)
        #expect(plan.levels[0].cells.isEmpty && plan.levels[0].starts == [0])
        #expect(plan.leafOf.isEmpty)
    }

    /// Within a leaf, points are near each other: STR cuts the extent into about √(leaves) slices each way,
    /// so 4,097 points over 5° × 3° make leaves about 5°/23 wide and 3°/23 tall on average. (The last slice
    /// holds what is left over, fewer points, so its leaves are narrow and tall.)
    @Test func leavesAreCompact() {
        let plan = RTreeBulkLoader.plan(entries(4_097), capacity: 8)
        let leaves = plan.levels[0]
        let count = leaves.starts.count - 1
        var width: Float = 0, height: Float = 0
        for i in 0..<count {
            let cells = leaves.cells[leaves.starts[i]..<leaves.starts[i + 1]]
            width += cells.map(\.maxX).max()! - cells.map(\.minX).min()!
            height += cells.map(\.maxY).max()! - cells.map(\.minY).min()!
        }
        let slices = Float(Double(count).squareRoot().rounded(.up))
        #expect(slices == 23)
        #expect(width / Float(count) <= 5 / slices, "mean leaf width \(width / Float(count))°")
        #expect(height / Float(count) <= 1.5 * 3 / slices, "mean leaf height \(height / Float(count))°")
    }
}
