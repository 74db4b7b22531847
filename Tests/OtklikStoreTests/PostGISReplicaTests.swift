import Foundation
import Logging
import Testing
import OtklikCore
@testable import OtklikPostGIS
import OtklikTestSupport

/// Reads from a streaming replica (`PostGISStore.readFromReplica`): what the replica shows, what this process
/// wrote, and when the primary answers instead. "Served by the replica" is shown by a row the replica has not
/// replayed: replay is paused and the row is written straight into the primary.
@Suite struct PostGISReplicaTests {
    static func incident(_ ext: String) -> Incident { PostGISStoreTests.incident(ext) }

    /// A store on a fresh database whose replica has replayed its schema and `seed` rows, reading from the replica.
    static func withReplicatedStore<T>(seed: Int, maxLag: Duration, checkInterval: Duration = .milliseconds(100),
                                       _ body: (PostGISStore, _ primaryURL: String, PostgresCluster.Replica) async throws -> T) async throws -> T {
        try await PostgresCluster.withReplica { replica in
            try await withPostGISStore { store in
                _ = try await store.insert((0..<seed).map { incident("seed-\($0)") }, actor: "test")
                try await PostgresCluster.waitForReplica(replica)
                let primaryURL = "postgresql://\(store.location.user)@\(store.location.host):\(store.location.port)/\(store.location.database)"
                // A look may take long on a loaded machine: the tests say which server answers, so a slow look must
                // not count as a replica that is down (a stopped one refuses at once).
                store.readFromReplica(ReadReplicaSettings(location: try PostGISLocation(url: replica.url(sameAs: primaryURL)),
                                                          maxLag: maxLag, checkInterval: checkInterval, timeout: .seconds(20),
                                                          retryAfter: .milliseconds(200)))
                // The store reads from the replica once it has replayed the primary's position at this start. Other
                // tests write to the same cluster meanwhile (one WAL for every database): wait for that position
                // here, so that a replay paused by the test cannot leave the store on the primary.
                let deadline = ContinuousClock.now + .seconds(60)
                while store.readReplica.withLock({ $0?.isStarted }) != true {
                    guard ContinuousClock.now < deadline else { throw PostgresCluster.ClusterError("the replica routing never started") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await PostgresCluster.waitForReplica(replica)
                return try await body(store, primaryURL, replica)
            }
        }
    }

    /// A row written into the primary behind the store's back; returns its id.
    static func insertDirectly(_ url: String, _ ext: String) async throws -> Int64 {
        let id = try await PostgresCluster.psql(url, """
            INSERT INTO incidents (source, external_id, category, lon, lat, reported_at, status, updated_at, agency)
            VALUES ('hotline', '\(ext)', 'road.pothole', 31.5, 54.5, '2025-01-01T00:00:00Z', 'new', now(), '') RETURNING id
            """)
        return try #require(Int64(id.split(separator: "\n").first ?? ""))
    }

    @Test(.postgisReplica) func readsComeFromTheReplicaAndStillSeeThisProcesssWrites() async throws {
        try await Self.withReplicatedStore(seed: 3, maxLag: .seconds(3600)) { store, primary, replica in
            #expect(try await store.count(IncidentQuery()) == 3)
            try await PostgresCluster.pauseReplay(replica)
            let direct = try await Self.insertDirectly(primary, "direct-1")
            #expect(try await PostgresCluster.psql(primary, "SELECT count(*) FROM incidents") == "4")
            // The replica answers: it has not replayed the row written straight into the primary.
            #expect(try await store.count(IncidentQuery()) == 3)
            #expect(try await store.incidents(IncidentQuery()).map(\.externalID).sorted() == ["seed-0", "seed-1", "seed-2"])

            // A write through the store: its own reads see it at once (the replica has not replayed it, so the
            // primary answers), and with it everything else the primary has.
            let written = try await store.insert([Self.incident("own-1")], actor: "test")
            let id = try #require(written.first?.id)
            #expect(try await store.incident(id: id)?.externalID == "own-1")
            #expect(try await store.count(IncidentQuery()) == 5)
            #expect(try await store.events(incidentID: id).map(\.to) == [.new])
            let changed = try await store.changeStatus(id: id, to: .inProgress, actor: "op", note: "", at: Date())
            #expect(changed.status == .inProgress)
            #expect(try await store.incident(id: id)?.status == .inProgress)

            // Once the replica has replayed the write, it answers again, with everything.
            try await PostgresCluster.resumeReplay(replica)
            try await PostgresCluster.waitForReplica(replica)
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await store.count(IncidentQuery()) == 5)
            #expect(try await store.incident(id: direct)?.externalID == "direct-1")
        }
    }

    @Test(.postgisReplica) func aRowTheReplicaHasNotReplayedIsLookedUpOnThePrimary() async throws {
        try await Self.withReplicatedStore(seed: 2, maxLag: .seconds(3600)) { store, primary, replica in
            try await PostgresCluster.pauseReplay(replica)
            // Written by another process (another instance behind the same load balancer, say).
            let id = try await Self.insertDirectly(primary, "elsewhere-1")
            #expect(try await store.count(IncidentQuery()) == 2, "the replica answers the count")
            #expect(try await store.incident(id: id)?.externalID == "elsewhere-1", "a miss on the replica is asked of the primary")
            #expect(try await store.incident(id: id + 1000) == nil)
        }
    }

    /// Each read looks at the replica (the last look is always too old), and is judged by that look however long it
    /// waits to resume after it: judged by the clock then, a loaded machine sent reads to the primary.
    @Test(.postgisReplica) func aReadIsJudgedByTheLookItWaitedFor() async throws {
        try await Self.withReplicatedStore(seed: 2, maxLag: .seconds(3600), checkInterval: .nanoseconds(1)) { store, primary, replica in
            try await PostgresCluster.pauseReplay(replica)
            _ = try await Self.insertDirectly(primary, "elsewhere-1")
            for _ in 0..<5 {
                #expect(try await store.count(IncidentQuery()) == 2, "the replica answers the count")
            }
        }
    }

    @Test(.postgisReplica) func aChangeHeardFromAnotherInstanceIsReadAtOnce() async throws {
        try await Self.withReplicatedStore(seed: 2, maxLag: .seconds(3600)) { store, primary, replica in
            let other = try await PostGISStore.open(try PostGISLocation(url: primary), taxonomy: try TestPaths.taxonomy(),
                                                    logger: Logger(label: "test.postgis.other"))
            defer { other.close() }
            var feed = store.changes().makeAsyncIterator()
            _ = await feed.next()  // LISTEN is in force
            try await PostgresCluster.pauseReplay(replica)
            _ = try await other.insert([Self.incident("other-1")], actor: "test")
            _ = await feed.next()
            // What the server does on a change (drop and read again) reads the primary until the replica has
            // replayed the other instance's commit.
            #expect(try await store.count(IncidentQuery()) == 3)
            #expect(try await store.incidents(IncidentQuery()).map(\.externalID).contains("other-1"))
        }
    }

    @Test(.postgisReplica) func aReplicaPastTheLagBoundIsNotReadFrom() async throws {
        try await Self.withReplicatedStore(seed: 2, maxLag: .milliseconds(500)) { store, primary, replica in
            try await PostgresCluster.pauseReplay(replica)
            _ = try await Self.insertDirectly(primary, "late-1")
            // The replica has received the row and not replayed it; its last replayed commit grows older than the bound.
            try await Task.sleep(for: .seconds(2))
            #expect(try await store.count(IncidentQuery()) == 3, "the primary answers")
            #expect(try await store.incidents(IncidentQuery()).map(\.externalID).contains("late-1"))
        }
    }

    @Test(.postgisReplica) func aStoppedReplicaSendsEveryReadToThePrimary() async throws {
        guard PostgresCluster.replicaCanBeStopped else {
            print("note: the replica named by OTKLIK_PG_REPLICA_URL cannot be stopped by a test; this test is left out")
            return
        }
        try await Self.withReplicatedStore(seed: 4, maxLag: .seconds(3600)) { store, primary, replica in
            #expect(try await store.count(IncidentQuery()) == 4)
            try await PostgresCluster.stopReplica()
            _ = try await Self.insertDirectly(primary, "after-stop")
            for _ in 0..<5 {
                #expect(try await store.count(IncidentQuery()) == 5)
                #expect(try await store.stats(IncidentQuery()).total == 5)
            }

            // Back again, the replica is tried after the back-off and serves once more: a row it has not replayed
            // goes unseen.
            try await PostgresCluster.startReplicaAgain()
            try await PostgresCluster.waitForReplica(replica)
            try await PostgresCluster.pauseReplay(replica)
            _ = try await Self.insertDirectly(primary, "while-paused")
            var counted = try await store.count(IncidentQuery())
            for _ in 0..<150 where counted != 5 {
                try await Task.sleep(for: .milliseconds(100))
                counted = try await store.count(IncidentQuery())
            }
            #expect(counted == 5, "the replica serves again (the primary has 6)")
        }
    }
}

/// The routing's choice and its failure rules, without a server.
@Suite struct ReplicaRoutingTests {
    static let settings = ReadReplicaSettings(location: PostGISLocation(host: "replica", user: "u", database: "d"),
                                              maxLag: .seconds(5), checkInterval: .milliseconds(100))

