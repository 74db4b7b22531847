import Foundation
public import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A streaming hot-standby replica of the test server, for the tests of `otklik serve --read-db`.
///
/// With the throwaway cluster it is made on first use by `pg_basebackup -R` (with a replication slot, so that the
/// primary keeps the WAL of a replica a test has stopped), started on a loopback port of its own under the same
/// `OTKLIK_PG_ROOT` (as `…-replica/data`, which CI's cleanup stops too), and stopped when the process exits. With
/// `OTKLIK_PG_URL` the replica is `OTKLIK_PG_REPLICA_URL` (a standby of that server; a superuser, for pausing its
/// replay), and without that the replica tests skip: no replica of another machine's server can be made here.
extension PostgresCluster {
    public struct Replica: Sendable {
        public let host: String
        public let port: Int
        public let user: String
        let adminDatabase: String
        /// Whether this process made it: then a test may stop and start it.
        public let isOwn: Bool

        /// The URL of `database` on the replica (the name it has on the primary).
        public func url(database: String) -> String { "postgresql://\(user)@\(host):\(port)/\(database)" }
        /// The URL of a database the primary made, on the replica.
        public func url(sameAs primaryURL: String) -> String {
            url(database: URLComponents(string: primaryURL).map { String($0.path.drop { $0 == "/" }) } ?? "")
        }
        var adminURL: String { url(database: adminDatabase) }
    }

