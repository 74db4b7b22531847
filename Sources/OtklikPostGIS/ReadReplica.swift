import Logging
import Foundation
import PostgresNIO
import Synchronization

/// How a `PostGISStore` uses a hot-standby replica for its reads (`otklik serve --read-db`).
public struct ReadReplicaSettings: Sendable, Hashable {
    /// The replica: a streaming standby of the store's database (same database name on another server).
    public var location: PostGISLocation
    /// A replica further behind the primary than this is not read from until it catches up.
    public var maxLag: Duration
    /// How long a look at the replica's replay position stays good; reads in between use the one seen.
    public var checkInterval: Duration
    /// How long a look, or the wait for a pooled replica connection, may take before the replica counts as down.
    public var timeout: Duration
    /// The first wait before a replica that was down is tried again; it doubles up to `maxRetryAfter`.
    public var retryAfter: Duration
    public var maxRetryAfter: Duration
    public var maxConnections: Int

    public init(location: PostGISLocation, maxLag: Duration = .seconds(5), checkInterval: Duration = .milliseconds(100),
                timeout: Duration = .seconds(1), retryAfter: Duration = .milliseconds(500),
                maxRetryAfter: Duration = .seconds(10), maxConnections: Int = 20) {
        self.location = location
        self.maxLag = maxLag
        self.checkInterval = checkInterval
        self.timeout = timeout
        self.retryAfter = retryAfter
        self.maxRetryAfter = maxRetryAfter
        self.maxConnections = maxConnections
    }
}

/// Chooses, per read, between a hot-standby replica and the primary, so that a read never sees less than this
/// process has written and never waits for a replica that is behind or gone.
///
/// The routing lives in the PostGIS backend, not in a backend-agnostic wrapper over two stores: what makes it
/// correct is PostgreSQL's own (the commit's WAL position on the primary, the standby's replay position, a miss
/// on the standby confirmed on the primary), a second store opened on a read-only standby could not run its
/// migrations, and the service ports stay as they are.
///
/// - Read-your-writes: after each commit the store records the primary's WAL insert position
///   (`notePrimaryPosition`); a read goes to the replica only when the replica's `pg_last_wal_replay_lsn()` has
///   reached it. The replay position is looked at most every `checkInterval` by one read, the others use it.
/// - Lag: a replica more than `maxLag` behind (the age of its last replayed commit while WAL waits to be
///   replayed, or while it receives nothing at all) is not read from.
/// - Failure: a look that fails or times out, or a read that fails for the connection's sake, makes the
///   replica down; reads go to the primary and the replica is tried again after a back-off. No request fails
///   because of the replica. Each change of state is logged once.
public final class ReplicaRouting: Sendable {
    public let settings: ReadReplicaSettings
    let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    private let state: Mutex<State>
    private let looking = Mutex<Task<Void, Never>?>(nil)
    /// The looks' own connection: a refused connection fails at once, where the pool would queue the look.
    private let lookConnection = Mutex<PostgresConnection?>(nil)
    private let connectionConfig: PostgresConnection.Configuration

    /// What the routing knows. LSNs are byte positions in the WAL.
    struct State {
        /// False until the primary's position at the start (after the migrations) is known: reads go to the primary.
        var started = true
        /// The WAL position every read must see: this process's last commit, or a position the caller asked for.
        var mustSee: Int64 = 0
        /// Until then reads go to the primary: a commit's position could not be read.
        var primaryOnlyUntil: ContinuousClock.Instant?
        var seen: Look?
        var health: Health = .unknown
        /// Whether the last look found the lag past the bound: a second such look in a row is a state change.
        var overBoundBefore = false
        var retryAt: ContinuousClock.Instant?
        var backoff: Duration
    }

    /// One look at the replica.
    struct Look: Sendable {
        var at: ContinuousClock.Instant
        var standby: Bool
        var replayed: Int64
        /// nil: behind by an amount it cannot tell (nothing replayed since it started, WAL waiting).
        var lag: Duration?
    }

    enum Health: Equatable {
        case unknown, serving, lagging, down, notStandby
    }

    /// Where one read goes.
    enum Target: Equatable {
        case replica, primary, look
    }

    init(settings: ReadReplicaSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let l = settings.location
        var config = PostgresClient.Configuration(host: l.host, port: l.port, username: l.user, password: l.password,
                                                  database: l.database, tls: .disable)
        config.options.maximumConnections = max(1, settings.maxConnections)
        config.options.connectTimeout = settings.timeout
        connectionConfig = PostgresConnection.Configuration(host: l.host, port: l.port, username: l.user, password: l.password,
                                                            database: l.database, tls: .disable)
        // The pool logs each failed connection attempt; the routing logs the replica's changes of state instead.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: config, backgroundLogger: poolLogger)
        self.client = client
        runner = Task { await client.run() }
        state = Mutex(State(started: false, backoff: settings.retryAfter))
    }

    func close() {
        runner.cancel()
        dropLookConnection()
    }