    static func state(replayed: Int64, mustSee: Int64, lag: Duration? = .zero, standby: Bool = true,
                      seenAgo: Duration = .milliseconds(10), now: ContinuousClock.Instant) -> ReplicaRouting.State {
        var s = ReplicaRouting.State(backoff: .milliseconds(500))
        s.mustSee = mustSee
        s.seen = ReplicaRouting.Look(at: now - seenAgo, standby: standby, replayed: replayed, lag: lag)
        return s
    }

    @Test func readsGoToTheReplicaOnlyWhenItHasReplayedThisProcesssLastWrite() {
        let now = ContinuousClock.now
        let target = { (s: ReplicaRouting.State) in ReplicaRouting.target(s, settings: Self.settings, now: now) }
        #expect(target(Self.state(replayed: 100, mustSee: 100, now: now)) == .replica)
        #expect(target(Self.state(replayed: 99, mustSee: 100, now: now)) == .primary)
        #expect(target(Self.state(replayed: 100, mustSee: 0, lag: .seconds(6), now: now)) == .primary, "past the lag bound")
        #expect(target(Self.state(replayed: 100, mustSee: 0, lag: nil, now: now)) == .primary, "behind by an unknown time")
        #expect(target(Self.state(replayed: 100, mustSee: 0, standby: false, now: now)) == .primary, "not a standby")
        #expect(target(Self.state(replayed: 100, mustSee: 0, seenAgo: .milliseconds(150), now: now)) == .look, "the look is too old")
        #expect(target(ReplicaRouting.State(backoff: .zero)) == .look, "never looked")
        var down = Self.state(replayed: 100, mustSee: 0, now: now)
        down.health = .down
        down.retryAt = now + .milliseconds(300)
        #expect(target(down) == .primary)
        down.retryAt = now - .milliseconds(1)
        #expect(target(down) == .replica, "the back-off has passed")
        var unsure = Self.state(replayed: 100, mustSee: 0, now: now)
        unsure.primaryOnlyUntil = now + .seconds(1)
        #expect(target(unsure) == .primary, "a commit's position could not be read")
    }

