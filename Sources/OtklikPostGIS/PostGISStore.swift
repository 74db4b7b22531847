public import OtklikCore
public import Logging
import Foundation
import PostgresNIO
import Synchronization

/// The PostGIS implementation of the storage ports, over a PostgresNIO connection pool.
///
/// The schema mirrors the SpatiaLite store's (see `PostGISSchema`). A write places its incidents in SQL, the district
/// with `ST_Covers` and the settlement with a KNN (`<->`) search over their points; a bulk load places them in
/// memory by the same rules (see `PostGISBulkLoad`). Several server processes can share one
/// database: each write sends a notification on `PostGISStore.changeChannel`, which every other store hears (see `changes()`).
public final class PostGISStore: IncidentRepository, IncidentNotes, DatabaseSizeReporting, Sendable {
    public let location: PostGISLocation
    public let taxonomy: Taxonomy
    let client: PostgresClient
    let logger: Logger
    /// Metres within which the nearest settlement point is assigned.
    let settlementRadius: Double
    private let runner: Task<Void, Never>
    /// The schema migration, started at construction; every query waits for it.
    private let ready: Task<Void, any Error>
    private let routing = Mutex<AgencyRouting?>(nil)
    private let knownSize = Mutex<(bytes: Int64, at: ContinuousClock.Instant?)>((0, nil))
    /// The hot-standby replica that reads may go to (see `readFromReplica`).
    let readReplica = Mutex<ReplicaRouting?>(nil)
    /// Names this store in the notes it sends, so that its own listener can skip them (see `changes()`).
    let origin = UUID().uuidString

    /// The channel every write notifies, with the written point and category.
    public static let changeChannel = "otklik_changes"