    deinit {
        runner.cancel()
        dropLookConnection()
    }

    /// Closes the looks' connection (PostgresNIO requires a connection to be closed before it is freed).
    private func dropLookConnection() {
        guard let c = lookConnection.withLock({ c -> PostgresConnection? in
            defer { c = nil }
            return c
        }) else { return }
        Task { try? await c.close() }
    }

    // MARK: - Choosing

    /// The choice for one read from what is known; `.look` when the last look is too old.
    static func target(_ s: State, settings: ReadReplicaSettings, now: ContinuousClock.Instant) -> Target {
        guard s.started else { return .primary }
        if let until = s.primaryOnlyUntil, now < until { return .primary }
        if s.health == .down, let retryAt = s.retryAt, now < retryAt { return .primary }
        guard let seen = s.seen, now - seen.at < settings.checkInterval else { return .look }
        guard seen.standby, let lag = seen.lag, lag <= settings.maxLag else { return .primary }
        return seen.replayed >= s.mustSee ? .replica : .primary
    }

    /// Whether this read may go to the replica; looks at the replica first when the last look is too old.
    func readsFromReplica() async -> Bool {
        var target = state.withLock { Self.target($0, settings: settings, now: .now) }
        if target == .look {
            await look()
            // Judged as of the look just made: on a loaded machine this task may resume after more than
            // `checkInterval`, and judging by the clock then sent the read to the primary though the replica served.
            target = state.withLock { Self.target($0, settings: settings, now: $0.seen?.at ?? .now) }
        }
        return target == .replica
    }

    /// One look at a time: reads that come meanwhile wait for it (at most `timeout`).
    private func look() async {
        let task = looking.withLock { current -> Task<Void, Never> in
            if let current { return current }
            let t = Task {
                await self.lookNow()
                self.looking.withLock { $0 = nil }
            }
            current = t
            return t
        }
        await task.value
    }

    private static let lookSQL: PostgresQuery = """
        SELECT pg_is_in_recovery(), (coalesce(pg_last_wal_replay_lsn(), '0/0') - '0/0'::pg_lsn)::int8,
          CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                    AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0::float8
               ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END
        """

    private func lookNow() async {
        let logger = self.logger
        do {
            let row = try await Deadline.run(after: settings.timeout, what: "a look at the replica") { [self] in
                try await self.connectionForLooks().query(Self.lookSQL, logger: logger).collect().first
            }
            guard let row else { throw PostGISError(.query, "the replica gave no row for its replay position") }
            let (standby, replayed, lagSeconds) = try row.decode((Bool, Int64, Double?).self)
            let look = Look(at: .now, standby: standby, replayed: replayed,
                            lag: lagSeconds.map { .milliseconds(Int64(max(0, $0) * 1000)) })
            seen(look)
        } catch {
            dropLookConnection()
            down(error)
        }
    }

    private func connectionForLooks() async throws -> PostgresConnection {
        if let c = lookConnection.withLock({ $0 }), !c.isClosed { return c }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let c = try await PostgresConnection.connect(configuration: connectionConfig, id: 0, logger: quiet)
        let replaced = lookConnection.withLock { current -> PostgresConnection? in
            defer { current = c }
            return current
        }
        if let replaced { Task { try? await replaced.close() } }
        return c
    }

    /// Records a look and the state it puts the replica in.
    func seen(_ look: Look) {
        let (before, after) = state.withLock { s -> (Health, Health) in
            let before = s.health
            s.seen = look
            s.retryAt = nil
            s.backoff = settings.retryAfter
            if !look.standby {
                s.health = .notStandby
            } else if let lag = look.lag, lag <= settings.maxLag {
                s.health = .serving
                s.overBoundBefore = false
            } else {
                // One look past the bound can be a record just received after a quiet spell (its age is that of the
                // commit before it); the second in a row is a lag. Reads go to the primary from the first.
                if s.overBoundBefore || before == .lagging { s.health = .lagging }
                s.overBoundBefore = true
            }
            return (before, s.health)
        }
        guard before != after else { return }
        let where_ = settings.location.description
        switch after {
        case .serving:
            switch before {
            case .unknown: logger.info("reads go to the replica \(where_)")
            case .down: logger.notice("the replica \(where_) answers again: reads go to it")
            default: logger.notice("the replica \(where_) has caught up: reads go to it again")
            }
        case .lagging:
            let lag = look.lag.map { String(format: "%.1f s", Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) }
                ?? "an unknown time"
            // The age of the last replayed commit while WAL waits: an upper bound of the lag.
            logger.warning("the replica \(where_) is behind by up to \(lag) (more than \(settings.maxLag)): reads go to the primary until it catches up")
        case .notStandby:
            logger.error("\(where_) is not a hot standby (pg_is_in_recovery() is false): reads go to the primary")
        case .unknown, .down:
            break
        }
    }