    @Test func onlyAConnectionsTroubleMakesTheReplicaDown() {
        #expect(ReplicaRouting.isConnectionState("08006"), "connection failure")
        #expect(ReplicaRouting.isConnectionState("57P01"), "administrator shutdown")
        #expect(ReplicaRouting.isConnectionState("57P03"), "cannot connect now (starting up)")
        #expect(!ReplicaRouting.isConnectionState("40001"), "a conflict with replay cancels that query alone")
        #expect(!ReplicaRouting.isConnectionState("57014"), "statement timeout")
        #expect(!ReplicaRouting.isConnectionState("42P01"), "undefined table: the statement's own error")
        #expect(!ReplicaRouting.isConnectionState("22P02"))
    }

    @Test func aDeadlineEndsAWaitThatIgnoresCancellation() async throws {
        // Two seconds that no cancellation shortens.
        let never = { @Sendable () async throws -> Int in
            for _ in 0..<20 { try? await Task.sleep(for: .milliseconds(100)) }
            return 0
        }
        await #expect(throws: Deadline.Passed.self) { try await Deadline.run(after: .milliseconds(50), what: "a wait", never) }
        #expect(try await Deadline.run(after: .seconds(30), what: "a value") { 42 } == 42)
        let started = { @Sendable () -> Bool in true }
        let slow = try await Deadline.run(after: .milliseconds(20), what: "a started query", unless: started) {
            try await Task.sleep(for: .milliseconds(100))
            return 7
        }
        #expect(slow == 7, "once the work has started, the deadline does not apply")
    }
}
