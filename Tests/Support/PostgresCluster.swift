public import Foundation
public import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server with PostGIS for the tests of the PostGIS backend, and a fresh database per test.
///
/// `OTKLIK_PG_URL` (a `postgresql://user@host:port/db` URL of a user that may create databases) names a server
/// to use. Without it, a throwaway cluster is made once per test process from Debian's postgresql-15
/// (initdb into a temporary folder, as the `postgres` user when the tests run as root, since initdb refuses
/// root; listening on a free loopback port only) and stopped when the process exits. `OTKLIK_PG_ROOT` chooses
/// the folder the cluster goes under (CI stops whatever is left there). Without either the tests skip, and
/// under `OTKLIK_REQUIRE_PEERS=1` they fail.
public enum PostgresCluster {
    static let bin = "/usr/lib/postgresql/15/bin"

    /// Whether there is a server to test against (the environment's, or one this machine can start).
    public static var isAvailable: Bool {
        externalURL != nil || (FileManager.default.isExecutableFile(atPath: bin + "/initdb")
            && FileManager.default.fileExists(atPath: "/usr/share/postgresql/15/extension/postgis.control"))
    }

    static var externalURL: String? {
        ProcessInfo.processInfo.environment["OTKLIK_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The URL of a new, empty database with PostGIS installed, on the server (started on first use).
    public static func freshDatabase() async throws -> String {
        let server = try await self.server()
        let name = "otklik_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await psql(server.adminURL, "CREATE DATABASE \(name) TEMPLATE \(templateName)")
        return server.url(database: name)
    }

    /// Runs one SQL command through psql on the database at `url`. Suspends rather than blocks: the tests'
    /// concurrency pool has as many threads as cores.
    @discardableResult
    public static func psql(_ url: String, _ sql: String) async throws -> String {
        let r = try await ExternalProcess.run(Command(bin + "/psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                                                      stderr: .separate, timeout: .seconds(120)))
        guard r.succeeded else { throw ClusterError("psql \(sql.prefix(60)): \(r.stderr)\(r.output)") }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let templateName = "otklik_template"

    struct Server {
        var host: String
        var port: Int
        var user: String
        var adminDatabase: String
        var adminURL: String { url(database: adminDatabase) }
        func url(database: String) -> String { "postgresql://\(user)@\(host):\(port)/\(database)" }
    }

    public struct ClusterError: Error, CustomStringConvertible {
        public let description: String
        public init(_ d: String) { description = d }
    }

    private static let shared = Shared()

    /// The server the tests use, started on first use.
    static func server() async throws -> Server { try await shared.server() }

    /// Starts the server once; callers that come meanwhile wait for the same start.
    private actor Shared {
        private var starting: Task<Server, any Error>?

        func server() async throws -> Server {
            if let starting { return try await starting.value }
            let task = Task { try await PostgresCluster.start() }
            starting = task
            return try await task.value
        }
    }

    /// The folder and pg_ctl of the cluster this process started, for the exit handler.
    nonisolated(unsafe) static var ownCluster: (dataDir: String, root: String, asPostgres: Bool)?

    private static func start() async throws -> Server {
        let server: Server
        if let text = externalURL {
            guard let c = URLComponents(string: text), let host = c.host, let user = c.user else {
                throw ClusterError("OTKLIK_PG_URL is not a postgresql://user@host:port/db URL: \(text)")
            }
            server = Server(host: host, port: c.port ?? 5432, user: user, adminDatabase: String(c.path.drop { $0 == "/" }))
        } else {
            server = try await startThrowaway()
        }
        // A template with PostGIS in it: CREATE DATABASE from it is much cheaper than CREATE EXTENSION per test.
        let exists = try await psql(server.adminURL, "SELECT count(*) FROM pg_database WHERE datname = '\(templateName)'")
        if exists == "0" {
            try await psql(server.adminURL, "CREATE DATABASE \(templateName)")
            try await psql(server.url(database: templateName), "CREATE EXTENSION IF NOT EXISTS postgis")
        }
        return server
    }

    /// The folder the throwaway clusters go under: `OTKLIK_PG_ROOT`, else the temporary folder.
    static var rootParent: String {
        ProcessInfo.processInfo.environment["OTKLIK_PG_ROOT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.temporaryDirectory.path
    }

    private static func startThrowaway() async throws -> Server {
        let root = try makeRoot(parent: rootParent, name: "otklik-pg-" + UUID().uuidString.prefix(8))
        let asPostgres = geteuid() == 0
        let dataDir = root + "/data"
        try await runTool("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"])
        // What a streaming replica needs (see `PostgresCluster+Replica`): a replication entry for the loopback
        // (initdb's own file has one too; this one does not depend on it).
        let hba = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDir + "/pg_hba.conf"))
        hba.seekToEndOfFile()
        hba.write(Data("host replication all 127.0.0.1/32 trust\n".utf8))
        try hba.close()
        let port = try LoopbackPort.free()
        ownCluster = (dataDir, root, asPostgres)
        atexit { PostgresCluster.stopOwnCluster() }
        // wal_level replica and WAL senders: a replica can be made from it with pg_basebackup on demand.
        try await startPostmaster(dataDir: dataDir, root: root, port: port, extra: ["-c", "wal_level=replica", "-c", "max_wal_senders=10"])
        return Server(host: "127.0.0.1", port: port, user: "postgres", adminDatabase: "postgres")
    }

    /// A folder for a cluster under `parent`, owned by the postgres user when the tests run as root.
    static func makeRoot(parent: String, name: String) throws -> String {
        let root = parent + "/" + name
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if geteuid() == 0 {
            guard let pw = getpwnam("postgres") else { throw ClusterError("running as root and there is no postgres user to run initdb as") }
            guard chown(root, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else { throw ClusterError("cannot give \(root) to postgres") }
            chmod(parent, 0o755)
        }
        return root
    }

    /// Runs one of PostgreSQL's programs, as the postgres user when the tests run as root (initdb and the server
    /// refuse root).
    static func runTool(_ tool: String, _ args: [String]) async throws {
        let r = try await ExternalProcess.run(toolCommand(tool, args, timeout: .seconds(120)))
        guard r.succeeded else { throw ClusterError("\(tool) failed: \(r.output)") }
    }

    static func toolCommand(_ tool: String, _ args: [String], timeout: Duration?, log: URL? = nil) -> Command {
        geteuid() == 0 ? Command("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/" + tool] + args, timeout: timeout, log: log)
                       : Command(bin + "/" + tool, args, timeout: timeout, log: log)
    }

    /// Starts a postmaster on `dataDir` and waits until it accepts connections.
    ///
    /// It runs as a child of this process rather than through `pg_ctl start`: a daemon that inherits Foundation's
    /// process-watching descriptor keeps `pg_ctl` from ever being seen to exit. fsync off: a throwaway cluster need
    /// not survive a power cut, and the tests run many small commits.
    static func startPostmaster(dataDir: String, root: String, port: Int, extra: [String]) async throws {
        let serverArgs = ["-D", dataDir, "-c", "listen_addresses=127.0.0.1", "-p", "\(port)", "-k", root, "-c", "fsync=off",
                          "-c", "max_connections=200"] + extra
        let process = try ExternalProcess.start(toolCommand("postgres", serverArgs, timeout: nil,
                                                            log: URL(fileURLWithPath: root + "/server.log")))
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let ready = try await ExternalProcess.run(Command(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"], timeout: .seconds(10)))
            if ready.succeeded { break }
            guard process.isRunning, ContinuousClock.now < deadline else {
                throw ClusterError("the test PostgreSQL server on \(dataDir) did not start: \(process.outputSoFar())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops the cluster this process started and removes its folder.
    static func stopOwnCluster() {
        stopOwnReplica()
        guard let c = ownCluster else { return }
        ownCluster = nil
        _ = try? ExternalProcess.run(toolCommand("pg_ctl", ["-D", c.dataDir, "-m", "fast", "-w", "stop"], timeout: .seconds(60)))
        try? FileManager.default.removeItem(atPath: c.root)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when a PostGIS server can be had (`PostgresCluster.isAvailable`); otherwise skips it with the
    /// reason, or, under `OTKLIK_REQUIRE_PEERS=1`, fails it.
    public static var postgis: Self {
        .enabled("needs PostgreSQL 15 with PostGIS (Debian postgresql-15 postgresql-15-postgis-3) or OTKLIK_PG_URL; make test-deps installs them") {
            if PostgresCluster.isAvailable { return true }
            if Peers.required { throw PeerMissing(peer: .postgres) }
            return false
        }
    }
}