    /// A store on the database at `location`. Connecting and migrating start at once and every query waits
    /// for them, so that a synchronous caller (the CLI's option parsing) can make one; `open` waits for them.
    public init(location: PostGISLocation, taxonomy: Taxonomy, logger: Logger, settlementRadius: Double = 3000,
                maxConnections: Int = 20) {
        self.location = location
        self.taxonomy = taxonomy
        self.logger = logger
        self.settlementRadius = settlementRadius
        var config = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                  password: location.password, database: location.database, tls: .disable)
        config.options.maximumConnections = maxConnections
        // The pool's own lines (a connection attempt given up when a command ends, say) are a person's concern
        // only as warnings; what fails a request is thrown and reported by the caller.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: config, backgroundLogger: poolLogger)
        self.client = client
        // The migration's lease waits until the runner is entering `run()`: a lease before it works (the pool
        // waits) but PostgresNIO logs a warning that a busy machine printed on an import's output now and then.
        let (entering, signal) = AsyncStream<Void>.makeStream()
        runner = Task {
            signal.finish()
            await client.run()
        }
        ready = Task {
            for await _ in entering {}
            try await Self.migrate(client, logger: logger)
        }
    }

    /// Connects to the database at `location` and brings its schema up to date.
    public static func open(_ location: PostGISLocation, taxonomy: Taxonomy, logger: Logger, settlementRadius: Double = 3000,
                            maxConnections: Int = 20) async throws -> PostGISStore {
        let store = PostGISStore(location: location, taxonomy: taxonomy, logger: logger, settlementRadius: settlementRadius,
                                 maxConnections: maxConnections)
        do {
            try await store.waitUntilReady()
            try await store.refreshSize()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// Closes the pool; the store cannot be used after it.
    public func close() {
        runner.cancel()
        readReplica.withLock { $0 }?.close()
    }

    deinit { runner.cancel() }

    /// Per-district agency overrides applied on write; nil means the category's own agency.
    public func setAgencyRouting(_ routing: AgencyRouting?) {
        self.routing.withLock { $0 = routing }
    }

    /// The agency of a new incident: the district override when there is one, else its own, else the category's.
    func agency(category: String, given: String, district: String?) -> String {
        if let r = routing.withLock({ $0 }) {
            let a = r.agency(category: category, district: district)
            if !a.isEmpty { return a }
        }
        return given.isEmpty ? (taxonomy[category]?.agency ?? "") : given
    }

    // MARK: - Schema

    /// Waits for the connection and the migrations; throws what stopped them, with the server's message.
    public func waitUntilReady() async throws {
        do {
            try await ready.value
        } catch {
            throw described(error, "cannot open \(location)")
        }
    }

    private static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { conn in
            // Instances that start together migrate one after the other.
            try await conn.query("SELECT pg_advisory_lock(715318)", logger: logger)
            do {
                try await conn.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", logger: logger)
                for m in PostGISSchema.migrations {
                    let done = try await conn.query("SELECT 1 FROM schema_migrations WHERE version = \(m.version)", logger: logger).collect()
                    guard done.isEmpty else { continue }
                    try await conn.withTransaction(logger: logger) { tx in
                        for statement in m.sql { try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                        try await tx.query("INSERT INTO schema_migrations (version, name) VALUES (\(m.version), \(m.name))", logger: logger)
                    }
                    logger.info("database migrated to version \(m.version) (\(m.name))")
                }
                try await PostGISDeferredIndexes.recover(conn, logger: logger)
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(715318)", logger: logger)
                throw error
            }
            try await conn.query("SELECT pg_advisory_unlock(715318)", logger: logger)
        }
    }

    /// The versions recorded in `schema_migrations`.
    public func schemaVersions() async throws -> [Int] {
        try await rows(SQL("SELECT version FROM schema_migrations ORDER BY version")).map { try $0.decode(Int.self) }
    }

    // MARK: - Size

    /// The database's size as last measured; measured again at most every 30 s by `/metrics` reads.
    public func databaseSize() throws -> Int64 {
        let (size, stale) = knownSize.withLock { known in
            let stale = known.at.map { ContinuousClock.now - $0 > .seconds(30) } ?? true
            if stale { known.at = .now }
            return (known.bytes, stale)
        }
        if stale { Task { try? await self.refreshSize() } }
        return size
    }

    func refreshSize() async throws {
        let size = try await rows(SQL("SELECT pg_database_size(current_database())")).first.map { try $0.decode(Int64.self) } ?? 0
        knownSize.withLock { $0 = (size, .now) }
    }

    // MARK: - Queries

    /// Runs a statement on a pooled connection and collects its rows.
    func rows(_ sql: SQL) async throws -> [PostgresRow] {
        try await waitUntilReady()
        do {
            return try await client.query(sql.query, logger: logger).collect()
        } catch {
            throw described(error, "query failed")
        }
    }

    /// The error with the server's own message when it has one (PostgresNIO keeps it out of `description`).
    func described(_ error: any Error, _ what: String) -> any Error {
        switch error {
        case is DomainError, is ValidationError, is PostGISError, is CancellationError: return error
        case let e as PSQLError where e.serverInfo?[.sqlState] == "42P10":
            // `ON CONFLICT (source, external_id)` without the key: a bulk load into the empty database has set it
            // aside (see PostGISDeferredIndexes).
            return DomainError.unavailable("a bulk import is loading this database and has not built its (source, external_id) key yet; new incidents are accepted again when it ends", retryAfter: 30)
        case let e as PSQLError:
            let message = e.serverInfo?[.message] ?? "\(e.code)"
            let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return PostGISError(.query, "\(what): \(message)\(detail)")
        case let e as PostgresTransactionError:
            return described(e.closureError ?? e.commitError ?? e.beginError ?? e.rollbackError ?? error, what)
        default:
            return PostGISError(.query, "\(what): \(String(reflecting: error))")
        }
    }

    /// A transaction on one pooled connection.
    func transaction<T: Sendable>(_ what: String, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await waitUntilReady()
        do {
            let value = try await client.withTransaction(logger: logger) { conn in try await body(conn) }
            await noteCommit()
            return value
        } catch {
            throw described(error, what)
        }
    }
}

/// SQL text with its bound values: values are never spliced into the text.
struct SQL: Sendable {
    var text: String
    var binds = PostgresBindings()

    init(_ text: String = "") { self.text = text }

    /// Binds a value and returns its placeholder.
    mutating func bind<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func bind<T: PostgresDynamicTypeEncodable>(_ value: T?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

extension PostgresConnection {
    /// Runs a statement and collects its rows.
    @discardableResult
    func rows(_ sql: SQL, logger: Logger) async throws -> [PostgresRow] {
        try await query(sql.query, logger: logger).collect()
    }
}