    static var externalReplicaURL: String? {
        ProcessInfo.processInfo.environment["OTKLIK_PG_REPLICA_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a replica can be had: the environment's beside an external server, or one made here.
    public static var replicaIsAvailable: Bool {
        if externalURL != nil { return externalReplicaURL != nil }
        return isAvailable && FileManager.default.isExecutableFile(atPath: bin + "/pg_basebackup")
    }

    /// Whether the replica tests get is one this process makes, which a test may stop (not one the environment names).
    public static var replicaCanBeStopped: Bool { externalURL == nil }

    /// Runs `body` with the replica to itself: a test that pauses its replay or stops it would upset another
    /// replica test running meanwhile. Afterwards the replica runs and replays again.
    public static func withReplica<T>(_ body: (Replica) async throws -> T) async throws -> T {
        await replicaTurns.take()
        do {
            let replica = try await replicaShared.replica()
            let value: T
            do {
                value = try await body(replica)
            } catch {
                try? await restore(replica)
                throw error
            }
            try await restore(replica)
            await replicaTurns.give()
            return value
        } catch {
            await replicaTurns.give()
            throw error
        }
    }

    /// Waits until the replica has replayed everything the primary had written when this was called (a database
    /// just created, a schema just migrated).
    public static func waitForReplica(_ replica: Replica, timeout: Duration = .seconds(60)) async throws {
        let primary = try await server()
        let target = try await psql(primary.adminURL, "SELECT pg_current_wal_lsn()")
        let deadline = ContinuousClock.now + timeout
        while try await psql(replica.adminURL, "SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn") != "t" {
            guard ContinuousClock.now < deadline else { throw ClusterError("the replica did not replay up to \(target) in \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops applying WAL on the replica (it keeps receiving it): what it shows stays as it is.
    /// Pauses the replica's replay and returns once it is paused. A pause is only requested at first, and an idle
    /// standby takes it when the next record comes: a transaction with an id on the primary sends one.
    public static func pauseReplay(_ replica: Replica) async throws {
        try await psql(replica.adminURL, "SELECT pg_wal_replay_pause()")
        let primary = try await server()
        let deadline = ContinuousClock.now + .seconds(60)
        while try await psql(replica.adminURL, "SELECT pg_get_wal_replay_pause_state()") != "paused" {
            guard ContinuousClock.now < deadline else { throw ClusterError("the replica's replay did not pause") }
            try await psql(primary.adminURL, "SELECT txid_current()")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    public static func resumeReplay(_ replica: Replica) async throws {
        try await psql(replica.adminURL, "SELECT pg_wal_replay_resume()")
    }

    /// Stops the replica this process made (`pg_ctl stop -m fast`: sessions are ended, as when a server goes down).
    public static func stopReplica() async throws {
        guard let r = ownReplica else { throw ClusterError("only a replica this process made can be stopped") }
        try await runTool("pg_ctl", ["-D", r.dataDir, "-m", "fast", "-w", "stop"])
    }

    /// Starts the replica this process made again, when it is not running.
    public static func startReplicaAgain() async throws {
        guard let r = ownReplica else { return }
        let running = try await ExternalProcess.run(Command(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(r.port)"], timeout: .seconds(10)))
        if running.succeeded { return }
        try await startPostmaster(dataDir: r.dataDir, root: r.root, port: r.port, extra: replicaArgs)
    }

    private static func restore(_ replica: Replica) async throws {
        try await startReplicaAgain()
        try await resumeReplay(replica)
    }

    static let replicaArgs = ["-c", "hot_standby=on"]

    /// The replica this process made, for `stopReplica` and the exit handler.
    nonisolated(unsafe) static var ownReplica: (dataDir: String, root: String, port: Int)?

    static func stopOwnReplica() {
        guard let r = ownReplica else { return }
        ownReplica = nil
        _ = try? ExternalProcess.run(toolCommand("pg_ctl", ["-D", r.dataDir, "-m", "immediate", "-w", "stop"], timeout: .seconds(60)))
        try? FileManager.default.removeItem(atPath: r.root)
    }

    private static let replicaShared = ReplicaShared()
    private static let replicaTurns = Turns()

    /// Makes the replica once; callers that come meanwhile wait for the same one.
    private actor ReplicaShared {
        private var starting: Task<Replica, any Error>?

        func replica() async throws -> Replica {
            if let starting { return try await starting.value }
            let task = Task { try await PostgresCluster.makeReplica() }
            starting = task
            return try await task.value
        }
    }

    /// One holder at a time, the others wait in turn.
    private actor Turns {
        private var busy = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func take() async {
            guard busy else {
                busy = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func give() {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
    }

    private static func makeReplica() async throws -> Replica {
        if let text = externalReplicaURL {
            guard let c = URLComponents(string: text), let host = c.host, let user = c.user else {
                throw ClusterError("OTKLIK_PG_REPLICA_URL is not a postgresql://user@host:port/db URL: \(text)")
            }
            return Replica(host: host, port: c.port ?? 5432, user: user, adminDatabase: String(c.path.drop { $0 == "/" }), isOwn: false)
        }
        let primary = try await server()
        guard let own = ownCluster else { throw ClusterError("no throwaway cluster to make a replica of") }
        let root = try makeRoot(parent: rootParent, name: URL(fileURLWithPath: own.root).lastPathComponent + "-replica")
        let dataDir = root + "/data"
        let slot = "otklik_replica_" + UUID().uuidString.prefix(8).lowercased()
        try await runTool("pg_basebackup", ["-h", primary.host, "-p", "\(primary.port)", "-U", primary.user, "-D", dataDir,
                                            "-R", "-X", "stream", "-c", "fast", "--no-sync", "-C", "-S", slot])
        let port = try LoopbackPort.free()
        ownReplica = (dataDir, root, port)
        try await startPostmaster(dataDir: dataDir, root: root, port: port, extra: replicaArgs)
        return Replica(host: "127.0.0.1", port: port, user: primary.user, adminDatabase: primary.adminDatabase, isOwn: true)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when a streaming replica of the PostGIS test server can be had
    /// (`PostgresCluster.replicaIsAvailable`). Beside an external `OTKLIK_PG_URL` without `OTKLIK_PG_REPLICA_URL`
    /// it skips, also under `OTKLIK_REQUIRE_PEERS=1` (no replica of that server can be made here); without
    /// PostgreSQL it skips, or fails under `OTKLIK_REQUIRE_PEERS=1`.
    public static var postgisReplica: Self {
        .enabled("needs a streaming replica: PostgreSQL 15 with PostGIS here (the test makes one with pg_basebackup -R), or OTKLIK_PG_REPLICA_URL, a hot standby of the server OTKLIK_PG_URL names") {
            if PostgresCluster.replicaIsAvailable { return true }
            if PostgresCluster.externalURL != nil { return false }
            if Peers.required { throw PeerMissing(peer: .postgres) }
            return false
        }
    }
}
