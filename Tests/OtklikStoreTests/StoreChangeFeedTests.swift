import Foundation
import Testing
import GRDB
import Synchronization
import OtklikCore
import OtklikPostGIS
import OtklikTestSupport
@testable import OtklikStore

/// The stores' change feeds: what another writer commits to the same database is reported, what the store's own
/// writes commit is not, and a feed that may have missed something reports everything.
@Suite struct StoreChangeFeedTests {
    /// Every change a feed gives, in order, as it gives them.
    final class Recorder: Sendable {
        private final class Box: Sendable { let changes = Mutex<[StoreChange]>([]) }
        private let seen: Box
        private let task: Task<Void, Never>

        init(_ feed: AsyncStream<StoreChange>) {
            let box = Box()
            seen = box
            task = Task { for await change in feed { box.changes.withLock { $0.append(change) } } }
        }

        deinit { task.cancel() }

        var changes: [StoreChange] { seen.changes.withLock { $0 } }

        /// The points of the `.written` changes after the first `skipping`, once there are `count` of them or
        /// within `seconds` (as `wait`).
        func writtenPoints(skipping: Int, count: Int, within seconds: Int = 20) async -> [GeoPoint] {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while true {
                let points = changes.dropFirst(skipping).flatMap { change -> [GeoPoint] in
                    if case .written(let points) = change { return points }
                    return []
                }
                if points.count >= count || ContinuousClock.now >= deadline { return points }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }

        /// The changes once there are `count` of them, or what came within `seconds` (a generous bound, so that
        /// a loaded machine does not fail the test: the assertions are on the values).
        func wait(for count: Int, within seconds: Int = 20) async -> [StoreChange] {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while changes.count < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            return changes
        }
    }

    static func incident(_ ext: String, lon: Double = 31.5, lat: Double = 54.5) -> Incident {
        BulkLoadingContract.incident(ext, lon: lon, lat: lat)
    }

    // MARK: - Own commits and foreign ones (SpatiaLite)

    @Test func theLedgerTellsOwnCommitsFromForeignOnes() {
        var ledger = CommitLedger()
        func foreign(_ seen: Int64, _ now: Int64) -> [Int64]? { ledger.foreignCommits(after: seen, upTo: now) }
        ledger.recordOwn(1)
        ledger.recordOwn(2)
        #expect(foreign(0, 2) == [], "two commits, both own")
        #expect(ledger.own.isEmpty, "seen values are forgotten")
        #expect(foreign(2, 2) == [], "no commit")
        ledger.recordOwn(3)
        ledger.recordOwn(5)
        #expect(foreign(2, 5) == [4], "4 is another writer's")
        ledger.recordOwn(6)
        ledger.forget(6)
        #expect(foreign(5, 6) == [6], "6 rolled back here, so the 6 committed is another writer's")
        #expect(foreign(6, 3) == nil, "a counter that went back: the file was replaced")
        ledger.recordOwn(8)
        #expect(foreign(7, 8) == [])
        #expect(foreign(8, 8 + ChangedPlaces.kept) == Array(9...(8 + ChangedPlaces.kept)), "as many as the log keeps")
        var seen = 8 + ChangedPlaces.kept
        #expect(foreign(seen, seen + ChangedPlaces.kept + 1) == nil, "more than the log keeps: their places are gone")
        seen += ChangedPlaces.kept + 1
        // A burst of own commits, more than the log keeps, between two polls: none is foreign.
        for v in (seen + 1)...(seen + 1_000) { ledger.recordOwn(v) }
        #expect(foreign(seen, seen + 1_000) == [])
        seen += 1_000
        for v in (seen + 1)...(seen + 1_000) where v != seen + 500 { ledger.recordOwn(v) }
        #expect(foreign(seen, seen + 1_000) == [seen + 500], "one foreign among them")
        seen += 1_000
        // A poll that comes after more own commits than the ledger keeps takes the oldest for foreign ones.
        let last = Int64(CommitLedger.capacity + 1)
        for v in (seen + 1)...(seen + last) { ledger.recordOwn(v) }
        #expect(ledger.own.count <= CommitLedger.capacity)
        #expect(foreign(seen, seen + 100) == Array((seen + 1)...(seen + 100)))
    }