    /// The replica cannot be used: reads go to the primary until the back-off has passed.
    func down(_ error: any Error) {
        let (wasDown, wait) = state.withLock { s -> (Bool, Duration) in
            let wasDown = s.health == .down
            s.health = .down
            s.seen = nil
            s.overBoundBefore = false
            let wait = s.backoff
            s.retryAt = .now + wait
            s.backoff = min(s.backoff * 2, settings.maxRetryAfter)
            return (wasDown, wait)
        }
        if !wasDown {
            logger.warning("the replica \(settings.location) cannot be read (\(Self.reason(error))): reads go to the primary; trying it again in \(wait), then less often")
        }
    }

    // MARK: - Reading

    /// Runs a read on the replica. Waiting for a connection is bounded by `timeout` (a pool whose server went
    /// away waits for one otherwise); the query itself is not, a long scan being a normal read.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        let client = self.client
        let leased = Leased()
        return try await Deadline.run(after: settings.timeout, what: "a replica connection", unless: { leased.flag.load(ordering: .acquiring) }) {
            try await client.withConnection { conn in
                leased.flag.store(true, ordering: .releasing)
                return try await conn.query(query, logger: logger).collect()
            }
        }
    }

    private final class Leased: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// After a read failed on the replica: a connection's failure makes it down; a statement's own error (which
    /// the primary will give too) does not.
    func readFailed(_ error: any Error) {
        if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState], !Self.isConnectionState(state) { return }
        down(error)
    }

    /// SQLSTATEs of a server or connection in trouble rather than of one statement: connection exception,
    /// insufficient resources, system error, internal error, and the shutdowns of class 57. A query that a standby
    /// cancels for a conflict with replay (40001) or a statement timeout (57014) fails alone: the primary answers
    /// it and the replica stays in use.
    static func isConnectionState(_ state: String) -> Bool {
        ["08", "53", "58", "XX"].contains(String(state.prefix(2))) || ["57P01", "57P02", "57P03"].contains(state)
    }

    static func reason(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            if let underlying = e.underlying { return String(describing: underlying) }
            return "\(e.code)"
        }
        return String(describing: error)
    }

    // MARK: - Writes

    /// The primary's position once its schema is up to date: from then on the replica may serve what has replayed it.
    /// Whether the primary's position at the start is known (before that, every read goes to the primary).
    var isStarted: Bool { state.withLock { $0.started } }

    func start(primary: PostgresClient, logger: Logger) async {
        await notePrimaryPosition(primary, logger: logger)
        state.withLock { $0.started = true }
    }

    /// Reads from now on see everything the primary had committed before this call: its WAL insert position is
    /// recorded and the replica is read only once it has replayed past it. When the position cannot be read,
    /// reads go to the primary for `maxLag` (a replica within the bound has replayed the commit by then).
    func notePrimaryPosition(_ primary: PostgresClient, logger: Logger) async {
        do {
            let lsn = try await primary.query("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8", logger: logger)
                .collect().first.map { try $0.decode(Int64.self) } ?? Int64.max
            state.withLock { $0.mustSee = max($0.mustSee, lsn) }
        } catch {
            let until = ContinuousClock.now + settings.maxLag
            state.withLock { $0.primaryOnlyUntil = max($0.primaryOnlyUntil ?? until, until) }
        }
    }
}

/// A wait with a bound that does not rely on the awaited work honouring cancellation: the caller is resumed at the
/// deadline and the work is cancelled and left to end on its own.
enum Deadline {
    struct Passed: Error, CustomStringConvertible {
        let what: String
        let after: Duration
        var description: String { "\(what) took more than \(after)" }
    }

    /// `body`'s value, or `Passed` when `after` elapses first and `unless` (checked then) is false.
    static func run<T: Sendable>(after: Duration, what: String, unless: @escaping @Sendable () -> Bool = { false },
                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let pending = Pending<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
                pending.state.withLock { $0.waiter = c }
                let work = Task {
                    do { pending.finish(.success(try await body())) } catch { pending.finish(.failure(error)) }
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: after)) != nil, !unless() else { return }
                    work.cancel()
                    pending.finish(.failure(Passed(what: what, after: after)))
                }
                pending.state.withLock {
                    $0.work = work
                    $0.timer = timer
                }
                if Task.isCancelled { work.cancel() }
            }
        } onCancel: {
            pending.state.withLock { $0.work }?.cancel()
        }
    }

    /// The caller waiting, the work and its timer: the first to finish resumes the caller, once.
    private final class Pending<T: Sendable>: Sendable {
        struct State {
            var waiter: CheckedContinuation<T, any Error>?
            var work: Task<Void, Never>?
            var timer: Task<Void, Never>?
        }
        let state = Mutex(State())

        func finish(_ result: Result<T, any Error>) {
            let (waiter, timer) = state.withLock { s in
                defer { s.waiter = nil }
                return (s.waiter, s.timer)
            }
            timer?.cancel()
            waiter?.resume(with: result)
        }
    }
}