    /// A commit's places as stored: the points back as they went in; unknown, too many, or a value that is not
    /// whole points reads as nil (everything).
    @Test func changedPlacesRoundTripAndOverflowToUnknown() {
        let points = [GeoPoint(lon: 31.5, lat: 54.25), GeoPoint(lon: -118.243683, lat: 34.052235)]
        #expect(ChangedPlaces.decode(ChangedPlaces.encode(.written(points))) == .written(points))
        #expect(ChangedPlaces.decode(ChangedPlaces.encode(.nothing)) == .nothing)
        #expect(ChangedPlaces.encode(.everything) == nil)
        #expect(ChangedPlaces.decode(nil) == .everything)
        #expect(ChangedPlaces.decode(Data(count: 15)) == .everything)
        let limit = Array(repeating: points[0], count: StoreChangeBuffer.pointLimit)
        #expect(ChangedPlaces.encode(.written(limit))?.count == 16 * StoreChangeBuffer.pointLimit)
        #expect(ChangedPlaces.encode(.written(limit + [points[1]])) == nil, "one past the limit")
        var many = StoreChange.written(limit)
        #expect(many == .written(limit))
        many.add(.written([points[1]]))
        #expect(many == .everything, "one past the limit")
        many.add(.written(points))
        #expect(many == .everything, "unknown stays unknown")
        var merged = StoreChange.written(points)
        merged.add(.everything)
        #expect(merged == .everything)
        var gathered = StoreChange.nothing
        gathered.add(.written([points[0]]))
        gathered.add(.written([points[1]]))
        #expect(gathered == .written(points))
    }

    /// Two stores on one file are two writers, as two processes are: each sees the other's commits as foreign
    /// and its own as its own, through inserts, status changes, area changes, bulk loads and a rollback.
    @Test func twoStoresOnOneFileTellEachOthersCommits() async throws {
        let t = try TempStore()
        let mine = t.store
        let other = try TestPaths.openStore(t.path, label: "other")
        func foreign(_ write: () async throws -> Void) async throws -> Bool {
            let before = try await mine.changeVersion()
            try await write()
            let after = try await mine.changeVersion()
            #expect(after > before, "every write moves the counter")
            return mine.ownCommits.withLock { $0.foreignCommits(after: before, upTo: after) } != []
        }
        #expect(try await !foreign { _ = try await mine.replaceAreas([BulkLoadingContract.district], level: .district) })
        #expect(try await !foreign { _ = try await mine.insert([Self.incident("a1")], actor: "t") })
        let id = try #require(try await mine.incidents(IncidentQuery()).first?.id)
        #expect(try await !foreign { _ = try await mine.changeStatus(id: id, to: .inProgress, actor: "t", note: "", at: Date()) })
        #expect(try await foreign { _ = try await other.insert([Self.incident("b1")], actor: "t") })
        #expect(try await foreign { _ = try await other.changeStatus(id: id, to: .resolved, actor: "t", note: "", at: Date()) })
        #expect(try await foreign {
            _ = try await other.withBulkLoad(BulkLoadOptions(actor: "import")) { load in
                try await load.load((0..<50).map { Self.incident("bulk-\($0)", lon: 31 + Double($0) / 100) })
            }
        })
        #expect(try await !foreign { _ = try await mine.withBulkLoad(BulkLoadOptions(actor: "import")) { load in
            try await load.load([Self.incident("own-bulk")])
        } })
        // A replay of a known key writes nothing and moves nothing.
        let quiet = try await mine.changeVersion()
        _ = try await other.insert([Self.incident("b1")], actor: "t")
        #expect(try await mine.changeVersion() == quiet)
        // An own transaction that rolls back gives its value up; the other writer's next commit takes it.
        struct Abort: Error {}
        let beforeRollback = try await mine.changeVersion()
        await #expect(throws: Abort.self) {
            try await mine.pool.write { db in
                try mine.noteCommit(db, changed: .everything)
                throw Abort()
            }
        }
        _ = try await other.insert([Self.incident("b2")], actor: "t")
        let after = try await mine.changeVersion()
        #expect(after == beforeRollback + 1)
        let foreignAfterRollback = mine.ownCommits.withLock { $0.foreignCommits(after: beforeRollback, upTo: after) }
        #expect(foreignAfterRollback == [after])
    }

    /// Another writer's commits come with the points they wrote: an insert, a status change, a bulk load (its
    /// transaction's points, then all of them again when its R*Tree is rebuilt); replaced areas are everything.
    @Test func theFeedReportsWhereAnotherWriterCommitted() async throws {
        let t = try TempStore()
        let other = try TestPaths.openStore(t.path, label: "other")
        let feed = Recorder(t.store.changes())
        // Own writes are not reported: a second of polls (four) gives nothing.
        _ = try await t.store.insert([Self.incident("own")], actor: "t")
        let id = try #require(try await t.store.incidents(IncidentQuery()).first?.id)
        _ = try await t.store.changeStatus(id: id, to: .inProgress, actor: "t", note: "", at: Date())
        try await Task.sleep(for: .seconds(1))
        #expect(feed.changes == [])
        let p = GeoPoint(lon: 31.25, lat: 54.75)
        _ = try await other.insert([Self.incident("foreign", lon: p.lon, lat: p.lat)], actor: "t")
        #expect(await feed.wait(for: 1) == [.written([p])])
        _ = try await other.changeStatus(id: id, to: .resolved, actor: "t", note: "", at: Date())
        #expect(await feed.wait(for: 2).last == .written([Self.incident("own").location]))

        let bulk = (0..<50).map { Self.incident("bulk-\($0)", lon: 31 + Double($0) / 100) }
        _ = try await other.withBulkLoad(BulkLoadOptions(actor: "import")) { load in try await load.load(bulk) }
        let written = await feed.writtenPoints(skipping: 2, count: 100)
        #expect(written.count == 100, "the load's transaction and its end each give its 50 points: \(feed.changes)")
        #expect(Set(written.map { "\($0.lon) \($0.lat)" }) == Set(bulk.map { "\($0.location.lon) \($0.location.lat)" }))
        #expect(!feed.changes.contains(.everything))

        let before = feed.changes.count
        _ = try await other.replaceAreas([BulkLoadingContract.district], level: .district)
        #expect(await feed.wait(for: before + 1).last == .everything)
    }

    /// A foreign commit whose places are no longer in the log (pruned) is everything; one whose places are is what
    /// it wrote. (Commits from before the log have no row either: see `anOlderDatabaseGetsTheCounterAtOpen`.)
    @Test func aCommitWithoutLoggedPlacesIsEverything() async throws {
        let t = try TempStore()
        let other = try TestPaths.openStore(t.path, label: "other")
        let p = GeoPoint(lon: 31.25, lat: 54.75)
        _ = try await other.insert([Self.incident("a", lon: p.lon, lat: p.lat)], actor: "t")
        let v = try await t.store.changeVersion()
        #expect(try await t.store.change(of: [v]) == .written([p]))
        #expect(try await t.store.change(of: []) == nil)
        #expect(try await t.store.change(of: nil) == .everything)
        // The log keeps the last commits only: at least `kept`, pruned every `pruneEvery`.
        let rounds = Int(ChangedPlaces.kept + 2 * ChangedPlaces.pruneEvery)
        for i in 0..<rounds { _ = try await other.insert([Self.incident("k\(i)", lon: 30 + Double(i) / 1000)], actor: "t") }
        let (count, oldest, newest) = try await t.store.pool.read { db in
            let r = try Row.fetchOne(db, sql: "SELECT count(*), min(version), max(version) FROM store_change_places")!
            return (r[0] as Int64, r[1] as Int64, r[2] as Int64)
        }
        #expect(newest == v + Int64(rounds))
        #expect(count >= ChangedPlaces.kept && count < ChangedPlaces.kept + ChangedPlaces.pruneEvery, "\(count) rows")
        #expect(oldest == newest - count + 1, "the newest rows are kept, none between them removed")
        let newestPlaces = try await t.store.change(of: [newest])
        #expect(newestPlaces == .written([GeoPoint(lon: 30 + Double(rounds - 1) / 1000, lat: 54.5)]))
        #expect(try await t.store.change(of: [v]) == .everything, "the first commit's places were pruned")
    }

    /// A database made before the change counter existed gets it at open, and its writes move it; one made with
    /// the counter and before its log goes on from the counter's value.
    @Test func anOlderDatabaseGetsTheCounterAtOpen() async throws {
        let folder = try TempFolder()
        defer { folder.remove() }
        let path = folder.path("old.sqlite")
        do {
            let store = try TestPaths.openStore(path)
            _ = try await store.insert([Self.incident("old")], actor: "t")
            try await store.pool.write { db in
                try db.execute(sql: "DROP TABLE store_change_places")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier IN ('v7-change-counter', 'v8-change-places')")
            }
        }
        let reopened = try TestPaths.openStore(path)
        #expect(try await reopened.changeVersion() == 0)
        _ = try await reopened.insert([Self.incident("new")], actor: "t")
        #expect(try await reopened.changeVersion() == 1)
        #expect(try await reopened.count(IncidentQuery()) == 2)

        // The counter of v7 at 41: the log starts from it.
        try await reopened.pool.write { db in
            try db.execute(sql: """
                DROP TABLE store_change_places;
                DELETE FROM grdb_migrations WHERE identifier = 'v8-change-places';
                CREATE TABLE store_changes (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                INSERT INTO store_changes (id, version) VALUES (1, 41);
                """)
        }
        let upgraded = try TestPaths.openStore(path, label: "upgraded")
        #expect(try await upgraded.changeVersion() == 41)
        let p = GeoPoint(lon: 31.25, lat: 54.75)
        _ = try await upgraded.insert([Self.incident("newer", lon: p.lon, lat: p.lat)], actor: "t")
        #expect(try await upgraded.changeVersion() == 42)
        #expect(try await upgraded.change(of: [41, 42]) == .everything, "41 has no places")
        #expect(try await upgraded.change(of: [42]) == .written([p]))
        let tables = try await upgraded.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'store_change%' ORDER BY name")
        }
        #expect(tables == ["store_change_places"])
    }

    // MARK: - PostGIS

    @Test func changeNotesCarryTheirOrigin() {
        let note = StoreChangeNote.points([.init(location: GeoPoint(lon: 31.5, lat: 54.25), category: "road.pothole")])
        let payloads = note.payloads(origin: "A1")
        #expect(payloads == ["@A1\n31.5 54.25 road.pothole\n"])
        let payload = payloads[0]
        #expect(StoreChangeNote.read(payload).origin == "A1")
        #expect(StoreChangeNote.read(payload).note == note)
        #expect(StoreChangeNote.read(payload).note.change == .written([GeoPoint(lon: 31.5, lat: 54.25)]))
        #expect(StoreChangeNote.read("@B\n*").note.change == .everything)
        #expect(StoreChangeNote.read("31.5 54.25 road.pothole\n").origin == nil, "a note without an origin line is read as before")
        #expect(StoreChangeNote.read("31.5 54.25 road.pothole\n").note == note)
        #expect(StoreChangeNote.read("@B").note == .points([]))
        #expect(StoreChangeNote.everything.payloads(origin: "A1") == ["@A1\n*"])
        #expect(StoreChangeNote.points([]).payloads(origin: "A1") == [])
    }

    /// Points that do not fit one notification (PostgreSQL refuses 8,000 bytes) go in several, each under the
    /// limit, which read back as all of them; past the feed's point limit the note is everything.
    @Test func manyPointsAreSplitAcrossNotifications() {
        let points = (0..<1_000).map { i in
            StoreChangeNote.Point(location: GeoPoint(lon: 31 + Double(i) / 997, lat: 54 + Double(i) / 991), category: "waste.container_overflow")
        }
        let payloads = StoreChangeNote.points(points).payloads(origin: "A1")
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.utf8.count <= 7_000 && $0.hasPrefix("@A1\n") })
        let read = payloads.map(StoreChangeNote.read)
        #expect(read.allSatisfy { $0.origin == "A1" })
        #expect(read.flatMap { r -> [StoreChangeNote.Point] in
            if case .points(let p) = r.note { return p }
            return []
        } == points)
        let tooMany = Array(repeating: points[0], count: StoreChangeBuffer.pointLimit + 1)
        #expect(StoreChangeNote.points(tooMany).payloads(origin: "A1") == ["@A1\n*"])
    }

    /// A load into a table that has rows is heard with the points it wrote, as a POST is: the servers on the
    /// database keep the tiles it did not touch. Past the feed's point limit in one transaction it is everything.
    @Test(.postgis) func aLoadBesideTheServersIsHeardWithItsPoints() async throws {
        let url = try await PostgresCluster.freshDatabase()
        let location = try PostGISLocation(url: url)
        let mine = try await PostGISStore.open(location, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "mine"))
        let other = try await PostGISStore.open(location, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "other"))
        defer {
            mine.close()
            other.close()
        }
        _ = try await other.insert([Self.incident("first")], actor: "t")
        let feed = Recorder(mine.changes())
        #expect(await feed.wait(for: 1) == [.everything], "LISTEN in force")
        let small = (0..<600).map { Self.incident("s\($0)", lon: 31 + Double($0) / 1000, lat: 54 + Double($0) / 2000) }
        _ = try await other.withBulkLoad(BulkLoadOptions(actor: "import")) { load in try await load.load(small) }
        let heard = await feed.writtenPoints(skipping: 1, count: small.count)
        #expect(Set(heard.map { "\($0.lon) \($0.lat)" }) == Set(small.map { "\($0.location.lon) \($0.location.lat)" }))
        #expect(heard.count == small.count)
        #expect(!feed.changes.dropFirst().contains(.everything))

        let large = (0...StoreChangeBuffer.pointLimit).map { Self.incident("l\($0)", lon: 30 + Double($0) / 100_000) }
        let before = feed.changes.count
        _ = try await other.withBulkLoad(BulkLoadOptions(actor: "import")) { load in
            for start in stride(from: 0, to: large.count, by: 5_000) { try await load.load(Array(large[start..<min(start + 5_000, large.count)])) }
        }
        #expect(await feed.wait(for: before + 1).last == .everything)
    }

    /// A listener hears the other store's writes with their points, skips its own store's, and reports
    /// everything each time LISTEN is in force again, after its connection was cut.
    @Test(.postgis) func theListenerHearsOtherStoresAndResyncsAfterAReconnect() async throws {
        let url = try await PostgresCluster.freshDatabase()
        let location = try PostGISLocation(url: url)
        let mine = try await PostGISStore.open(location, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "mine"))
        let other = try await PostGISStore.open(location, taxonomy: try TestPaths.taxonomy(), logger: .init(label: "other"))
        defer {
            mine.close()
            other.close()
        }
        let feed = Recorder(mine.changes())
        #expect(await feed.wait(for: 1) == [.everything], "LISTEN in force: what came before it is unknown")
        _ = try await other.insert([Self.incident("o1", lon: 31.25, lat: 54.5)], actor: "t")
        let o1 = GeoPoint(lon: 31.25, lat: 54.5), m1 = GeoPoint(lon: 31.75, lat: 54.5)
        #expect(await feed.wait(for: 2) == [.everything, .written([o1])])
        // Its own write is skipped: the next change is the other's status change of that incident.
        let own = try await mine.insert([Self.incident("m1", lon: m1.lon, lat: m1.lat)], actor: "t")
        _ = try await other.changeStatus(id: own[0].id, to: .inProgress, actor: "t", note: "", at: Date())
        #expect(await feed.wait(for: 3) == [.everything, .written([o1]), .written([m1])])
        // The connection is cut: once it listens again, a note may have been missed, so everything.
        let cut = try await PostgresCluster.psql(url, """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = '\(PostGISStore.listenerName)' AND datname = current_database()
            """)
        #expect(cut == "1")
        #expect(await feed.wait(for: 4).last == .everything)
        _ = try await other.insert([Self.incident("o2", lon: 31.5, lat: 54.75)], actor: "t")
        #expect(await feed.wait(for: 5).last == .written([GeoPoint(lon: 31.5, lat: 54.75)]))
        #expect(feed.changes.count == 5)
    }
}
